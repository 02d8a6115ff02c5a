"""The catalog's reference data: stages, subjects, grades, editions, districts
and schools, and the page tree home → stage → subject. Idempotent
(get-or-create by key); the demo alliance on top of it is the demo app's."""

from wagtail.models import Page, Site

from .demo_data import (
    DISTRICTS,
    EDITIONS,
    GRADES,
    STAGES,
    SUBJECTS,
)
from .models import (
    District,
    Grade,
    HomePage,
    School,
    Stage,
    StagePage,
    Subject,
    SubjectPage,
    TextbookEdition,
)


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
