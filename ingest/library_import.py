"""Bulk import of a library: plan every row (what would be created, what is a
duplicate, what is wrong), then create the planned rows through the same
services as a single upload (media_pipeline.services.find_or_create_video,
catalog.lifecycle.create_draft_lesson / create_draft_resource).

A run is resumable and idempotent: each row done is written to the manifest
(`ImportedRow`, keyed by row number and content hash) in the same transaction
as its lesson, so a crash loses at most the row in progress and a second run
skips what the first did.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from catalog import lifecycle
from catalog.models import (
    Grade,
    KnowledgePoint,
    ResourceType,
    School,
    SubjectPage,
    TextbookEdition,
)
from media_pipeline import services
from media_pipeline.media_types import container_extension
from media_pipeline.probe import probe, validate
from media_pipeline.rules import Rejected

from .library_files import LibrarySource
from .library_sheet import SheetRow, report_cell
from .models import ImportedRow, ImportStatus, LibraryImport
from .naming import clean_text, display_name

LIST_SEP = re.compile(r"[;；,，、\n]+")


class Outcome:
    CREATE = "create"
    CREATED = "created"
    DONE = "done"  # in the manifest already
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass
class RowPlan:
    row: SheetRow
    outcome: str = Outcome.CREATE
    messages: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    video: str = ""  # clean file name in the source
    video_sha: str = ""
    extension: str = ""
    attachments: list[str] = field(default_factory=list)
    content_hash: str = ""

    def fail(self, message: str):
        self.outcome = Outcome.ERROR
        self.messages.append(message)

    def line(self) -> str:
        labels = {
            Outcome.CREATE: _("will be created"),
            Outcome.CREATED: _("created"),
            Outcome.DONE: _("already imported"),
            Outcome.DUPLICATE: _("duplicate"),
            Outcome.ERROR: _("error"),
        }
        title = report_cell(self.row.values.get("title", ""))
        text = _("Row %(row)s «%(title)s»: %(outcome)s") % {
            "row": self.row.number,
            "title": title,
            "outcome": labels[self.outcome],
        }
        if self.messages:
            text += " — " + "；".join(report_cell(m) for m in self.messages)
        return text


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _by_code_or_name(model, value, **scope):
    return model.objects.filter(Q(code=value) | Q(name=value), **scope).first()


class Planner:
    """Checks rows against the taxonomy, the files and what exists already."""

    def __init__(self, source: LibrarySource):
        self.source = source
        self.file_hashes: dict[str, str] = {}
        self.probed: dict[str, object] = {}
        self.seen_videos: dict[str, int] = {}
        self.seen_rows: dict[str, int] = {}
        self.type_names = {}
        for value, label in ResourceType.choices:
            for name in (value, str(label), _(str(label))):
                self.type_names[name.lower()] = value

    def plan(self, row: SheetRow) -> RowPlan:
        plan = RowPlan(row)
        v = row.values
        for name in row.formulas:
            plan.fail(_("the %(column)s cell holds a formula") % {"column": name})
        title = clean_text(v.get("title", ""))
        if not title:
            plan.fail(_("no title"))
        rtype = self.type_names.get((v.get("resource_type") or "微课").lower())
        if rtype is None:
            plan.fail(
                _("unknown resource type %(value)s") % {"value": v["resource_type"]}
            )
        parent = (
            SubjectPage.objects.filter(
                Q(stage__code=v.get("stage")) | Q(stage__name=v.get("stage")),
                Q(subject__code=v.get("subject")) | Q(subject__name=v.get("subject")),
            )
            .select_related("stage", "subject")
            .first()
        )
        if parent is None:
            plan.fail(
                _("no stage/subject %(stage)s %(subject)s")
                % {"stage": v.get("stage", ""), "subject": v.get("subject", "")}
            )
            return plan
        fields = {"parent": parent, "title": title, "resource_type": rtype}
        if v.get("grade"):
            fields["grade"] = _by_code_or_name(Grade, v["grade"], stage=parent.stage)
            if fields["grade"] is None:
                plan.fail(_("unknown grade %(value)s") % {"value": v["grade"]})
        if v.get("edition"):
            fields["edition"] = _by_code_or_name(TextbookEdition, v["edition"])
            if fields["edition"] is None:
                plan.fail(
                    _("unknown textbook edition %(value)s") % {"value": v["edition"]}
                )
        if v.get("school"):
            fields["school"] = School.objects.filter(name=v["school"]).first()
            if fields["school"] is None:
                plan.fail(_("unknown school %(value)s") % {"value": v["school"]})
        if v.get("year"):
            year = v["year"].split("-")[0].split("–")[0].strip()
            if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
                plan.fail(_("the year %(value)s is not a year") % {"value": v["year"]})
            else:
                fields["academic_year"] = int(year)
        fields["knowledge_points"] = self._points(
            plan, v.get("knowledge_points", ""), parent
        )
        if v.get("author"):
            fields["author"] = self._author(v["author"])
            if fields["author"] is None:
                plan.messages.append(
                    _("author %(value)s is not a user here; the importer is named")
                    % {"value": v["author"]}
                )
        plan.fields = fields
        self._files(plan, v, rtype)
        if plan.outcome == Outcome.ERROR:
            return plan
        plan.content_hash = self._content_hash(plan)
        self._duplicates(plan)
        return plan

    def _points(self, plan, text, parent):
        points = []
        for item in filter(None, (p.strip() for p in LIST_SEP.split(text))):
            point = KnowledgePoint.objects.filter(code=item).first()
            if point is None:
                matches = list(
                    KnowledgePoint.objects.filter(
                        name=item, subject=parent.subject, stage=parent.stage
                    )[:2]
                )
                point = matches[0] if len(matches) == 1 else None
            if point is None:
                plan.fail(_("unknown knowledge point %(value)s") % {"value": item})
            else:
                points.append(point)
        return points

    def _author(self, name):
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(username=name).first()
        if user is None:
            for candidate in users.filter(
                Q(first_name__in=[name, name[1:]]) | Q(last_name=name[:1])
            )[:50]:
                if name in (
                    f"{candidate.last_name}{candidate.first_name}",
                    candidate.get_full_name(),
                ):
                    return candidate
        return user

    def _hash(self, name) -> str:
        if name not in self.file_hashes:
            with self.source.local_path(name) as path:
                self.file_hashes[name] = _sha256(path)
        return self.file_hashes[name]

    def _files(self, plan, v, rtype):
        names = [
            n.strip() for n in LIST_SEP.split(v.get("attachments", "")) if n.strip()
        ]
        for raw in names:
            clean, found = self.source.lookup(raw)
            if found is None:
                plan.fail(_("missing file %(name)s") % {"name": raw})
            elif clean.rsplit(".", 1)[-1].lower() not in _document_extensions():
                plan.fail(_("%(name)s is not an allowed document type") % {"name": raw})
            else:
                plan.attachments.append(clean)
        if rtype == ResourceType.MICRO_LESSON:
            raw = v.get("video", "")
            clean, found = self.source.lookup(raw) if raw else (None, None)
            if not raw:
                plan.fail(_("a micro-lesson needs a video file"))
            elif found is None:
                plan.fail(_("missing file %(name)s") % {"name": raw})
            else:
                plan.video = clean
                self._probe(plan)
        elif not plan.attachments:
            plan.fail(_("a resource needs at least one attachment"))

    def _probe(self, plan):
        name = plan.video
        if name not in self.probed:
            with self.source.local_path(name) as path:
                try:
                    result = probe(path)
                    validate(result)
                    self.probed[name] = result
                except Rejected as exc:
                    self.probed[name] = exc
                except OSError as exc:
                    self.probed[name] = Rejected("corrupt", detail=str(exc))
        result = self.probed[name]
        if isinstance(result, Rejected):
            plan.fail(
                _("unreadable video %(name)s: %(reason)s")
                % {"name": name, "reason": _rejection_text(result)}
            )
            return
        plan.extension = container_extension(result.format_name)
        plan.video_sha = self._hash(name)

    def _content_hash(self, plan) -> str:
        digest = hashlib.sha256()
        for key in sorted(plan.row.values):
            digest.update(f"{key}={plan.row.values[key]}\n".encode())
        if plan.video:
            digest.update(plan.video_sha.encode())
        for name in plan.attachments:
            digest.update(self._hash(name).encode())
        return digest.hexdigest()

    def _duplicates(self, plan):
        done = ImportedRow.objects.filter(
            row_number=plan.row.number, content_hash=plan.content_hash
        ).first()
        if done is not None:
            plan.outcome = Outcome.DONE
            return
        if plan.video:
            earlier_row = self.seen_videos.get(plan.video_sha)
            existing = services.find_duplicate(plan.video_sha)
            if earlier_row is not None:
                plan.outcome = Outcome.DUPLICATE
                plan.messages.append(
                    _("same video as row %(row)s") % {"row": earlier_row}
                )
            elif existing is not None:
                plan.outcome = Outcome.DUPLICATE
                plan.messages.append(
                    _("same video as video %(id)s already in the library")
                    % {"id": existing.pk}
                )
            self.seen_videos.setdefault(plan.video_sha, plan.row.number)
            return
        key = "|".join(self._hash(n) for n in plan.attachments)
        earlier_row = self.seen_rows.get(key)
        if earlier_row is not None:
            plan.outcome = Outcome.DUPLICATE
            plan.messages.append(_("same files as row %(row)s") % {"row": earlier_row})
        self.seen_rows.setdefault(key, plan.row.number)


def _rejection_text(exc: Rejected) -> str:
    """The worker's sentence for the refusal, in the active language."""
    return exc.rejection.message


