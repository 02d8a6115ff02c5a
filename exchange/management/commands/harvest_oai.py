"""Harvest another OAI-PMH/LOM repository incrementally (docs/exchange.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from exchange.harvest import harvest
from exchange.models import HarvestSource


class Command(BaseCommand):
    help = "Harvest LOM records from a configured source, from its last datestamp."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the HarvestSource name")
        parser.add_argument(
            "--fetch-as",
            metavar="USERNAME",
            help="then fetch queued media and make drafts owned by this user",
        )

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
        if opts["fetch_as"]:
            from django.contrib.auth import get_user_model

            from exchange.harvest_media import fetch_queued

            try:
                owner = get_user_model().objects.get(username=opts["fetch_as"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"unknown user {opts['fetch_as']}") from exc
            with translation.override(settings.LANGUAGE_CODE):
                for line in fetch_queued(source, owner):
                    self.stdout.write(line)
