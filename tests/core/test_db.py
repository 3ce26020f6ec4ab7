import pytest
from django.db import connection, transaction

from core.db import session_settings
from pipeline.models import StageChange

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")


def setting(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


@postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_settings_hold_for_the_block_and_are_put_back():
    work_mem = setting("work_mem")
    with session_settings(enable_hashjoin="off", work_mem="64MB"):
        assert (setting("enable_hashjoin"), setting("work_mem")) == ("off", "64MB")
        with session_settings(work_mem="128MB"):
            assert setting("work_mem") == "128MB"
        assert setting("work_mem") == "64MB"  # the outer block's value, not the default
    assert (setting("enable_hashjoin"), setting("work_mem")) == ("on", work_mem)


@postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_settings_are_put_back_after_an_error_inside_and_outside_a_transaction():
    with pytest.raises(ZeroDivisionError), session_settings(enable_hashjoin="off"):
        raise ZeroDivisionError
    assert setting("enable_hashjoin") == "on"
    with transaction.atomic():
        with session_settings(enable_hashjoin="off"):
            assert setting("enable_hashjoin") == "off"
        assert setting("enable_hashjoin") == "on"
        with pytest.raises(ZeroDivisionError), transaction.atomic(), session_settings(enable_hashjoin="off"):
            raise ZeroDivisionError  # the savepoint's rollback takes the SET LOCAL with it
        assert setting("enable_hashjoin") == "on"


def test_the_closed_stays_index_covers_every_kind_that_starts_a_stay():
    index = next(i for i in StageChange._meta.indexes if i.name == "stagechange_closed_stays")
    kinds = dict(index.condition.children)["kind__in"]
    assert sorted(kinds) == sorted(StageChange.STAY_KINDS)
