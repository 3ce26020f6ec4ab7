from django.core.management.base import BaseCommand

from forecasting.refresh import refresh_all


class Command(BaseCommand):
    help = "Recompute deal control now (roll-ups, win probabilities, forecast, anomalies), without Celery."

    def handle(self, *args, **options):
        timings = refresh_all()
        for name, seconds in timings.items():
            self.stdout.write(f"{name:<18} {seconds * 1000:10.1f} ms")
