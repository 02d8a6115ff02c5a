"""Loads the demo alliance; every step is idempotent (get-or-create by key)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from catalog.knowledge_import import import_knowledge_points

from . import lifecycle
from .demo_data import (
    DEMO_PASSWORD,
    DISTRICTS,
    EDITIONS,
    GRADES,
    KNOWLEDGE_POINTS_CSV,
    STAGES,
    SUBJECTS,
    USERS,
)
from .demo_data.lessons import ENTRIES
from .models import (
    District,
    Grade,
    HomePage,
    KnowledgePoint,
    LessonPage,
    ResourcePage,
    School,
    Stage,
    StagePage,
    Subject,
    SubjectPage,
    TextbookEdition,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed_taxonomy():
    for order, (code, name, name_en) in enumerate(STAGES):
        Stage.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    stages = {s.code: s for s in Stage.objects.all()}
    for order, (code, name, name_en, stage_codes, synonyms) in enumerate(SUBJECTS):
        subject, _ = Subject.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "sort_order": order,
                "synonyms": synonyms,
            },
        )
        subject.stages.set([stages[c] for c in stage_codes.split()])
    for order, (code, name, name_en, stage_code) in enumerate(GRADES):
        Grade.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "sort_order": order,
                "stage": stages[stage_code],
            },
        )
    for order, (code, name, name_en) in enumerate(EDITIONS):
        TextbookEdition.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    for code, name, schools in DISTRICTS:
        district, _ = District.objects.update_or_create(
            code=code, defaults={"name": name}
        )
        for school_name, stage_codes in schools:
            school, _ = School.objects.update_or_create(
                name=school_name, defaults={"district": district}
            )
            school.stages.set([stages[c] for c in stage_codes.split()])


def _seed_editor_scopes(user, scopes):
    """Editor scopes from "stage:subject" codes (alliance.EditorScope)."""
    from alliance.models import EditorScope

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


def seed_page_tree():
    """Home → one page per stage → one page per subject taught in it."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's first migration leaves a welcome page; the catalog replaces it.
        for page in root.get_children():
            if page.specific_class in (None, Page):
                page.delete()
        home = root.add_child(
            instance=HomePage(
                title="微课联盟资源库",
                slug="home",
                intro="全市中小学微课与同步教学资源的汇聚、评选与共享平台。",
            )
        )
        Site.objects.all().delete()
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="微课联盟资源库",
        )
    for stage in Stage.objects.all():
        stage_page = StagePage.objects.filter(stage=stage).first()
        if stage_page is None:
            stage_page = home.add_child(
                instance=StagePage(title=stage.name, slug=stage.code, stage=stage)
            )
        for subject in stage.subjects.all():
            if not SubjectPage.objects.filter(stage=stage, subject=subject).exists():
                stage_page.add_child(
                    instance=SubjectPage(
                        title=subject.name,
                        slug=subject.code,
                        subject=subject,
                        stage=stage,
                    )
                )
    return home


def _published_at(year: int, index: int) -> datetime:
    # Spread over the academic year (September to June), never in the future.
    start = datetime(year, 9, 1, 9, 0, tzinfo=SHANGHAI)
    moment = start + timedelta(days=(index * 23) % 280, hours=index % 8)
    now = datetime.now(tz=SHANGHAI)
    return min(moment, now - timedelta(days=1 + index % 20))


def seed_entries(users):
    schools = {s.name: s for s in School.objects.all()}
    user_school = {u[0]: schools.get(u[3]) for u in USERS}
    editor_for = {"maths": "editor_math", "physics": "editor_physics"}
    for index, entry in enumerate(ENTRIES):
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
        slug = slugify(f"demo-{index:03d}") or f"demo-{index}"
        if parent.get_children().filter(slug=slug).exists():
            continue
        model = LessonPage if rtype == "micro_lesson" else ResourcePage
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
        if model is LessonPage:
            # Only a lesson whose video is ready may be published.
            page.video = _demo_video(title, slug)
        parent.add_child(instance=page)
        page.knowledge_points.set(
            KnowledgePoint.objects.filter(subject__code=subject_code, name__in=kp_names)
        )
        for tag in tags:
            page.tags.add(tag)
        page.save_revision(user=users[author]).publish()
        when = _published_at(year, index)
        model.objects.filter(pk=page.pk).update(
            first_published_at=when, last_published_at=when
        )
        if quality:
            picker = users[editor_for.get(subject_code, "admin")]
            lifecycle.pick(
                page, picker, min(when + timedelta(days=7), datetime.now(SHANGHAI))
            )


def _demo_video(title: str, slug: str):
    """A ready video row for a demo lesson (the demo ships no media files).

    Created through the lesson's foreign key: the catalog does not import the
    media layer."""
    video_model = LessonPage._meta.get_field("video").related_model
    video = video_model(title=title, status=lifecycle.VIDEO_READY)
    video.file.name = f"demo/{slug}.mp4"
    video.save()
    return video


@transaction.atomic
def seed_demo():
    seed_taxonomy()
    users = seed_users()
    import_knowledge_points(
        KNOWLEDGE_POINTS_CSV.name, KNOWLEDGE_POINTS_CSV.read_bytes()
    )
    seed_page_tree()
    seed_entries(users)
    from dashboard.demo import seed_quota_rules

    seed_quota_rules(years=(2024, 2025, 2026))
    return users
