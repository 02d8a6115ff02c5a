"""On an engine-backed configuration (OpenSearch, Elasticsearch), a quality
pick reaches the engine's `quality` facet at once through entry_changed, and
a revoke takes it away: no reconcile_search_index needed. Slow (starts the
engine nodes of tests/fixtures_search.py): run this file alone."""

import pytest

from alliance import services
from search.selectors import search_lessons
from tests.fixtures_alliance import publish

pytestmark = pytest.mark.django_db


def _auto_update(settings, name):
    # The fixture keeps the engine out of other tests' saves; here the
    # catalog's changes must reach it, as in production.
    backends = dict(settings.WAGTAILSEARCH_BACKENDS)
    backends[name] = {**backends[name], "AUTO_UPDATE": True}
    settings.WAGTAILSEARCH_BACKENDS = backends


def _picks(name):
    from modelsearch.backends import get_search_backend

    from catalog.models import CatalogEntryPage

    get_search_backend(name).get_index_for_model(CatalogEntryPage).refresh()
    facets = search_lessons({}, backend=name).facets
    facet = {row["value"]: row["count"] for row in facets["quality"]}
    picked = search_lessons({"quality": "1"}, backend=name).hits
    return [hit["id"] for hit in picked], facet


def test_pick_and_revoke_reach_the_engine_quality_facet(
    engine_backend,
    settings,
    alliance_users,
    make_draft,
    django_capture_on_commit_callbacks,
):
    _auto_update(settings, engine_backend)
    editor = alliance_users["math_editor"]
    with django_capture_on_commit_callbacks(execute=True):
        page = publish(make_draft(alliance_users["teacher_a"]), editor)
    assert _picks(engine_backend) == ([], {"0": 1})

    with django_capture_on_commit_callbacks(execute=True):
        services.designate_quality_pick(page, editor, "讲解清晰")
    assert _picks(engine_backend) == ([page.pk], {"1": 1})

    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_quality_pick(page, editor, "发现错误")
    assert _picks(engine_backend) == ([], {"0": 1})
