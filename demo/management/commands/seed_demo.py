from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from catalog.demo_data import DEMO_PASSWORD, USERS
from demo.seeding import seed_demo


class Command(BaseCommand):
    help = "Load the demo alliance (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="placeholder video rows instead of rendered clips and PDFs",
        )

    def handle(self, *args, **options):
        # The index and reference updates every save queues (hundreds) run here,
        # so the site `make run` opens has working search at once and its
        # worker's queue is free for uploads.
        immediate = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        with override_settings(TASKS={"default": immediate}):
            seed_demo(media=not options["no_media"])
        self.stdout.write("Demo data loaded. Demo logins:")
        for username, full_name, group, _school, _scopes in USERS:
            self.stdout.write(
                f"  {group:<6} {username:<16} password: {DEMO_PASSWORD}  ({full_name})"
            )
