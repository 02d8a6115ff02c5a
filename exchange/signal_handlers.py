"""Keep `ExposedEntry` (datestamps and tombstones) in step with the catalog.

Subscribes to the catalog's one `entry_changed` signal, sent after commit for
publish, unpublish, move, delete, pick, revoke and renames: an entry that is
published and public gets a fresh datestamp; one that was exposed before and
is not any more becomes a tombstone. Drafts that were never exposed leave no
trace, so a harvester never learns their ids.
"""

from django.utils import timezone

from catalog.signals import entry_changed

from .models import ExposedEntry
from .selectors import exposed_entries, set_spec_for


def record_changes(sender, page_ids, reason, **kwargs):
    now = timezone.now()
    live = {
        page.pk: page
        for page in exposed_entries()
        .filter(pk__in=page_ids)
        .select_related("stage", "subject")
    }
    known = {
        row.page_id: row for row in ExposedEntry.objects.filter(page_id__in=page_ids)
    }
    for page_id in page_ids:
        page = live.get(page_id)
        row = known.get(page_id)
        if page is not None:
            spec = set_spec_for(page.stage.code, page.subject.code)
            ExposedEntry.objects.update_or_create(
                page_id=page_id,
                defaults={"datestamp": now, "withdrawn": False, "set_spec": spec},
            )
        elif row is not None and not row.withdrawn:
            row.withdrawn = True
            row.datestamp = now
            row.save(update_fields=["withdrawn", "datestamp"])


def register_signal_handlers():
    entry_changed.connect(record_changes, dispatch_uid="exchange_entry_changed")
