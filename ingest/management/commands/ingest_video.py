"""Ingest a video file from the command line as a draft micro-lesson.

Runs the same path as a web upload: hash, duplicate check, store the original,
queue the pipeline job; the lesson is a draft LessonPage under its SubjectPage.
"""

import hashlib
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from catalog import lifecycle
from catalog.models import KnowledgePoint, SubjectPage
from media_pipeline import services
from media_pipeline.media_types import container_extension
from media_pipeline.models import VideoStatus
from media_pipeline.probe import probe, validate
from media_pipeline.rules import Rejected

TERMINAL = {VideoStatus.READY, VideoStatus.REJECTED, VideoStatus.FAILED}


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Ingest a video file as a draft micro-lesson (LessonPage)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--title", required=True)
        parser.add_argument("--stage", required=True, help="stage code or name")
        parser.add_argument("--subject", required=True, help="subject code or name")
        parser.add_argument(
            "--knowledge-point", action="append", default=[], dest="knowledge_points"
        )
        parser.add_argument("--owner", required=True, help="username")
        parser.add_argument("--academic-year", type=int, default=None)
        parser.add_argument("--wait", action="store_true")
        parser.add_argument("--timeout", type=float, default=3600)

    def handle(self, *args, **opts):
        path = opts["path"]
        try:
            owner = get_user_model().objects.get(username=opts["owner"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"unknown user {opts['owner']}") from exc
        parent = SubjectPage.objects.filter(
            Q(stage__code=opts["stage"]) | Q(stage__name=opts["stage"]),
            Q(subject__code=opts["subject"]) | Q(subject__name=opts["subject"]),
        ).first()
        if parent is None:
            raise CommandError(
                f"no subject page for stage {opts['stage']} / {opts['subject']}"
            )
        kps = list(
            KnowledgePoint.objects.filter(
                code__in=opts["knowledge_points"], subject=parent.subject
            )
        )
        missing = set(opts["knowledge_points"]) - {kp.code for kp in kps}
        if missing:
            names = ", ".join(sorted(missing))
            raise CommandError(f"unknown knowledge points: {names}")

        # Refuse a bad file before anything is stored (the job checks again).
        try:
            probed = probe(path)
            validate(probed)
        except Rejected as exc:
            raise CommandError(f"rejected [{exc.code}] {exc}") from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc

        digest = sha256_of(path)
        with transaction.atomic():
            with open(path, "rb") as fh:
                video, created = services.find_or_create_video(
                    sha256=digest,
                    title=opts["title"],
                    fileobj=fh,
                    original_filename=str(path).rsplit("/", 1)[-1],
                    user=owner,
                    extension=container_extension(probed.format_name),
                )
            if not created:
                self.stderr.write(f"same bytes as video {video.pk}; reusing it")
            page = lifecycle.create_draft_lesson(
                parent=parent,
                title=opts["title"],
                owner=owner,
                video=video,
                knowledge_points=kps,
                academic_year=opts["academic_year"],
            )
        self.stdout.write(f"lesson {page.pk}")
        self.stdout.write(f"video {video.pk}")
        if not opts["wait"]:
            return
        deadline = time.monotonic() + opts["timeout"]
        video.refresh_from_db()
        while video.status not in TERMINAL and time.monotonic() < deadline:
            time.sleep(1)
            video.refresh_from_db()
        self.stdout.write(f"status {video.status}")
        if video.status == VideoStatus.REJECTED:
            raise CommandError(f"rejected [{video.reason}] {video.reason_message}")
        if video.status != VideoStatus.READY:
            raise CommandError(
                f"{video.status} [{video.reason}] {video.reason_message}"
            )
