from django.db import migrations

# The catalog as it stood when this migration was written; later changes are
# the admins' (in the database) or a new migration's.
from pipeline.catalog import STAGES


def seed(apps, schema_editor):
    StageDefinition = apps.get_model("pipeline", "StageDefinition")
    StageCondition = apps.get_model("pipeline", "StageCondition")
    # Only the columns the table had then: later migrations fill the ones added since.
    columns = {f.name for f in StageDefinition._meta.concrete_fields}
    for spec in STAGES:
        fields = {k: v for k, v in spec.items() if k in columns and k != "number"}
        stage, _ = StageDefinition.objects.update_or_create(number=spec["number"], defaults=fields)
        if stage.conditions.exists():
            continue
        for order, (kind, text, text_en) in enumerate(spec["conditions"], start=1):
            StageCondition.objects.create(stage=stage, order=order, kind=kind, text=text, text_en=text_en)


def unseed(apps, schema_editor):
    apps.get_model("pipeline", "StageDefinition").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
