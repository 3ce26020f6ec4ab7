"""A backup is a folder: the database (pg_dump's custom format, or a copy of the SQLite file), the
uploaded files as a tar archive, and a manifest with each table's row count and checksum, which a
restore checks again."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"


def _pg_env(db: Mapping[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[name] = str(db[key])
    return env


def table_fingerprints(alias: str = "default") -> dict[str, dict[str, object]]:
    """Each table's row count and a checksum of its rows in a fixed order, read the same way on both sides."""
    connection = connections[alias]
    fingerprints = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                # the sum of each row's hash: any order, constant memory, a million rows in a second
                cursor.execute(
                    "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)"  # noqa: S608
                    f" FROM {quoted} t"  # noqa: S608  (a table name from introspection, quoted)
                )
                count, digest = cursor.fetchone()
            else:
                cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608  (as above)
                count = digest = 0
                for row in cursor.fetchall():
                    count += 1
                    digest += int(hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()[:15], 16)
            fingerprints[table] = {"rows": count, "checksum": str(digest)}
    return fingerprints


def backup(target: Path, alias: str = "default") -> Path:
    """Write a backup folder under ``target`` and return it."""
    db = settings.DATABASES[alias]
    folder = Path(target) / timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    if db["ENGINE"] == "django.db.backends.postgresql":
        subprocess.run(  # noqa: S603  (fixed arguments; the database name is our own setting)
            # PostgreSQL's client, found on PATH as the operator installed it
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / "db.dump"), db["NAME"]],  # noqa: S607
            env=_pg_env(db),
            check=True,
        )
    else:
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(folder / "db.sqlite3") as copy:
            source.backup(copy)
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    manifest = {
        "engine": db["ENGINE"],
        "taken_at": datetime.datetime.now().astimezone().isoformat(),
        "tables": table_fingerprints(alias),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return folder


def restore(folder: Path, alias: str = "default") -> list[str]:
    """Put the backup's database and files in place of the current ones; return the tables whose
    rows differ from the manifest (none, when the restore is whole)."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    db = settings.DATABASES[alias]
    if manifest["engine"] != db["ENGINE"]:
        raise ValueError(f"this backup is of {manifest['engine']}, the database here is {db['ENGINE']}")
    connections[alias].close()
    if db["ENGINE"] == "django.db.backends.postgresql":
        subprocess.run(  # noqa: S603  (fixed arguments, a backup folder the operator named)
            [  # noqa: S607
                "pg_restore",  # noqa: S607  (as pg_dump above)
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                db["NAME"],
                str(folder / "db.dump"),
            ],
            env=_pg_env(db),
            check=True,
        )
    else:
        with sqlite3.connect(folder / "db.sqlite3") as source, sqlite3.connect(db["NAME"]) as live:
            source.backup(live)
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    with tarfile.open(folder / "media.tar.gz") as archive:
        archive.extractall(media.parent, filter="data")
    now = table_fingerprints(alias)
    return sorted(t for t, print_ in manifest["tables"].items() if now.get(t) != print_)