def _document_extensions():
    from django.conf import settings

    return {e.lower() for e in getattr(settings, "WAGTAILDOCS_EXTENSIONS", []) or []}


def _document(source, name, owner):
    Document = get_document_model()
    ext = name.rsplit(".", 1)[-1].lower()
    document = Document(
        title=display_name(name.rsplit("/", 1)[-1]), uploaded_by_user=owner
    )
    with source.local_path(name) as path, open(path, "rb") as fh:
        # A generated name: the sheet's file name never reaches a storage path.
        document.file.save(f"{uuid.uuid4().hex}.{ext}", File(fh), save=False)
        document._set_document_file_metadata()
        document.save()
    return document


def create_row(plan: RowPlan, source: LibrarySource, owner, run=None):
    """Create the entry of one planned row and its manifest line, atomically."""
    with transaction.atomic():
        documents = [_document(source, name, owner) for name in plan.attachments]
        fields = dict(plan.fields)
        rtype = fields.pop("resource_type")
        video = None
        if plan.video:
            with source.local_path(plan.video) as path, open(path, "rb") as fh:
                video, _created = services.find_or_create_video(
                    sha256=plan.video_sha,
                    title=fields["title"],
                    fileobj=fh,
                    original_filename=display_name(plan.video.rsplit("/", 1)[-1]),
                    user=owner,
                    extension=plan.extension,
                )
            page = lifecycle.create_draft_lesson(
                owner=owner, video=video, attachments=documents, **fields
            )
        else:
            page = lifecycle.create_draft_resource(
                resource_type=rtype, owner=owner, attachments=documents, **fields
            )
        ImportedRow.objects.create(
            row_number=plan.row.number,
            content_hash=plan.content_hash,
            page_id=page.pk,
            video_id=video.pk if video else None,
            run=run,
        )
    plan.outcome = Outcome.CREATED
    return page


