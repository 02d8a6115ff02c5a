"""The quality pick is its own record (catalog.QualityPick), not page content:
publishing any revision keeps it without a repair step, and it reaches every
reader (templates, search, quotas) from that record."""

import pytest
from django.utils import timezone

from alliance import services
from catalog import lifecycle
from catalog.models import CatalogEntryPage, LessonPage, QualityPick
from tests.fixtures_alliance import publish

pytestmark = pytest.mark.django_db


def test_the_flag_is_not_page_content(alliance_users, make_draft):
    editor = alliance_users["math_editor"]
    page = publish(make_draft(alliance_users["teacher_a"]), editor)
    services.designate_quality_pick(page, editor, "好")
    revision = LessonPage.objects.get(pk=page.pk).save_revision(user=editor)
    assert not {"is_quality_pick", "quality_picked_by", "quality_picked_at"} & set(
        revision.content
    )
    pick = QualityPick.objects.get(page_id=page.pk)
    assert pick.picked_by == editor


def test_publishing_after_a_pick_keeps_it_without_repair(alliance_users, make_draft):
    from wagtail.signals import page_published

    editor = alliance_users["math_editor"]
    page = publish(make_draft(alliance_users["teacher_a"]), editor)
    old = page.get_latest_revision()
    services.designate_quality_pick(page, editor, "好")
    # No receiver repairs the flag after a publish any more.
    assert not any("quality" in str(key) for key, *_ in page_published.receivers if key)
    old.publish(user=editor, skip_permission_checks=True)
    assert LessonPage.objects.get(pk=page.pk).is_quality_pick
    assert CatalogEntryPage.objects.filter(quality_pick__isnull=False).count() == 1


def test_pick_and_revoke_are_lifecycle_transitions(alliance_users, make_draft):
    editor = alliance_users["math_editor"]
    draft = make_draft(alliance_users["teacher_a"])
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.pick(draft, editor)
    page = publish(draft, editor)
    assert lifecycle.state_of(page) == lifecycle.State.PUBLISHED
    lifecycle.pick(page, editor, timezone.now())
    page.refresh_from_db()
    assert lifecycle.state_of(page) == lifecycle.State.QUALITY_PICK
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.pick(page, editor)
    lifecycle.revoke(page)
    page.refresh_from_db()
    assert lifecycle.state_of(page) == lifecycle.State.PUBLISHED
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.revoke(page)


def test_annotated_lists_read_the_flag_without_a_query_per_page(
    alliance_users, make_draft, django_assert_num_queries
):
    from catalog.models import quality_flag

    editor = alliance_users["math_editor"]
    pages = [publish(make_draft(alliance_users["teacher_a"]), editor) for _ in range(3)]
    services.designate_quality_pick(pages[0], editor, "好")
    entries = CatalogEntryPage.objects.filter(pk__in=[p.pk for p in pages]).annotate(
        is_quality_pick=quality_flag()
    )
    with django_assert_num_queries(1):
        flags = {e.pk: e.is_quality_pick for e in entries}
    assert flags == {pages[0].pk: True, pages[1].pk: False, pages[2].pk: False}
