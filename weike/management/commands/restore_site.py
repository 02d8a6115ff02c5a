from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from weike.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup_site folder into an empty site (new database, empty "
        "bucket), then rebuild the search and quota indexes (docs/deploy.md)."
    )
    # The checks would read tables that do not exist yet.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a folder written by backup_site")

    def handle(self, *args, folder, **options):
        try:
            done = restore(Path(folder))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored the database and %(count)d files; search indexes rebuilt.")
            % {"count": done["files"]}
        )
