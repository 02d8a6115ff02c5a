"""Quota counting: year boundaries, changes that remove a resource, and the
database and OpenSearch counters agreeing with an independent count."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from catalog.models import CatalogEntryPage, LessonPage, QualityPick
from dashboard.engine import EngineCounter
from dashboard.models import QuotaRule
from dashboard.services import (
    DatabaseCounter,
    breakdown,
    elapsed_fraction,
    quota_results,
    rule_specs,
)
from tests.factories import subject_page

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
SYNC = {"courseware", "lesson_plan", "study_guide", "exercises"}


@pytest.fixture(autouse=True)
def database_counter_by_default(settings):
    """The engine is only used where a test sets it up (`quota_index`)."""
    settings.DASHBOARD_QUOTA_ENGINE_URL = ""


def independent_count(rule: QuotaRule, district_id=None) -> int:
    """Counted in Python from the rows, without the services' filters."""
    stage_ids = set(rule.stages.values_list("pk", flat=True))
    types = SYNC if rule.resource_type == "synchronous" else {rule.resource_type}
    n = 0
    for p in CatalogEntryPage.objects.all():
        if not p.live or p.stage_id not in stage_ids or p.resource_type not in types:
            continue
        if rule.subject_id and p.subject_id != rule.subject_id:
            continue
        if rule.district_id and p.district_id != rule.district_id:
            continue
        if district_id and p.district_id != district_id:
            continue
        if rule.quality_only:
            pick = QualityPick.objects.filter(page_id=p.pk).first()
            moment = pick.picked_at if pick else None
        else:
            moment = p.first_published_at
        if moment is not None and moment.astimezone(SH).year == rule.year:
            n += 1
    return n


def counts(year, counter, district_id=None) -> dict[str, int]:
    return {
        r.spec.label: r.count for r in quota_results(year, district_id, counter=counter)
    }


def assert_all_agree(year, *counters, district_id=None):
    expected = {
        r.display_label: independent_count(r, district_id)
        for r in QuotaRule.objects.filter(year=year)
    }
    for counter in counters:
        assert counts(year, counter, district_id) == expected, counter.name
    return expected


def apply_changes(world):
    """Subject change (move), unpublish, pick revocation and deletion."""
    from alliance.services import revoke_quality_pick

    world["to_move"].move(subject_page("primary", "maths"), pos="last-child")
    world["to_unpublish"].unpublish()
    revoke_quality_pick(world["to_revoke"], world.users["super"], "重复内容")
    world["to_delete"].delete()


def test_year_boundaries_in_shanghai(quota_world):
    db = DatabaseCounter()
    y2025, y2026 = counts(2025, db), counts(2026, db)
    # 31 Dec 23:59:59 local is 2025; 1 Jan 00:00:00 local is 2026.
    assert y2025["小学 语文 同步教学资源 ≥300"] == 1
    assert y2026["小学 语文 同步教学资源 ≥300"] == 3
    # Picks count for the year of designation, not of publication.
    assert y2025["小学 精品微课 ≥1200"] == 1
    assert y2026["小学 精品微课 ≥1200"] == 1
    assert y2026["初高中 精品微课 ≥1800"] == 2
    assert y2026["初高中 物理 同步教学资源 ≥100"] == 3
    assert y2026["学前 经典游戏范例 ≥300"] == 1
    assert y2025["学前 经典游戏范例 ≥300"] == 0
    assert_all_agree(2025, db)
    assert_all_agree(2026, db)


def test_monthly_buckets_follow_local_time(quota_world):
    results = {r.spec.label: r for r in quota_results(2026, counter=DatabaseCounter())}
    chinese = results["小学 语文 同步教学资源 ≥300"]
    assert chinese.monthly[:3] == [1, 1, 1]  # Jan 1 00:00, Feb 2, Mar 15
    assert chinese.cumulative[-1] == chinese.count == 3
    picks = results["小学 精品微课 ≥1200"]
    assert picks.monthly[0] == 1 and sum(picks.monthly) == 1


