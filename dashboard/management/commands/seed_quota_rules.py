from django.core.management.base import BaseCommand

from dashboard.demo import DEFAULT_YEARS, seed_quota_rules


class Command(BaseCommand):
    help = "Load the seed bureau's annual quota table for the given years."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, nargs="+", default=list(DEFAULT_YEARS))

    def handle(self, *args, years, **options):
        n = seed_quota_rules(years=years)
        self.stdout.write(f"{n} quota rule(s) created for {', '.join(map(str, years))}")
