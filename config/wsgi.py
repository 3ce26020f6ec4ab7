import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def _refuse_an_unshared_cache() -> None:
    # A web server in production with a cache per worker would honour a logout on one worker only.
    from django.core.exceptions import ImproperlyConfigured

    from core.checks import unshared_cache

    if errors := unshared_cache():
        raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")


_refuse_an_unshared_cache()


def _warm_up_printing() -> None:
    # A server process's first PDF paid for loading WeasyPrint and the print faces (1.8 s): pay it
    # at start, beside the first requests, not inside the first user's.
    from forms_toolkit.pdf import warm_up

    warm_up()


if os.environ.get("PDF_WARM_UP", "1") != "0":
    threading.Thread(target=_warm_up_printing, name="pdf-warm-up", daemon=True).start()