def test_changes_remove_resources(quota_world):
    apply_changes(quota_world)
    y2026 = counts(2026, DatabaseCounter())
    assert y2026["小学 语文 同步教学资源 ≥300"] == 1  # moved away + unpublished
    assert y2026["小学 数学 同步教学资源 ≥300"] == 1  # moved here
    assert y2026["初高中 精品微课 ≥1800"] == 1  # revoked
    assert y2026["初高中 物理 同步教学资源 ≥100"] == 2  # deleted
    assert_all_agree(2026, DatabaseCounter())


def test_district_filter_and_breakdown(quota_world):
    from catalog.models import District

    xishan = District.objects.get(code="xishan")
    db = DatabaseCounter()
    expected = assert_all_agree(2026, db, district_id=xishan.pk)
    assert expected["小学 语文 同步教学资源 ≥300"] == 1
    assert expected["初高中 物理 同步教学资源 ≥100"] == 1
    spec = next(s for s in rule_specs(2026) if s.label == "小学 语文 同步教学资源 ≥300")
    rows = {r["name"]: r["count"] for r in breakdown(spec, "district", counter=db)}
    assert rows == {"西山县": 1, "（未填写）": 2}
    schools = {r["name"]: r["count"] for r in breakdown(spec, "school", counter=db)}
    assert schools["西山县城关小学"] == 1
    teachers = breakdown(spec, "teacher", counter=db)
    assert sum(r["count"] for r in teachers) == 3


def test_district_scoped_rule(quota_world):
    from catalog.models import District, Stage

    donghu = District.objects.get(code="donghu")
    rule = QuotaRule.objects.create(
        year=2026, district=donghu, resource_type="synchronous", target=10
    )
    rule.stages.set(Stage.objects.filter(code__in=["junior", "senior"]))
    result = {r.spec.id: r for r in quota_results(2026, counter=DatabaseCounter())}
    assert result[rule.pk].spec.label == "东湖区 初高中 同步教学资源 ≥10"
    assert result[rule.pk].count == independent_count(rule) == 1


def test_on_track_uses_elapsed_fraction(quota_world):
    mid = datetime(2026, 7, 2, 12, tzinfo=SH)
    fraction = elapsed_fraction(2026, mid)
    assert 0.49 < fraction < 0.51
    assert elapsed_fraction(2025, mid) == 1.0 and elapsed_fraction(2027, mid) == 0.0
    results = quota_results(2026, now=mid, counter=DatabaseCounter())
    game = next(r for r in results if r.spec.label == "学前 经典游戏范例 ≥300")
    assert game.expected == pytest.approx(300 * fraction)
    assert not game.on_track
    future = quota_results(2026, now=datetime(2025, 6, 1, tzinfo=SH))
    assert all(r.on_track for r in future)


@pytest.mark.opensearch
def test_engine_matches_database_and_independent_count(quota_world, quota_index):
    assert quota_index.sync_all() == CatalogEntryPage.objects.filter(live=True).count()
    engine, db = EngineCounter(), DatabaseCounter()
    for year in (2024, 2025, 2026):
        assert engine.cube(year) == db.cube(year)
        assert_all_agree(year, db, engine)
    from catalog.models import District

    for district in District.objects.all():
        assert_all_agree(2026, db, engine, district_id=district.pk)
    # The dashboard's single round trip gives the same results.
    from dashboard.services import dashboard_counts

    for year in (2025, 2026):
        results, attached = dashboard_counts(year, counter=engine)
        assert {r.spec.id: r.count for r in results} == {
            r.spec.id: r.count for r in quota_results(year, counter=db)
        }
        assert attached == db.covered_point_ids()
    for spec in rule_specs(2026):
        for by in ("district", "school", "teacher"):
            assert engine.breakdown(spec, by) == db.breakdown(spec, by)


