"""Stage changes written before the customer's stage was kept on each: take it from the observations.

The win model reads each stay's customer stage as it stood then (``forecasting.timeline``); where a
change has none, the latest observation recorded by its time is what the rep had seen.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    StageChange = apps.get_model("pipeline", "StageChange")
    Observation = apps.get_model("pipeline", "CustomerStageObservation")
    seen = Observation.objects.filter(project=OuterRef("project"), recorded_at__lte=OuterRef("at")).order_by(
        "-recorded_at", "-pk"
    )
    StageChange.objects.filter(customer_stage__isnull=True).update(customer_stage=Subquery(seen.values("stage")[:1]))


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0017_win_reasons")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
