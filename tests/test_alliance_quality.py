"""Rubric scoring, quality-pick history, featured collections, escaping."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from alliance import services
from alliance.models import (
    FeaturedCollection,
    FeaturedCollectionItem,
    QualityDecision,
    Rubric,
    RubricScore,
)
from alliance.roles import ALL_GROUPS
from alliance.selectors import (
    designations_between,
    featured_collections,
    is_quality_pick_at,
    quality_picks_at,
)
from catalog.models import LessonPage, QualityPick
from tests.fixtures_alliance import (
    current_task_state,
    publish,
    submit,
    workflow_action_url,
)

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><b>粗</b>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def test_migration_creates_roles_rubric_and_workflow(alliance_setup):
    from wagtail.models import Page

    assert set(ALL_GROUPS) <= set(Group.objects.values_list("name", flat=True))
    rubric = Rubric.objects.get(name="微课评审量表")
    assert [c.name for c in rubric.criteria.order_by("sort_order")] == [
        "选题与知识点",
        "教学设计",
        "内容准确",
        "画面与声音",
        "时长与节奏",
    ]
    assert sum(c.weight for c in rubric.criteria.all()) == 100
    home = Page.objects.get(depth=2)
    assert home.get_workflow().name == "微课审核"
    teacher_perms = set(
        Group.objects.get(name="教师").page_permissions.values_list(
            "permission__codename", flat=True
        )
    )
    assert teacher_perms == {"add_page"}
    assert not Group.objects.get(name="教育局").page_permissions.exists()


def test_rubric_score_is_weighted_and_logged(alliance_users, make_draft, login):
    editor = alliance_users["math_editor"]
    page = publish(make_draft(alliance_users["teacher_a"]), editor)
    rubric = services.default_rubric("micro_lesson")
    criteria = list(rubric.criteria.order_by("sort_order"))
    client = login(editor)
    data = {f"c{c.pk}": 10 for c in criteria}
    data[f"c{criteria[1].pk}"] = 6  # 教学设计, weight 25 → loses 10 points
    data["notes"] = XSS
    response = client.post(reverse("alliance:score", args=[page.pk]), data)
    assert response.status_code == 302
    score = RubricScore.objects.get(page=page, reviewer=editor)
    assert score.total == Decimal("90.00")
    assert PageLogEntry.objects.filter(
        page_id=page.pk, action="alliance.score"
    ).exists()
    # Scoring again replaces the reviewer's score instead of adding one.
    data[f"c{criteria[1].pk}"] = 10
    client.post(reverse("alliance:score", args=[page.pk]), data)
    assert RubricScore.objects.get(page=page, reviewer=editor).total == Decimal("100")
    # Out-of-range values are refused.
    data[f"c{criteria[0].pk}"] = 11
    response = client.post(reverse("alliance:score", args=[page.pk]), data)
    assert response.status_code == 400
    # The notes are shown escaped.
    html = client.get(reverse("alliance:entry", args=[page.pk])).content.decode()
    assert ESCAPED in html
    assert XSS not in html


def test_two_reviewers_score_independently(alliance_users, make_draft):
    from alliance.models import EditorScope
    from catalog.models import Stage, Subject

    editor, second = alliance_users["math_editor"], alliance_users["physics_editor"]
    EditorScope.objects.create(
        user=second,
        stage=Stage.objects.get(code="junior"),
        subject=Subject.objects.get(code="maths"),
    )
    page = publish(make_draft(alliance_users["teacher_a"]), editor)
    rubric = services.default_rubric("micro_lesson")
    values = {c.pk: 8 for c in rubric.criteria.all()}
    services.save_rubric_score(page, editor, rubric, values, "好")
    services.save_rubric_score(page, second, rubric, {k: 5 for k in values}, "一般")
    assert sorted(page.rubric_scores.values_list("total", flat=True)) == [
        Decimal("50.00"),
        Decimal("80.00"),
    ]
    with pytest.raises(PermissionDenied):
        services.save_rubric_score(page, alliance_users["bureau"], rubric, values)


def test_quality_status_is_unambiguous_at_any_date(alliance_users, make_draft):
    editor = alliance_users["math_editor"]
    page = publish(make_draft(alliance_users["teacher_a"]), editor)
    t0 = timezone.now() - timedelta(days=30)
    services.designate_quality_pick(page, editor, "好", moment=t0)
    with pytest.raises(ValidationError):
        services.designate_quality_pick(page, editor, "again")
    services.revoke_quality_pick(page, editor, "有错", moment=t0 + timedelta(days=10))
    services.designate_quality_pick(
        page, editor, "已改正", moment=t0 + timedelta(days=20)
    )

    before, during, gap, after = (
        t0 - timedelta(days=1),
        t0 + timedelta(days=5),
        t0 + timedelta(days=15),
        t0 + timedelta(days=25),
    )
    assert [is_quality_pick_at(page, m) for m in (before, during, gap, after)] == [
        False,
        True,
        False,
        True,
    ]
    for moment in (before, during, gap, after):
        assert quality_picks_at(moment).filter(pk=page.pk).exists() == (
            is_quality_pick_at(page, moment)
        )
    assert (
        designations_between(t0 - timedelta(days=1), t0 + timedelta(days=30)).count()
        == 2
    )
    page.refresh_from_db()
    assert page.is_quality_pick
    assert page.quality_pick.picked_at == t0 + timedelta(days=20)


def test_seeded_picks_without_log_fall_back_to_flag(alliance_users, make_draft):
    page = publish(make_draft(alliance_users["teacher_a"]), alliance_users["admin"])
    moment = timezone.now() - timedelta(days=3)
    QualityPick.objects.create(page_id=page.pk, picked_at=moment)
    assert is_quality_pick_at(page, moment)
    assert not is_quality_pick_at(page, moment - timedelta(seconds=1))
    assert quality_picks_at(timezone.now()).filter(pk=page.pk).exists()


def test_republishing_an_old_revision_keeps_the_decided_flag(
    alliance_users, make_draft
):
    editor = alliance_users["math_editor"]
    page = publish(make_draft(alliance_users["teacher_a"]), editor)
    services.designate_quality_pick(page, editor, "好")
    # The latest revision predates the pick (its copy says False).
    page.get_latest_revision().publish(user=editor, skip_permission_checks=True)
    assert LessonPage.objects.get(pk=page.pk).is_quality_pick


def test_pick_requires_live_entry(alliance_users, make_draft):
    draft = make_draft(alliance_users["teacher_a"])
    with pytest.raises(ValidationError):
        services.designate_quality_pick(draft, alliance_users["math_editor"])
    assert not QualityDecision.objects.exists()


def test_featured_collections_on_site_in_order_and_escaped(
    alliance_users, make_draft, client
):
    from catalog.models import Stage, Subject
    from tests.factories import subject_page

    admin = alliance_users["admin"]
    first = publish(make_draft(alliance_users["teacher_a"], title="第一课"), admin)
    second = publish(make_draft(alliance_users["teacher_a"], title=XSS), admin)
    hidden = make_draft(alliance_users["teacher_a"], title="未发布的课")
    collection = FeaturedCollection(
        title="八年级数学·方程 精品专辑" + XSS,
        description="描述",
        stage=Stage.objects.get(code="junior"),
        subject=Subject.objects.get(code="maths"),
    )
    collection.items = [
        FeaturedCollectionItem(page=second),
        FeaturedCollectionItem(page=hidden),
        FeaturedCollectionItem(page=first),
    ]
    collection.save()
    blocks = featured_collections(
        stage=Stage.objects.get(code="junior"),
        subject=Subject.objects.get(code="maths"),
    )
    assert [i.page.pk for i in blocks[0]["items"]] == [second.pk, first.pk]
    assert featured_collections(subject=Subject.objects.get(code="chinese")) == []

    for url in ("/", subject_page("junior", "maths").url):
        html = client.get(url).content.decode()
        assert "八年级数学·方程 精品专辑" in html, url
        assert ESCAPED in html and XSS not in html
        assert "未发布的课" not in html
        assert html.index(ESCAPED) < html.index("第一课")


def test_titles_and_comments_escaped_in_queue_and_history(
    alliance_users, make_draft, login
):
    teacher, editor = alliance_users["teacher_a"], alliance_users["math_editor"]
    page = make_draft(teacher, title=XSS)
    submit(login(teacher), page)
    client = login(editor)
    queue = client.get(reverse("alliance:review_queue")).content.decode()
    assert ESCAPED in queue and XSS not in queue
    task_state = current_task_state(page)
    client.post(workflow_action_url(page, "reject", task_state), {"comment": XSS})
    history = client.get(reverse("alliance:entry", args=[page.pk])).content.decode()
    assert ESCAPED in history and XSS not in history
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert XSS not in home
