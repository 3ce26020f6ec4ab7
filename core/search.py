"""Substring search that an index serves.

Every list's search box asks "contains" (``icontains``: ``UPPER(column) LIKE UPPER('%term%')``).
On PostgreSQL each searched column has a trigram index (pg_trgm, GIN over ``UPPER(column)``),
which answers that for a term of three characters or more; for a two-character term (a Chinese name is often two: 徐工, 三一), a bigram index
(the same GIN over the column's two-character pieces) finds the candidate rows and the LIKE
checks them. A related model's column (a project's customer name) is searched on its own table
and matched by id, so the planner ORs index scans instead of joining and reading every row.
Other databases run the same LIKE without an index.

A whole 编号 as the system writes them (``XM-2026-000123``, ``F05-2026-000045``) is looked up by
that number alone: its trigrams (``F05``, ``-20``, ``202`` …) are shared by every record of the
year, so the trigram index would hand back most of the table for the LIKE to check.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, migrations
from django.db.models import F, Func, Manager, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Lookup

BIGRAMS = "crm_bigrams"
# A readable number: prefix, year, sequence (``core.services.number_next``; a loaded history may
# write its sequence with a letter in front).
WHOLE_NUMBER = re.compile(r"[A-Z][A-Z0-9]*-\d{4}-[A-Z0-9]+")


class _Bigrams(Func):
    function = BIGRAMS
    output_field = TextField()  # text[]; only compared with @>


class _Written(Lookup):
    """A lookup written as ``sql`` over its two compiled sides (PostgreSQL operators the ORM lacks)."""

    prepare_rhs = False
    sql = ""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        rhs, rhs_params = compiler.compile(self.rhs)
        return self.sql.format(lhs=lhs, rhs=rhs), (*lhs_params, *rhs_params)


class _Covers(_Written):
    """``crm_bigrams(UPPER(column)) @> crm_bigrams(UPPER(term))``: an index condition."""

    lookup_name = "bigram_covers"
    sql = "{lhs} @> {rhs}"


class _InArray(_Written):
    """``column = ANY(ARRAY(subquery))``: on PostgreSQL an index condition, even inside an OR."""

    lookup_name = "in_array"
    sql = "{lhs} = ANY(ARRAY{rhs})"


def _column_contains(field: str, text: str) -> Q:
    q = Q(**{f"{field}__icontains": text})
    if connection.vendor == "postgresql" and len(text) == 2:
        q &= Q(_Covers(_Bigrams(Upper(F(field))), _Bigrams(Upper(Value(text)))))
    return q


def contains(
    text: str,
    *fields: str,
    via: dict[str, tuple[QuerySet[Any] | Manager[Any], tuple[str, ...]]] | None = None,
    number: str | None = None,
) -> Q:
    """Rows where any of ``fields`` contains ``text``, or whose ``via`` foreign key points at a row of
    that queryset where one of its fields does: ``via={"customer": (Customer.objects, ("name",))}``.
    ``number`` names the field holding the record's 编号: a whole number typed is matched there exactly."""
    if number is not None and WHOLE_NUMBER.fullmatch(text.strip().upper()):
        return Q(**{number: text.strip().upper()})
    q = Q()
    for field in fields:
        q |= _column_contains(field, text)
    for key, (related, related_fields) in (via or {}).items():
        matching = related.filter(contains(text, *related_fields)).order_by().values("pk")
        if connection.vendor == "postgresql":
            q |= Q(_InArray(F(f"{key}_id"), Subquery(matching)))
        else:
            q |= Q(**{f"{key}__in": matching})
    return q


# Migrations -------------------------------------------------------------------------------------

_BIGRAMS_SQL = """
CREATE OR REPLACE FUNCTION crm_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}') FROM generate_series(1, length(t) - 1) AS i $$
"""


def search_indexes(table: str, *columns: str) -> migrations.RunPython:
    """A migration step: the trigram and bigram indexes of ``table``'s searched ``columns``
    (PostgreSQL only; elsewhere it does nothing)."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(_BIGRAMS_SQL)
        for column in columns:
            expression = f'UPPER("{column}"::text)'
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" USING gin ({expression} gin_trgm_ops)'
            )
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_bigram" ON "{table}" USING gin ({BIGRAMS}({expression}))'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_bigram"')

    return migrations.RunPython(create, drop, elidable=False)
