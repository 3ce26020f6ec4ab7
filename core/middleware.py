from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class PreferredLanguageMiddleware(LocaleMiddleware):
    """zh-hans unless the user chose another language with the switch.

    The browser's Accept-Language is ignored on purpose: our users' browsers are
    often set to English while their paperwork and team speak Chinese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivatePagesMiddleware:
    """Headers every page of ours carries: the browser features it may use (location, for a visit's
    check-in; none of camera, microphone, payment…) and, for a signed-in user's pages and downloads, that neither a
    shared proxy nor the browser's back button may keep a copy (customers, amounts, people)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
