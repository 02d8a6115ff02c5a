"""Expire abandoned uploads and abort their (and orphaned) S3 multipart uploads."""

from django.core.management.base import BaseCommand

from ingest.uploads import cleanup_stale


class Command(BaseCommand):
    help = "Remove uploads idle for longer than UPLOAD_EXPIRE_HOURS."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None)

    def handle(self, *args, **opts):
        result = cleanup_stale(opts["hours"])
        self.stdout.write(
            f"expired {result['expired']} uploads, aborted "
            f"{result['orphaned_multipart']} orphaned multipart uploads"
        )
