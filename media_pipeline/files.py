"""Files follow their rows: which stored names a row claims, and the removal
of those no row claims any more.

A video owns its original (`originals/…`) and everything under its folder
`renditions/<id>/`: the MP4 rungs, the HLS playlists and segments, posters,
thumbnails and the storyboard. Segments have no rows of their own; a segment
`hls/<profile>_00003.m4s` belongs to the rendition row of that profile.

Deletion always waits for the commit (a rolled-back delete keeps its files)
and then runs as a task, so a request never waits on S3.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django_tasks import task

from . import storage
from .models import Video, VideoCaption, VideoRendition, VideoStatus

logger = logging.getLogger(__name__)

# The folders the pipeline writes to. Wagtail's images and documents share the
# storage and have rows of their own; reconcile_storage checks those too.
PIPELINE_PREFIXES = ("originals/", "renditions/")
WAGTAIL_PREFIXES = ("original_images/", "images/", "documents/")

# A job in these states is still writing its folder: all of it is claimed.
BUSY = (VideoStatus.PROBING, VideoStatus.TRANSCODING)

_RENDITION_PATH = re.compile(r"^renditions/(\d+)/(.+)$")


def file_fields(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.FileField)]


def row_names(row) -> list[str]:
    """The stored names a row's file fields point at."""
    names = (getattr(row, name).name for name in file_fields(type(row)))
    return [name for name in names if name]


def renditions_prefix(video_id: int) -> str:
    return f"renditions/{video_id}/"


@dataclass
class Claims:
    """What rows claim: exact names, (video, profile) pairs for HLS segments,
    and videos whose job is running (their whole folder)."""

    names: set[str] = field(default_factory=set)
    profiles: set[tuple[int, str]] = field(default_factory=set)
    busy: set[int] = field(default_factory=set)

    def __contains__(self, name: str) -> bool:
        if name in self.names:
            return True
        match = _RENDITION_PATH.match(name)
        if not match:
            return False
        video_id, rest = int(match[1]), match[2]
        if video_id in self.busy:
            return True
        if rest.startswith("hls/"):
            profile = re.split(r"[_.]", rest[len("hls/") :], maxsplit=1)[0]
            return (video_id, profile) in self.profiles
        return False

    def add_rows(self, queryset) -> None:
        fields = file_fields(queryset.model)
        for values in queryset.values_list(*fields):
            self.names.update(name for name in values if name)


def pipeline_claims(videos=None, renditions=None) -> Claims:
    """Claims of videos and renditions (all of them unless narrowed)."""
    videos = Video.objects.all() if videos is None else videos
    renditions = VideoRendition.objects.all() if renditions is None else renditions
    claims = Claims()
    claims.add_rows(videos)
    claims.add_rows(renditions)
    claims.add_rows(VideoCaption.objects.filter(video__in=videos))
    claims.profiles = set(renditions.values_list("video_id", "profile"))
    claims.busy = set(videos.filter(status__in=BUSY).values_list("pk", flat=True))
    return claims


def _claims_for(names: list[str]) -> Claims:
    """Only the rows that could claim these names (one query per model)."""
    # A name inside renditions/<id>/ can only be claimed by rows of that
    # video, so only the others (originals) are looked up by name.
    matches = [(name, _RENDITION_PATH.match(name)) for name in names]
    ids = {int(m[1]) for _name, m in matches if m}
    others = [name for name, m in matches if not m]
    by_name = models.Q(pk__in=ids)
    for name in file_fields(Video):
        by_name |= models.Q(**{f"{name}__in": others})
    rendition_by_name = models.Q(file__in=others) | models.Q(hls_playlist__in=others)
    return pipeline_claims(
        Video.objects.filter(by_name),
        VideoRendition.objects.filter(rendition_by_name | models.Q(video_id__in=ids)),
    )