def run_import(rows, source, owner, *, dry_run, location="", sheet="", progress=None):
    """Plan (and unless `dry_run`, create) every row; the plans, in order."""
    planner = Planner(source)
    run = None
    if not dry_run:
        run = LibraryImport.objects.create(
            source=location[:500], sheet=sheet[:255], owner=owner, total=len(rows)
        )
    plans = []
    try:
        for index, row in enumerate(rows, start=1):
            plan = planner.plan(row)
            if not dry_run and plan.outcome == Outcome.CREATE:
                create_row(plan, source, owner, run)
            plans.append(plan)
            if run is not None:
                _count(run, plan)
            if progress:
                progress(index, len(rows))
    except Exception:
        if run is not None:
            LibraryImport.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED)
        raise
    if run is not None:
        run.status = ImportStatus.FINISHED
        run.report = [p.line() for p in plans if p.outcome != Outcome.CREATED]
        run.save(update_fields=["status", "report", "updated_at"])
    return plans


def _count(run, plan):
    counter = {
        Outcome.CREATED: "created",
        Outcome.DONE: "skipped",
        Outcome.DUPLICATE: "duplicates",
        Outcome.ERROR: "errors",
    }[plan.outcome]
    setattr(run, counter, getattr(run, counter) + 1)
    run.processed += 1
    run.save(update_fields=["processed", counter, "updated_at"])
