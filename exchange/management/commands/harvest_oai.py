"""Harvest another OAI-PMH/LOM repository incrementally (docs/exchange.md)."""

from django.core.management.base import BaseCommand, CommandError

from exchange.harvest import harvest
from exchange.models import HarvestSource


class Command(BaseCommand):
    help = "Harvest LOM records from a configured source, from its last datestamp."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the HarvestSource name")

    def handle(self, *args, **opts):
        try:
            source = HarvestSource.objects.get(name=opts["source"])
        except HarvestSource.DoesNotExist as exc:
            raise CommandError(f"unknown harvest source {opts['source']}") from exc
        counts = harvest(source)
        self.stdout.write(
            " ".join(f"{key} {value}" for key, value in counts.items())
            + f" until {source.last_harvested}"
        )
