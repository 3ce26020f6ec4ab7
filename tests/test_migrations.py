import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def test_it_has_a_migration_for_every_model_change(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_migrates_down_and_up_again_on_this_database():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    targets = [(app, None) for app in ("contacts", "customers")]
    executor.migrate(targets)
    executor.loader.build_graph()
    executor.migrate(leaves)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert {"customers_customer", "contacts_contact", "contacts_decisionmakerprofile"} <= set(tables)
