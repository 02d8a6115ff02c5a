"""`manage.py update_index [--backend NAME] [--chunk_size N]`: rebuild the
search indexes with search.services.rebuild_index. It replaces modelsearch's
command of the same name (this app comes first in INSTALLED_APPS), whose
alias swap is not atomic: for a moment searches read the old and the new
index together and find every lesson twice."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from search.services import RebuildFailed, rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search indexes (atomic alias swap on the engines)."

    def add_arguments(self, parser):
        parser.add_argument("--backend", dest="backend_name")
        parser.add_argument("--chunk_size", dest="chunk_size", type=int, default=500)

    def handle(self, *args, backend_name=None, chunk_size=500, **options):
        names = list(settings.WAGTAILSEARCH_BACKENDS)
        if backend_name and backend_name not in names:
            raise CommandError(
                _("No search backend is named %(name)s.") % {"name": backend_name}
            )
        for name in [backend_name] if backend_name else names:
            try:
                rebuild_index(name, chunk_size=chunk_size)
            except RebuildFailed as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(_("Search index %(name)s rebuilt.") % {"name": name})
