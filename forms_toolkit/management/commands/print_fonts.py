"""Cut printed forms' CJK faces now (the image build does), rather than on the first PDF a server prints."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from forms_toolkit import print_fonts


class Command(BaseCommand):
    help = "Cut Noto Sans CJK SC down to the characters forms are written in, into PRINT_FONT_DIR."

    def handle(self, *args, **options):
        faces = print_fonts.faces()
        if not faces:
            raise CommandError(f"Forms will print in the full {print_fonts.SOURCE_FAMILY}: see the warning above.")
        if options["verbosity"] >= 1:
            for weight, uri in faces:
                self.stdout.write(f"{weight}: {uri}")
            self.stdout.write(f"in {settings.PRINT_FONT_DIR}")