def delete_unclaimed(names: list[str], prefixes: list[str]) -> int:
    """Delete `names` and everything under `prefixes` that no row claims.

    Checked at the time of deletion, not when it was asked for: a name
    another video still uses (the same original) is kept.
    """
    candidates = list(
        dict.fromkeys([*names, *(n for p in prefixes for n in storage.walk(p))])
    )
    claims = _claims_for(candidates)
    return storage.delete_many(name for name in candidates if name not in claims)


@task()
def delete_files_task(names: list[str], prefixes: list[str]) -> int:
    """Stored files of deleted rows, removed after commit (thin; listed in
    tasks.py, defined here so queuing it needs no import of that module)."""
    return delete_unclaimed(names, prefixes)


def delete_after_commit(names: list[str], prefixes: list[str] = ()) -> None:
    """Queue the deletion once the transaction commits (never on rollback)."""
    names, prefixes = list(names), list(prefixes)
    if names or prefixes:
        transaction.on_commit(lambda: delete_files_task.enqueue(names, prefixes))


def discard_video_files(video: Video) -> None:
    """Drop every file of a video whose row stays (a rejected upload): the
    row keeps the reason for the teacher, the storage keeps nothing."""
    names = row_names(video)
    blank = {name: "" for name in file_fields(Video)}
    Video.objects.filter(pk=video.pk).update(**blank)
    for key, value in blank.items():
        setattr(video, key, value)
    video.renditions.all().delete()
    video.captions.all().delete()
    delete_after_commit(names, [renditions_prefix(video.pk)])


def drop_stale_outputs(video: Video, keep: set[str]) -> int:
    """Before a job writes its outputs: delete what an earlier run left in
    the video's folder that this run will not write again (a rung no longer
    on the ladder, surplus segments). Names about to be rewritten are left
    for storage.upload to replace, so nothing written is ever deleted."""
    # The author's uploaded caption track is no output of the job: kept.
    keep = keep | set(
        video.captions.filter(position=VideoCaption.AUTHOR_POSITION).values_list(
            "file", flat=True
        )
    )
    stale = [n for n in storage.walk(renditions_prefix(video.pk)) if n not in keep]
    return storage.delete_many(stale)


def all_claims() -> Claims:
    """Every stored name a row claims: the pipeline's and Wagtail's images,
    image renditions and documents (same storage, rows of their own)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    claims = pipeline_claims()
    image_model = get_image_model()
    for model in (image_model, image_model.get_rendition_model(), get_document_model()):
        claims.add_rows(model.objects.all())
    return claims


def find_orphans(prefixes, min_age_seconds: float = 0) -> dict[str, list[str]]:
    """Stored names under each prefix that no row claims, older than min_age.

    Listed before the rows are read, so a file stored together with its row
    just now is not taken for an orphan; min_age also spares files whose row
    is not committed yet (an upload finishing, a job writing).
    """
    listed = {prefix: list(storage.walk(prefix)) for prefix in prefixes}
    claims = all_claims()
    now = timezone.now()
    orphans = {}
    for prefix, names in listed.items():
        unclaimed = [name for name in names if name not in claims]
        orphans[prefix] = [
            name for name in unclaimed if _age_seconds(name, now) >= min_age_seconds
        ]
    return orphans


def _age_seconds(name: str, now) -> float:
    if not name:
        return 0
    modified = storage.with_retries(default_storage.get_modified_time, name)
    return (now - modified).total_seconds()


def reconcile_orphans(min_age_seconds: float, delete: bool) -> dict[str, int]:
    """The scheduled storage reconcile: find (and with `delete` remove) stored
    files no row claims, older than `min_age_seconds`."""
    prefixes = (*PIPELINE_PREFIXES, *WAGTAIL_PREFIXES)
    found = find_orphans(prefixes, min_age_seconds)
    names = [name for names in found.values() for name in names]
    deleted = storage.delete_many(names) if delete else 0
    if names:
        logger.warning("storage: %d orphaned files, %d deleted", len(names), deleted)
    return {"orphans": len(names), "deleted": deleted}
