"""Signal handlers, only for cleanup (as Wagtail does for images): the files
of a deleted video go after the transaction commits, never on rollback."""

from django.db.models.signals import post_delete

from . import files
from .models import Video


def delete_video_files(sender, instance, **kwargs):
    files.delete_after_commit(
        files.row_names(instance), [files.renditions_prefix(instance.pk)]
    )


def register_signal_handlers():
    post_delete.connect(
        delete_video_files, sender=Video, dispatch_uid="media_pipeline_video_files"
    )