@pytest.mark.opensearch
def test_engine_pages_through_large_cubes(quota_world, quota_index, monkeypatch):
    from django.core.management import call_command

    import dashboard.engine

    call_command("sync_quota_index")  # the configured URL and index
    # Force several pages of every composite aggregation.
    monkeypatch.setattr(dashboard.engine, "PAGE", 2)
    monkeypatch.setattr(dashboard.engine, "KP_PAGE", 1)
    engine, db = EngineCounter(), DatabaseCounter()
    assert len(db.cube(2026)) > 4
    assert engine.cube(2026) == db.cube(2026)
    from dashboard.coverage import attached_point_ids_db

    assert engine.covered_point_ids() == attached_point_ids_db()


@pytest.mark.opensearch
def test_engine_follows_changes_through_signals_and_tasks(
    quota_world, quota_index, django_capture_on_commit_callbacks
):
    from dashboard.services import get_counter

    quota_index.sync_all()
    assert isinstance(get_counter(), EngineCounter)
    with django_capture_on_commit_callbacks(execute=True):
        apply_changes(quota_world)
    quota_index.refresh()
    engine = EngineCounter()
    assert engine.cube(2026) == DatabaseCounter().cube(2026)
    expected = assert_all_agree(2026, engine, DatabaseCounter())
    assert expected["小学 语文 同步教学资源 ≥300"] == 1
    assert expected["初高中 精品微课 ≥1800"] == 1
    assert expected["初高中 物理 同步教学资源 ≥100"] == 2
    # Coverage from the engine equals coverage from the database.
    from dashboard.coverage import attached_point_ids_db

    assert engine.covered_point_ids() == attached_point_ids_db()


def test_each_engine_counts_with_its_own_client(quota_index, quota_engine_url):
    # elasticsearch:// talks to Elasticsearch with the official client,
    # opensearch:// to OpenSearch with opensearch-py (not one for both).
    expected = {"elasticsearch": "elasticsearch", "opensearch": "opensearchpy"}
    scheme = quota_engine_url.split("://", 1)[0]
    assert type(quota_index.es).__module__.split(".")[0] == expected[scheme]
    quota_index.create()
    assert quota_index.calls.exists(quota_index.name)


def test_engine_counts_a_recording_once_as_its_lessons_change(
    quota_index, taxonomy, django_capture_on_commit_callbacks
):
    """The same recording shown by several lessons (the same video twice, and
    a near duplicate of it) counts once on the engine as on the database, and
    stays counted once as those lessons are unpublished, republished and
    deleted: each change re-reads the recording's other lessons."""
    from django.utils import timezone

    from dashboard.cube import local_year_month
    from tests.factories import LessonPageFactory
    from tests.fixtures_site import make_video

    original = make_video()
    near_copy = make_video(duplicate_of=original)
    first, copy, again = (
        LessonPageFactory(video=video) for video in (original, near_copy, original)
    )
    for page in (first, copy, again):
        page.first_published_at = page.last_published_at = timezone.now()
        page.save(update_fields=["first_published_at", "last_published_at"])
    year, _month = local_year_month(timezone.now())

    def counted():
        quota_index.refresh()
        engine, db = EngineCounter().cube(year), DatabaseCounter().cube(year)
        assert engine == db
        return sum(n for key, n in db.items() if key[0] == "pub")

    quota_index.sync_all()
    assert counted() == 1  # three live lessons, one recording

    def change(action):
        with django_capture_on_commit_callbacks(execute=True):
            action()
        return counted()

    # The first lesson goes: the second showing of its video counts instead.
    assert change(first.unpublish) == 1
    # That one goes too: the near copy is the recording's only live lesson.
    assert change(LessonPage.objects.get(pk=again.pk).unpublish) == 1
    # The first comes back: it counts, the near copy no longer does.
    assert change(lambda: first.save_revision().publish()) == 1
    # The first is deleted: the near copy counts again.
    assert change(LessonPage.objects.get(pk=first.pk).delete) == 1
    live = CatalogEntryPage.objects.filter(live=True)
    assert list(live.values_list("pk", flat=True)) == [copy.pk]
