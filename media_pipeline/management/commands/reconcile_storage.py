"""List (and with --delete remove) stored files that no row claims."""

from django.core.management.base import BaseCommand

from media_pipeline import files, storage


class Command(BaseCommand):
    help = (
        "List stored files under the pipeline's and Wagtail's folders that no "
        "row claims; --delete removes them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="Delete the orphans found."
        )
        parser.add_argument(
            "--min-age",
            type=float,
            default=3600,
            help="Only files older than this many seconds (default 3600): "
            "spares uploads and jobs still writing.",
        )

    def handle(self, *args, **opts):
        prefixes = (*files.PIPELINE_PREFIXES, *files.WAGTAIL_PREFIXES)
        found = files.find_orphans(prefixes, opts["min_age"])
        total = 0
        for prefix, names in found.items():
            for name in names:
                self.stdout.write(f"orphan {name}")
            self.stdout.write(f"{prefix}: {len(names)} orphans")
            total += len(names)
        self.stdout.write(f"orphans: {total}")
        if opts["delete"]:
            deleted = storage.delete_many(n for names in found.values() for n in names)
            self.stdout.write(f"deleted: {deleted}")
