from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _


class Command(BaseCommand):
    help = "Rebuild the dashboard's quota index in the search engine from the database."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Engine URL (default: the configured one)")
        parser.add_argument("--index", help="Index name (default: the configured one)")

    def handle(self, *args, url=None, index=None, **options):
        from dashboard.engine import QuotaIndex

        url = url or settings.DASHBOARD_QUOTA_ENGINE_URL
        if not url:
            raise CommandError(
                str(_("No search engine is configured (WEIKE_SEARCH_URL)."))
            )
        n = QuotaIndex(url, index).sync_all()
        self.stdout.write(f"{n} live entries indexed")
