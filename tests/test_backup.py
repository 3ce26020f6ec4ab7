"""make backup / make restore: a database and its uploaded files round-trip, row counts and checksums equal."""

import json

import pytest
from django.core.management import call_command

from core.backup import MANIFEST, table_fingerprints
from tests.processes import needs_postgresql

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    needs_postgresql,  # pg_dump and pg_restore
]


def test_a_backup_restores_the_database_and_the_files_as_they_were(tmp_path, settings, project, contact):
    from customers.models import Customer
    from pipeline.models import Project

    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "forms").mkdir(parents=True)
    (settings.MEDIA_ROOT / "forms" / "合同扫描件.pdf").write_bytes(b"%PDF-1.7 signed contract")
    before = table_fingerprints()

    call_command("backup", to=str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["tables"] == before and manifest["tables"]["pipeline_project"]["rows"] == 1

    # everything after the backup is lost on restore: a project deleted, a customer renamed, a file gone
    Project.objects.all().delete()
    Customer.objects.update(name="改过的名字")
    (settings.MEDIA_ROOT / "forms" / "合同扫描件.pdf").unlink()
    assert table_fingerprints() != before

    call_command("restore", str(folder), yes=True)
    assert table_fingerprints() == before
    assert Project.objects.get().name == project.name and Customer.objects.get().name == project.customer.name
    assert (settings.MEDIA_ROOT / "forms" / "合同扫描件.pdf").read_bytes() == b"%PDF-1.7 signed contract"
