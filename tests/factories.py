"""factory_boy factories for test data; taxonomy rows come from the demo lists."""

import itertools

import factory
from django.contrib.auth import get_user_model

from catalog.models import (
    KnowledgePoint,
    LessonPage,
    ResourcePage,
    Stage,
    Subject,
    SubjectPage,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"老师{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.edu.cn")
    password = factory.django.Password("pw-for-tests")


class KnowledgePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgePoint

    code = factory.Sequence(lambda n: f"KP-{n:04d}")
    name = factory.Sequence(lambda n: f"知识点{n}")
    stage = factory.LazyFunction(lambda: Stage.objects.get(code="junior"))
    subject = factory.LazyFunction(lambda: Subject.objects.get(code="maths"))


_ENTRY_SLUGS = itertools.count(1)


def subject_page(stage="junior", subject="maths") -> SubjectPage:
    return SubjectPage.objects.get(stage__code=stage, subject__code=subject)


class _EntryFactory(factory.django.DjangoModelFactory):
    """Creates a live page under a subject page (pass `parent=`)."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"测试资源 {n}")
    # One counter for every entry type: lessons and resources share parents.
    slug = factory.LazyFunction(lambda: f"entry-{next(_ENTRY_SLUGS)}")
    academic_year = 2025
    author = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        parent = parent or subject_page()
        knowledge_points = kwargs.pop("knowledge_points", [])
        page = model_class(*args, **kwargs)
        parent.add_child(instance=page)
        if knowledge_points:
            page.knowledge_points.set(knowledge_points)
            page.save()
        return page


class LessonPageFactory(_EntryFactory):
    class Meta:
        model = LessonPage

    resource_type = "micro_lesson"


class ResourcePageFactory(_EntryFactory):
    class Meta:
        model = ResourcePage

    resource_type = "courseware"
