import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from catalog.models import (
    CatalogEntryPage,
    HomePage,
    LessonPage,
    ResourcePage,
    StagePage,
    Subject,
    SubjectPage,
)
from tests.factories import LessonPageFactory, ResourcePageFactory, subject_page


@pytest.mark.django_db
class TestTreeRules:
    def test_allowed_children_follow_stage_then_subject(self):
        assert HomePage.allowed_subpage_models() == [StagePage]
        assert StagePage.allowed_subpage_models() == [SubjectPage]
        assert set(SubjectPage.allowed_subpage_models()) == {LessonPage, ResourcePage}
        assert LessonPage.allowed_subpage_models() == []
        assert not CatalogEntryPage.is_creatable

    def test_lessons_cannot_live_outside_a_subject_page(self):
        home = HomePage.objects.get()
        stage = StagePage.objects.get(stage__code="junior")
        assert not LessonPage.can_create_at(home)
        assert not LessonPage.can_create_at(stage)
        assert LessonPage.can_create_at(subject_page())
        assert not SubjectPage.can_create_at(home)
        assert not StagePage.can_create_at(Page.get_first_root_node())

    def test_every_stage_has_its_subject_pages(self):
        junior = StagePage.objects.get(stage__code="junior")
        names = {p.title for p in junior.get_children()}
        assert {"数学", "物理", "化学", "语文"} <= names
        assert "健康" not in names  # a preschool domain

    def test_subject_must_be_taught_in_the_stage(self):
        preschool = StagePage.objects.get(stage__code="preschool")
        page = SubjectPage(
            title="物理", slug="physics-x", subject=Subject.objects.get(code="physics")
        )
        with pytest.raises(ValidationError):
            preschool.add_child(instance=page)


@pytest.mark.django_db
class TestEntries:
    def test_stage_and_subject_come_from_the_tree(self):
        lesson = LessonPageFactory(parent=subject_page("junior", "physics"))
        lesson.refresh_from_db()
        assert (lesson.stage.code, lesson.subject.code) == ("junior", "physics")
        assert lesson.resource_type == "micro_lesson"

    def test_moving_a_lesson_changes_its_subject(self):
        lesson = LessonPageFactory(parent=subject_page("junior", "physics"))
        lesson.move(subject_page("junior", "chemistry"), pos="last-child")
        lesson = LessonPage.objects.get(pk=lesson.pk)
        assert lesson.subject.code == "chemistry"
        # A later save keeps the tree and the fields in agreement.
        lesson.save()
        assert LessonPage.objects.get(pk=lesson.pk).subject.code == "chemistry"

    def test_resource_type_is_checked_per_page_type(self):
        with pytest.raises(ValidationError):
            ResourcePageFactory(resource_type="micro_lesson")
        page = ResourcePageFactory(resource_type="exercises")
        assert page.get_resource_type_display() == "Exercises" or page.resource_type

    def test_grade_must_belong_to_the_stage(self):
        from catalog.models import Grade

        with pytest.raises(ValidationError):
            LessonPageFactory(grade=Grade.objects.get(name="三年级"))

    def test_district_is_filled_from_the_school(self):
        from catalog.models import School

        school = School.objects.get(name="西山县第三初级中学")
        lesson = LessonPageFactory(school=school)
        assert lesson.district.name == "西山县"

    def test_tags_and_knowledge_points(self):
        from tests.factories import KnowledgePointFactory

        point = KnowledgePointFactory(name="勾股定理")
        lesson = LessonPageFactory(knowledge_points=[point])
        lesson.tags.add("几何")
        lesson.save()
        lesson = LessonPage.objects.get(pk=lesson.pk)
        assert list(lesson.knowledge_points.all()) == [point]
        assert [t.name for t in lesson.tags.all()] == ["几何"]


@pytest.mark.django_db
def test_moving_a_subject_page_moves_its_lessons_stage():
    lesson = LessonPageFactory(parent=subject_page("junior", "physics"))
    physics = subject_page("junior", "physics")
    # Move the junior physics page under the senior stage (after freeing the slot).
    subject_page("senior", "physics").delete()
    physics.move(StagePage.objects.get(stage__code="senior"), pos="last-child")
    assert SubjectPage.objects.get(pk=physics.pk).stage.code == "senior"
    assert LessonPage.objects.get(pk=lesson.pk).stage.code == "senior"
