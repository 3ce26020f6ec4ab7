from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup folder's, then check its row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="do not ask: everything written since is lost")

    def handle(self, *args, folder, yes, **options):
        if not yes and input(f"Replace this database and media/ with {folder}? Type yes: ").strip() != "yes":
            raise CommandError("Nothing restored.")
        differing = restore(Path(folder))
        if differing:
            raise CommandError(f"Restored, but these tables differ from the backup: {', '.join(differing)}")
        self.stdout.write(self.style.SUCCESS(f"Restored {folder}: every table's rows match the backup"))
