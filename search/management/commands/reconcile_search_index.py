"""Find catalog entries missing from or stale in a search index and fix them."""

from django.core.management.base import BaseCommand

from search.services import reconcile


class Command(BaseCommand):
    help = "Re-index catalog entries that are missing or stale in the search index."

    def add_arguments(self, parser):
        parser.add_argument("--backend", default="default", dest="backend_name")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report only, change nothing."
        )

    def handle(self, backend_name, dry_run, **options):
        report = reconcile(backend_name, fix=not dry_run)
        verb = "found" if dry_run else "fixed"
        self.stdout.write(
            f"{backend_name}: checked {report.checked}, {verb} "
            f"{len(report.pending)} pending, {len(report.missing)} missing, "
            f"{len(report.stale)} stale, "
            f"{len(report.orphans)} orphaned"
        )
