"""Import a library: a folder, a zip or an S3 prefix of videos and documents
with a metadata sheet (XLSX/CSV). See docs/bulk-import.md."""

import csv
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ingest.library_files import open_source
from ingest.library_import import Outcome, run_import
from ingest.library_sheet import SheetError, read_sheet, report_cell

BAR = 30


class Command(BaseCommand):
    help = "Import a library of videos and documents described by a sheet."

    def add_arguments(self, parser):
        parser.add_argument("source", help="folder, .zip or s3://bucket/prefix")
        parser.add_argument("--sheet", required=True, help=".xlsx or .csv")
        parser.add_argument("--owner", required=True, help="username of the importer")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--report", help="write the row-by-row report as CSV")

    def handle(self, *args, **opts):
        with translation.override(settings.LANGUAGE_CODE):
            return self._handle(opts)

    def _handle(self, opts):
        try:
            owner = get_user_model().objects.get(username=opts["owner"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(
                _("Unknown user %(name)s.") % {"name": opts["owner"]}
            ) from exc
        sheet = Path(opts["sheet"])
        try:
            rows = read_sheet(sheet.name, sheet.read_bytes())
        except (OSError, SheetError, ValueError, KeyError) as exc:
            raise CommandError(
                _("The sheet cannot be read (XLSX or CSV with a 标题 column).")
            ) from exc
        try:
            source = open_source(opts["source"])
        except (OSError, ValueError) as exc:
            raise CommandError(
                _("The library must be a folder, a zip file or s3://bucket/prefix.")
            ) from exc
        try:
            for name in source.refused:
                self.stdout.write(
                    _("File left out (unsafe name or link): %(name)s")
                    % {"name": report_cell(ascii(name))}
                )
            plans = run_import(
                rows,
                source,
                owner,
                dry_run=opts["dry_run"],
                location=opts["source"],
                sheet=sheet.name,
                progress=self._progress,
            )
        finally:
            source.close()
        self.stderr.write("")
        for plan in plans:
            self.stdout.write(plan.line())
        counts = {o: sum(p.outcome == o for p in plans) for o in vars(Outcome).values()}
        self.stdout.write(
            _(
                "%(rows)s rows: %(new)s to create, %(created)s created, %(done)s "
                "already imported, %(dup)s duplicates, %(err)s errors"
            )
            % {
                "rows": len(plans),
                "new": counts.get(Outcome.CREATE, 0),
                "created": counts.get(Outcome.CREATED, 0),
                "done": counts.get(Outcome.DONE, 0),
                "dup": counts.get(Outcome.DUPLICATE, 0),
                "err": counts.get(Outcome.ERROR, 0),
            }
        )
        if opts["report"]:
            with open(opts["report"], "w", newline="", encoding="utf-8-sig") as fh:
                writer = csv.writer(fh)
                writer.writerow([_("row"), _("title"), _("outcome"), _("messages")])
                for plan in plans:
                    writer.writerow(
                        [
                            plan.row.number,
                            report_cell(plan.row.values.get("title", "")),
                            plan.outcome,
                            report_cell("；".join(plan.messages)),
                        ]
                    )

    def _progress(self, done: int, total: int):
        filled = BAR * done // max(total, 1)
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}", ending=""
        )
        self.stderr.flush()
