from django.core.management.base import BaseCommand

from forecasting.refresh import refresh_all


class Command(BaseCommand):
    help = "Recompute deal control now (roll-ups, win probabilities, forecast, anomalies), without Celery."

    def add_arguments(self, parser):
        parser.add_argument(
            "--recent", action="store_true", help="the scheduled run: recent months only, today's model reused"
        )

    def handle(self, *args, recent, **options):
        timings = refresh_all(full=not recent)
        for name, seconds in timings.items():
            self.stdout.write(f"{name:<18} {seconds * 1000:10.1f} ms")
