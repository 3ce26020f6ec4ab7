"""Every existing paper form gets its FormRecord row, and every sign-off its record."""

from django.db import migrations

def _tables(apps):
    from forms_toolkit.registry import registry

    out = []
    for form_type in registry.all():
        model = apps.get_model("forms_toolkit", form_type.model.__name__)
        stage = f"{form_type.stage_field}_id" if form_type.stage_field else None
        out.append((form_type.code, model._meta.db_table, stage))
    return out


def fill(apps, schema_editor):
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for code, table, stage in _tables(apps):
            cursor.execute(
                "INSERT INTO forms_toolkit_formrecord (form_code, form_id, number, project_id, customer_id, team_id,"
                " filled_by_id, filled_on, stage_id, status, awaiting_step, manager_advice, submitted_at, decided_at)"
                " SELECT %s, id, number, project_id, customer_id, team_id, filled_by_id, filled_on,"
                f" {quote(stage) if stage else 'NULL'}, status, awaiting_step, manager_advice, submitted_at, decided_at"
                f" FROM {quote(table)}",  # noqa: S608  (table names from the migration state)
                [code],
            )
        cursor.execute(
            "UPDATE forms_toolkit_signoff SET record_id = (SELECT r.id FROM forms_toolkit_formrecord r"
            " WHERE r.form_code = forms_toolkit_signoff.form_code AND r.form_id = forms_toolkit_signoff.form_id)"
        )
        # a sign-off of a form deleted since (before the foreign key, nothing removed them)
        cursor.execute("DELETE FROM forms_toolkit_signoff WHERE record_id IS NULL")


def empty(apps, schema_editor):
    apps.get_model("forms_toolkit", "Signoff").objects.update(record=None)
    apps.get_model("forms_toolkit", "FormRecord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("forms_toolkit", "0008_form_record")]

    operations = [migrations.RunPython(fill, empty)]
