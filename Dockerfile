# Production-like image: gunicorn behind whitenoise for static files, Pango and
# Noto CJK for WeasyPrint's Chinese PDFs, gettext for message catalogs.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# The app's Debian packages: the list make run and CI use too.
COPY bin/system-packages /usr/local/bin/system-packages
RUN system-packages runtime && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .

# collectstatic needs a key and DEBUG off to build the manifest; neither is kept.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret-build-only-not-secret-0123456789 \
    python manage.py collectstatic --noinput \
 && python manage.py compilemessages --ignore=.venv \
 && python manage.py print_fonts

RUN useradd --create-home crm && chown -R crm /app
USER crm

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
