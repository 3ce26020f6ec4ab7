from pathlib import Path

from django.core.management.base import BaseCommand

from core.backup import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder under BACKUP_DIR (default: backups/)."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="backups", help="the folder that receives the backup's own folder")

    def handle(self, *args, **options):
        folder = backup(Path(options["to"]))
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
