"""`make run`'s migrate: a new embedded database starts from the cached schema
(weike/schema_cache.py), then `migrate` applies whatever is left."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from weike import schema_cache


class Command(BaseCommand):
    help = (
        "Migrate the database. A new embedded SQLite database starts as a copy "
        "of the last migrated schema with the same migrations (development)."
    )

    # Nothing may open the database before a new one is filled.
    requires_system_checks = []

    def handle(self, *args, **options):
        folder = getattr(settings, "WEIKE_SCHEMA_CACHE_DIR", "")
        target = schema_cache.database_file()
        new = bool(folder and target and schema_cache.is_new(target))
        restored = new and schema_cache.restore(Path(folder), target)
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        if new and not restored:
            schema_cache.store(Path(folder), target)
        if restored and options["verbosity"]:
            self.stdout.write("The migrated schema came from the cache.")
