"""One "entry changed" path for everything that mirrors catalog entries.

`entry_changed(sender, page_ids, reason)` is sent once per change, after the
change is committed, by the catalog's services (and by catalog/signal_handlers.py
where Wagtail's own signals are the only hook: publish, unpublish, move,
delete). Search indexes, the quota index and the site's page cache subscribe
to it; each re-reads the entries, so receiving it twice does no harm.

Reasons: "publish", "unpublish", "move", "delete", "pick", "revoke",
"knowledge_point", "taxonomy".
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

entry_changed = Signal()


def announce(page_ids, reason: str, sender=None, using=None) -> None:
    """Send `entry_changed` for `page_ids` once the current transaction
    commits (at once outside one). Nothing is sent for no ids."""
    ids = sorted({int(pk) for pk in page_ids})
    if not ids:
        return
    transaction.on_commit(
        lambda: entry_changed.send(sender=sender, page_ids=ids, reason=reason),
        using=using,
    )
