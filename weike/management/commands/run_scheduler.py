"""Queue the periodic jobs (settings.PERIODIC_TASKS) in the embedded mode."""

from django.core.management.base import BaseCommand

from weike import schedule


class Command(BaseCommand):
    help = (
        "Queue the periodic jobs for the local worker (db_worker). With a "
        "broker, run Celery beat instead (deploy/systemd/weike-scheduler.service)."
    )

    def handle(self, *args, **options):
        try:
            schedule.run()
        except KeyboardInterrupt:
            pass
