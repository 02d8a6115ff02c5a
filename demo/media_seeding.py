"""Real videos and documents for the demo lessons (docs/demo.md).

Each demo micro-lesson gets its own narrated slide clip (demo/media.py),
handed to the media pipeline exactly like an upload: the same find-or-create,
the same probe, rules and transcode. The seed runs the job itself rather than
queueing it, so the site `make run` opens already plays. Lessons and resources
get PDF documents (学案 / 教案 / 练习) as attachments.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from catalog.models import ResourceAttachment, ResourceType
from media_pipeline import services
from media_pipeline.models import Video, VideoStatus

from . import media

DOCUMENT_KIND = {
    ResourceType.MICRO_LESSON: "学案",
    ResourceType.LESSON_PLAN: "教案",
    ResourceType.STUDY_GUIDE: "学案",
    ResourceType.EXERCISES: "练习",
    ResourceType.COURSEWARE: "课件讲义",
    ResourceType.GAME_EXAMPLE: "游戏说明",
}


def real_video(*, title, points, summary, subject, owner) -> Video:
    """A ready video made by the pipeline from the lesson's rendered clip."""
    clip = media.render_clip(title, points, summary, subject)
    data = clip.read_bytes()
    with clip.open("rb") as fh:
        video, _created = services.find_or_create_video(
            sha256=hashlib.sha256(data).hexdigest(),
            title=title,
            fileobj=fh,
            original_filename=f"{title}.mp4",
            size=len(data),
            user=owner,
            extension="mp4",
            enqueue=False,
        )
    if video.status != VideoStatus.READY:
        services.process_video(video.pk)
        video.refresh_from_db()
    if video.status != VideoStatus.READY:
        raise RuntimeError(f"demo clip {title!r}: {video.status} {video.reason}")
    return video


def shared_video(owner) -> Video:
    """The one clip the lessons that are not quality picks share (the same
    bytes: the pipeline's find-or-create returns the first one's video)."""
    return real_video(
        title="微课联盟演示微课",
        points=["本视频为演示数据"],
        summary="上传自己的微课后，这里播放您的视频。",
        subject="演示",
        owner=owner,
    )


def has_real_video(page) -> bool:
    video = page.video if page.video_id else None
    return bool(video and video.status == VideoStatus.READY and video.hls_master)


def document_lines(page, points) -> list[str]:
    return [
        f"学段学科：{page.stage.name if page.stage_id else ''}"
        f"{page.subject.name if page.subject_id else ''}",
        f"年级：{page.grade.name if page.grade_id else '—'}",
        "一、学习目标",
        *(f"理解并掌握：{p}" for p in points),
        "二、内容提要",
        page.summary or page.title,
        "三、课堂练习",
        "1. 结合本节微课，写出本节的主要结论。",
        "2. 举一个生活中的例子说明本节知识的应用。",
        "四、反思",
        "本节课我学会了：______________________",
    ]


def attach_document(page, owner, points) -> None:
    """A PDF attachment named for the entry's kind (学案, 教案 …), added to the
    page's cluster so the next revision (and the live page) carries it."""
    kind = DOCUMENT_KIND.get(page.resource_type, "学案")
    title = f"{page.title} {kind}"
    pdf = media.pdf_bytes(title, document_lines(page, points))
    document = get_document_model()(title=title, uploaded_by_user=owner)
    document.file.save(f"demo-{page.pk}.pdf", ContentFile(pdf), save=False)
    document.save()
    page.attachments.add(ResourceAttachment(document=document, title=kind))
