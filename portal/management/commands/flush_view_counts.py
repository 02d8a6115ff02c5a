from django.core.management.base import BaseCommand

from portal.viewcounts import flush_view_counts


class Command(BaseCommand):
    help = "Add the view counts accumulated in the cache to the database."

    def handle(self, *args, **options):
        flushed = flush_view_counts()
        self.stdout.write(f"flushed {flushed} views")
