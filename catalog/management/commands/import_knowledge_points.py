from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from catalog.knowledge_import import ImportRefused, import_knowledge_points


class Command(BaseCommand):
    help = "Import knowledge points (CSV, XLSX, JSON), upserting by code."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and report without writing",
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(str(_("File not found: %(file)s")) % {"file": file})
        try:
            result = import_knowledge_points(
                file.name, file.read_bytes(), dry_run=dry_run
            )
        except ImportRefused as refused:
            for error in refused.result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                str(_("File refused: %(count)s errors, nothing written."))
                % {"count": len(refused.result.errors)}
            ) from None
        summary = str(
            _(
                "Created %(created)s, updated %(updated)s, unchanged %(unchanged)s, "
                "textbook placements created %(placements)s."
            )
        ) % {
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "placements": result.placements_created,
        }
        prefix = str(_("[dry run] ")) if dry_run else ""
        self.stdout.write(prefix + summary)
