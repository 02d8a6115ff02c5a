from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from weike.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the site into a new folder: the database (pg_dump) and every "
        "stored file; search indexes are rebuilt on restore (docs/deploy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a new or empty folder")

    def handle(self, *args, folder, **options):
        try:
            manifest = backup(Path(folder))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backed up the database and %(count)d files into %(folder)s.")
            % {"count": len(manifest["files"]), "folder": folder}
        )
