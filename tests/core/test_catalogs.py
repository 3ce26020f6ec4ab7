"""The English catalog is complete and the committed .mo files match their .po files."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))

pytestmark = pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext's msgfmt is not installed")


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parts[-3])
def test_the_committed_mo_matches_the_po(po, tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    with fresh.open("rb") as a, po.with_suffix(".mo").open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            f"{po} changed without compilemessages: run `make messages`"
        )


def test_every_english_message_is_translated():
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(LOCALE / "en/LC_MESSAGES/django.po")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
