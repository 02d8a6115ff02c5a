"""Facet labels (codes and names of stages, subjects, knowledge points …)
are read once per process, and a taxonomy change reaches the next search
(search/facet_labels.py)."""

import pytest

from catalog.models import KnowledgePoint, Stage
from catalog.signals import entry_changed
from search import facet_labels
from search.selectors import search_lessons
from tests.factories import KnowledgePointFactory, LessonPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def junior(clean_cache):
    return Stage.objects.get(code="junior")


def test_labels_are_read_once(junior, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert facet_labels.labels(Stage, [junior.pk]) == {
            junior.pk: ("junior", junior.name)
        }
    with django_assert_num_queries(0):
        assert facet_labels.labels(Stage, [junior.pk])[junior.pk][0] == "junior"
    # A row that does not exist is left out, not guessed.
    assert facet_labels.labels(Stage, [junior.pk, 10**9]) == {
        junior.pk: ("junior", junior.name)
    }


def test_a_taxonomy_change_reaches_the_next_search(junior):
    facet_labels.labels(Stage, [junior.pk])
    # Another process renamed it: this one has not heard yet.
    Stage.objects.filter(pk=junior.pk).update(name="初级中学")
    assert facet_labels.labels(Stage, [junior.pk])[junior.pk][1] != "初级中学"
    # The catalog announces the change; any process reads the new name.
    entry_changed.send(sender=None, page_ids=[1], reason="taxonomy")
    assert facet_labels.labels(Stage, [junior.pk])[junior.pk][1] == "初级中学"


def test_other_changes_keep_the_labels(junior, django_assert_num_queries):
    facet_labels.labels(Stage, [junior.pk])
    entry_changed.send(sender=None, page_ids=[1], reason="publish")
    with django_assert_num_queries(0):
        facet_labels.labels(Stage, [junior.pk])


def test_a_copy_is_dropped_after_its_age(junior, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(facet_labels.time, "monotonic", lambda: now[0])
    facet_labels.labels(Stage, [junior.pk])
    Stage.objects.filter(pk=junior.pk).update(code="junior-renamed")
    now[0] += facet_labels.MAX_AGE + 1
    assert facet_labels.labels(Stage, [junior.pk])[junior.pk][0] == "junior-renamed"


def test_search_facets_show_a_renamed_knowledge_point(clean_cache):
    point = KnowledgePointFactory(name="二次函数的图像")
    LessonPageFactory(title="二次函数图像专题", knowledge_points=[point])
    facets = search_lessons({"q": "二次函数"}).facets["knowledge_point"]
    assert [row["label"] for row in facets] == ["二次函数的图像"]
    KnowledgePoint.objects.filter(pk=point.pk).update(name="二次函数的图象")
    entry_changed.send(sender=None, page_ids=[1], reason="knowledge_point")
    facets = search_lessons({"q": "二次函数"}).facets["knowledge_point"]
    assert [row["label"] for row in facets] == ["二次函数的图象"]
