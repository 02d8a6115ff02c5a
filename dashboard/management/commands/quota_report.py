import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from catalog.models import District
from dashboard.reports import build_report, to_csv, to_xlsx


class Command(BaseCommand):
    help = "Write the annual quota report (quotas, coverage, gap list)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["xlsx", "csv", "json"], default="json")
        parser.add_argument("--district", help="District code or name")
        parser.add_argument("--output", "-o", help="File to write (default: stdout)")

    def handle(self, *args, year, format, district=None, output=None, **options):
        district_id = None
        if district:
            obj = District.objects.filter(code=district).first() or (
                District.objects.filter(name=district).first()
            )
            if obj is None:
                raise CommandError(
                    str(_("Unknown district: %(district)s")) % {"district": district}
                )
            district_id = obj.pk
        report = build_report(year, district_id)
        if format == "xlsx":
            data = to_xlsx(report)
        elif format == "csv":
            data = to_csv(report)
        else:
            data = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode()
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
            self.stderr.write(f"written: {output}")
        elif format == "xlsx":
            raise CommandError("XLSX needs --output FILE")
        else:
            sys.stdout.buffer.write(data)
