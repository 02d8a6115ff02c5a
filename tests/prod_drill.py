"""Run inside the production stack by `manage.py shell -c` (tests/test_prod_stack.py):
fill a site for the backup drill, and take its census."""

from __future__ import annotations

import hashlib
import json
import tempfile


def populate() -> None:
    """Three live lessons of another teacher, each with a stored original and
    a PDF attachment, one of them a 精品; then the indexes, as after an import."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from wagtail.documents.models import Document

    from alliance.services import designate_quality_pick
    from catalog.models import ResourceAttachment
    from dashboard.engine import QuotaIndex
    from media_pipeline.models import Video, VideoStatus
    from search.services import rebuild_index
    from tests.factories import LessonPageFactory

    users = get_user_model().objects
    teacher = users.get(username="teacher_zhang")
    editor = users.get(username="editor_math")
    for n in range(3):
        video = Video(title=f"drill {n}", status=VideoStatus.READY, uploaded_by=teacher)
        video.file.save(f"drill-{n}.mp4", ContentFile(bytes([n + 1]) * 40000), False)
        video.save()
        page = LessonPageFactory(
            title=f"备份演练第{n + 1}课 一次函数",
            author=teacher,
            owner=teacher,
            video=video,
        )
        page.first_published_at = page.last_published_at = timezone.now()
        page.save(update_fields=["first_published_at", "last_published_at"])
        document = Document(title=f"drill {n}")
        document.file.save(f"drill-{n}.pdf", ContentFile(b"%PDF-1.4 drill" * (n + 9)))
        ResourceAttachment.objects.create(
            page=page, document=document, kind="lesson_plan"
        )
        if n == 0:
            designate_quality_pick(page, editor, reason="drill")
    rebuild_index("default")
    QuotaIndex(settings.DASHBOARD_QUOTA_ENGINE_URL).sync_all()


def _digest(name: str) -> str:
    from django.core.files.storage import default_storage

    with default_storage.open(name, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def census() -> None:
    """Print, as JSON, what a bureau would miss after a restore: lessons and
    their files, attachments, picks, every stored file's hash, files a row
    names but storage lacks, the year's quota counts (from the engine's quota
    index) and whether search finds each live lesson."""
    from django.core.management import call_command
    from django.utils import timezone
    from modelsearch.backends import get_search_backend
    from wagtail.documents.models import Document

    from catalog.models import LessonPage, QualityPick
    from media_pipeline.models import Video, VideoRendition
    from media_pipeline.storage import walk

    files = {name: _digest(name) for name in walk("")}
    claimed = [v.file.name for v in Video.objects.all()]
    claimed += [d.file.name for d in Document.objects.all()]
    for rendition in VideoRendition.objects.all():
        claimed += [rendition.file.name, rendition.hls_playlist.name]
    lessons = {
        page.pk: [
            page.title,
            page.live,
            page.first_published_at.isoformat(),
            page.video_id,
            sorted(a.document.file.name for a in page.attachments.all()),
        ]
        for page in LessonPage.objects.order_by("pk")
    }
    engine = get_search_backend()
    live = LessonPage.objects.live()
    found = {
        page.pk: page.pk in [hit.pk for hit in engine.search(page.title, live)]
        for page in live
    }
    with tempfile.TemporaryDirectory() as folder:
        report = f"{folder}/quotas.json"
        year = str(timezone.localdate().year)
        call_command("quota_report", "--year", year, "--output", report)
        with open(report, encoding="utf-8") as fh:
            quotas = json.load(fh)
    picks = [
        [p.page_id, p.picked_by_id, p.picked_at.isoformat()]
        for p in QualityPick.objects.order_by("page_id")
    ]
    summary = {
        "lessons": lessons,
        "files": files,
        "missing": sorted(set(filter(None, claimed)) - set(files)),
        "picks": picks,
        "quotas": [[r["label"], r["count"]] for r in quotas["rules"]],
        "quota_source": quotas["source"],
        "found": found,
    }
    print(json.dumps(summary, sort_keys=True))  # noqa: T201
