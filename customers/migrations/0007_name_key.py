from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    from customers.models import name_key

    Customer = apps.get_model("customers", "Customer")
    batch = []
    for customer in Customer.objects.only("pk", "name").iterator(chunk_size=5000):
        customer.name_key = name_key(customer.name)
        batch.append(customer)
        if len(batch) == 5000:
            Customer.objects.bulk_update(batch, ["name_key"])
            batch = []
    Customer.objects.bulk_update(batch, ["name_key"])


def trigram_index(apps, schema_editor):
    """pg_trgm and a GiST index for the nearest names (KNN: ``ORDER BY name_key <-> …``, with no
    pending list that every search inside a long import would rescan): PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS customer_name_key_trgm ON customers_customer USING gist (name_key gist_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_name_key_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="name_key",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
