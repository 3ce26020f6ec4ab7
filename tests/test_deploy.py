"""Configuration by environment, production checks and the compose stack (Docker cannot run here)."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#kQ2!vL9@pR4$mN8^tY3&wZ6*bC1(dF5)gH0_jK-sM=uA+eI",
    "ALLOWED_HOSTS": "crm.example.com",
    "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def _manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DEBUG", "CACHE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_check_deploy_without_warnings_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_shared_cache_fails_the_deploy_check_and_will_not_serve():
    env = {k: v for k, v in PROD_ENV.items() if k != "CACHE_URL"}
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0 and "core.E001" in result.stderr and "CACHE_URL" in result.stderr
    serve = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "CACHE_URL"}, **env, "PDF_WARM_UP": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serve.returncode != 0 and "CACHE_URL" in serve.stderr


def test_the_deploy_check_warns_while_a_demo_user_has_the_demo_password(db):
    from demo.checks import demo_passwords
    from demo.data import DEMO_PASSWORD
    from tests.factories import UserFactory

    user = UserFactory(username="manager")
    user.set_password(DEMO_PASSWORD)
    user.save()
    assert [w.id for w in demo_passwords(None)] == ["demo.W001"]
    user.set_password("Kx9!a-real-one")
    user.save()
    assert demo_passwords(None) == []


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {**PROD_ENV, "SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_defaults_to_sqlite_and_eager_celery():
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.LANGUAGE_CODE)"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["django.db.backends.sqlite3", "True", "True", "zh-hans"]


def test_it_reads_postgres_and_redis_from_the_environment():
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.CELERY_BROKER_URL,"
        " s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {**os.environ, "DATABASE_URL": "postgres://u:p@dbhost:5432/crm", "CELERY_BROKER_URL": "redis://r:6379/0"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["django.db.backends.postgresql", "dbhost", "redis://r:6379/0", "False"]


def test_it_caches_in_redis_when_told_and_reads_sessions_through_the_cache():
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';django.setup();"
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.SESSION_ENGINE)"
    )
    env = {**os.environ, "CACHE_URL": "redis://r:6379/1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://r:6379/1",
        "django.contrib.sessions.backends.cached_db",
    ]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_web_worker_beat_postgres_and_redis():
    services = _compose()["services"]
    assert set(services) >= {"web", "worker", "beat", "db", "redis"}
    assert "gunicorn config.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")


def test_compose_gives_every_app_service_the_settings_production_needs():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        # The cache (sessions, stage catalog) is shared by every process, in a Redis database of its own.
        assert env["CACHE_URL"].startswith("redis://redis:6379/") and env["CACHE_URL"] != env["CELERY_BROKER_URL"]
        assert env["DEBUG"] == "0"
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env
        assert "SITE_URL" in env and "EMAIL_HOST" in env  # links in notifications, and their email
        assert set(services[name]["depends_on"]) == {"db", "redis"}
    db_env = services["db"]["environment"]
    assert db_env["POSTGRES_DB"] in services["web"]["environment"]["DATABASE_URL"]


def test_dockerfile_brings_pango_and_the_cjk_font_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for needed in ("system-packages runtime", "collectstatic", "print_fonts", "gunicorn", "requirements.txt"):
        assert needed in dockerfile
    runtime = subprocess.run(
        [str(ROOT / "bin" / "system-packages"), "--list", "runtime"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "fonts-noto-cjk" in runtime and any(p.startswith("libpango") for p in runtime)
    requirements = (ROOT / "requirements.txt").read_text().lower()
    for package in ("gunicorn", "whitenoise", "psycopg", "celery", "redis", "weasyprint"):
        assert package in requirements


def test_two_installations_on_one_redis_keep_their_cached_rows_apart():
    """The cache's keys carry the database's name: a second database's teams or sessions never answer
    for the first's (a bench database once read another's cached two-team directory: 404 for team 3)."""
    prefixes = set()
    for name in ("crm_a", "crm_b"):
        env = {**PROD_ENV, "DATABASE_URL": f"postgres://u@db:5432/{name}"}
        printed = _manage(
            "shell", "-c", "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])", env=env
        )
        assert printed.returncode == 0, printed.stderr
        prefixes.add(printed.stdout.split()[-1])
    assert len(prefixes) == 2 and all(p.startswith("crm:") for p in prefixes)
    chosen = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['KEY_PREFIX'])",
        env={**PROD_ENV, "CACHE_KEY_PREFIX": "shared"},
    )
    assert chosen.stdout.split()[-1] == "shared"


def test_compose_keeps_the_uploaded_files_on_a_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service in ("web", "worker"):
        assert "media:/app/media" in compose["services"][service]["volumes"]
        assert compose["services"][service]["environment"]["MEDIA_ROOT"] == "/app/media"
    assert "media" in compose["volumes"]


def test_attachments_can_live_in_an_s3_compatible_store():
    env = {**PROD_ENV, "FILE_STORAGE": "s3", "S3_BUCKET": "crm-files", "S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    printed = _manage(
        "shell",
        "-c",
        "from django.core.files.storage import storages; s = storages['default']; print(type(s).__name__, s.bucket_name)",
        env=env,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.split()[-2:] == ["S3Storage", "crm-files"]
