"""Loads the demo alliance on the catalog's reference data: users and their
roles, editor scopes, published lessons and resources with quality picks, and
the bureau's quota rules. Every step is idempotent (get-or-create by key).

The demo sits on top of every app, so it may use each one's models and
services; nothing imports it but its command."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from alliance.models import EditorScope
from catalog import lifecycle
from catalog.demo_data import DEMO_PASSWORD, KNOWLEDGE_POINTS_CSV, USERS
from catalog.demo_data.lessons import ENTRIES, IN_REVIEW
from catalog.knowledge_import import import_knowledge_points
from catalog.models import (
    Grade,
    KnowledgePoint,
    LessonPage,
    ResourcePage,
    School,
    Stage,
    Subject,
    SubjectPage,
    TextbookEdition,
)
from catalog.seeding import seed_page_tree, seed_taxonomy
from dashboard.demo import seed_quota_rules
from media_pipeline.models import Video, VideoStatus
from search.services import index_updates_deferred

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _seed_editor_scopes(user, scopes):
    """Editor scopes from "stage:subject" codes (alliance.EditorScope)."""
    for code in scopes:
        stage_code, subject_code = code.split(":")
        EditorScope.objects.get_or_create(
            user=user,
            stage=Stage.objects.get(code=stage_code),
            subject=Subject.objects.get(code=subject_code),
            district=None,
        )


def seed_users():
    User = get_user_model()
    users = {}
    for username, full_name, group_name, _school, scopes in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": full_name,
                "email": f"{username}@example.edu.cn",
                "is_staff": True,
                "is_superuser": username == "admin",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        _seed_editor_scopes(user, scopes)
        users[username] = user
    return users


def _published_at(year: int, index: int) -> datetime:
    # Spread over the academic year (September to June), never in the future.
    start = datetime(year, 9, 1, 9, 0, tzinfo=SHANGHAI)
    moment = start + timedelta(days=(index * 23) % 280, hours=index % 8)
    now = datetime.now(tz=SHANGHAI)
    return min(moment, now - timedelta(days=1 + index % 20))


def seed_entries(
    users, media: bool = False, entries=ENTRIES, people=USERS, slug_prefix="demo"
):
    """Publish `entries` (the demo's ENTRIES by default; rows of the same shape,
    such as the relevance catalog of tests/relevance_catalog.py) as `users`
    (username → user), each in the school `people` (rows of USERS' shape)
    gives its author."""
    user_school = _schools_of(people)
    editor_for = {"maths": "editor_math", "physics": "editor_physics"}
    for index, entry in enumerate(entries):
        (
            stage_code,
            subject_code,
            grade_name,
            rtype,
            title,
            kp_names,
            year,
            quality,
            author,
            tags,
            summary,
        ) = entry
        parent = SubjectPage.objects.get(
            stage__code=stage_code, subject__code=subject_code
        )
        slug = slugify(f"{slug_prefix}-{index:03d}") or f"{slug_prefix}-{index}"
        model = LessonPage if rtype == "micro_lesson" else ResourcePage
        existing = model.objects.child_of(parent).filter(slug=slug).first()
        if existing is not None:
            if media and _dress(existing, users[author], kp_names, quality):
                _republish(existing, users[author], year, index)
            continue
        page = model(
            title=title,
            slug=slug,
            summary=summary,
            resource_type=rtype,
            grade=Grade.objects.filter(name=grade_name).first(),
            edition=TextbookEdition.objects.get(code="pep"),
            author=users[author],
            school=user_school[author],
            academic_year=year,
        )
        if model is LessonPage and not media:
            # Only a lesson whose video is ready may be published.
            page.video = _placeholder_video(title, slug)
        parent.add_child(instance=page)
        _classify(page, stage_code, subject_code, kp_names, tags)
        if media:
            _dress(page, users[author], kp_names, quality)
        _republish(page, users[author], year, index)
        if quality:
            picker = users[editor_for.get(subject_code, "admin")]
            when = _published_at(year, index)
            lifecycle.pick(
                page, picker, min(when + timedelta(days=7), datetime.now(SHANGHAI))
            )


def seed_review_queue(users, media: bool = False) -> None:
    """IN_REVIEW: drafts their authors submitted (lifecycle.submit), waiting in
    the editors' queues; left as they are once submitted."""
    user_school = _schools_of(USERS)
    for index, entry in enumerate(IN_REVIEW):
        stage_code, subject_code, grade_name, _, title, kp_names = entry[:6]
        author, tags, summary = entry[8:]
        parent = SubjectPage.objects.get(
            stage__code=stage_code, subject__code=subject_code
        )
        slug = f"review-{index:03d}"
        if LessonPage.objects.child_of(parent).filter(slug=slug).exists():
            continue
        owner = users[author]
        page = LessonPage(
            title=title,
            slug=slug,
            summary=summary,
            resource_type="micro_lesson",
            grade=Grade.objects.filter(name=grade_name).first(),
            edition=TextbookEdition.objects.get(code="pep"),
            author=owner,
            school=user_school[author],
            academic_year=entry[6],
            live=False,
        )
        if media:
            from .media_seeding import shared_video

            page.video = shared_video(owner)
        else:
            page.video = _placeholder_video(title, slug)
        parent.add_child(instance=page)
        _classify(page, stage_code, subject_code, kp_names, tags)
        page.save_revision(user=owner)
        lifecycle.submit(page, owner)


def _schools_of(people) -> dict:
    """Username → School of rows of USERS' shape (the school's name fourth)."""
    schools = {s.name: s for s in School.objects.all()}
    return {u[0]: schools.get(u[3]) for u in people}


def _classify(page, stage_code, subject_code, kp_names, tags) -> None:
    """The entry's knowledge points (by name, in its stage and subject) and tags."""
    page.knowledge_points.set(
        KnowledgePoint.objects.filter(
            stage__code=stage_code, subject__code=subject_code, name__in=kp_names
        )
    )
    for tag in tags:
        page.tags.add(tag)


def _dress(page, owner, kp_names, quality) -> bool:
    """Give an entry its real video and PDF document (demo/media_seeding.py);
    True when something was added. Quality picks get a clip of their own, the
    other lessons share one, which keeps `make run` short."""
    from .media_seeding import attach_document, has_real_video, real_video, shared_video

    changed = False
    if isinstance(page, LessonPage) and not has_real_video(page):
        if quality:
            page.video = real_video(
                title=page.title,
                points=list(kp_names),
                summary=page.summary,
                subject=page.subject.name if page.subject_id else "",
                owner=owner,
            )
        else:
            page.video = shared_video(owner)
        changed = True
    if not page.attachments.exists():
        attach_document(page, owner, list(kp_names))
        changed = True
    return changed


def _republish(page, user, year, index):
    page.save_revision(user=user).publish()
    when = _published_at(year, index)
    type(page).objects.filter(pk=page.pk).update(
        first_published_at=when, last_published_at=when
    )


def _placeholder_video(title: str, slug: str):
    """A ready video row with no files, for tests that need many lessons fast
    (`seed_demo(media=False)`); `manage.py seed_demo` makes real ones."""
    video = Video(title=title, status=VideoStatus.READY)
    video.file.name = f"demo/{slug}.mp4"
    video.save()
    return video


@transaction.atomic
def seed_demo(media: bool = False):
    """The demo alliance; with `media`, real clips and PDFs (what `manage.py
    seed_demo` loads) instead of placeholder video rows.

    Wagtail updates its reference index (what uses which document, video and
    page) after every save; a lesson is saved, revised and published several
    times while it is seeded, some 500 updates in all. The pages' references
    are indexed once at the end instead, as the search index is rebuilt."""
    with index_updates_deferred():
        with disable_reference_index_auto_update():
            seed_taxonomy()
            users = seed_users()
            import_knowledge_points(
                KNOWLEDGE_POINTS_CSV.name, KNOWLEDGE_POINTS_CSV.read_bytes()
            )
            seed_page_tree()
            seed_entries(users, media=media)
            seed_review_queue(users, media=media)
            seed_quota_rules(years=(2024, 2025, 2026))
        # What the demo's pages use (their documents, videos and images):
        # catalog/cleanup.py asks it before removing a document.
        for page in Page.objects.specific().iterator():
            ReferenceIndex.create_or_update_for_object(page)
    return users
