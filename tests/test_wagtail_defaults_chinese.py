"""Wagtail's default rows as a Chinese install shows them (alliance 0003):
no "Editors", "Moderators", "Moderators approval" or "Root" in the admin."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from wagtail.models import Collection, GroupApprovalTask, Page, Task, Workflow

from tests.factories import UserFactory
from tests.fixtures_site import wagtail_defaults_migration

ENGLISH = ("Editors", "Moderators", "Moderators approval", ">Root<")


@pytest.mark.django_db
def test_a_fresh_install_has_no_english_defaults(client):
    migration = wagtail_defaults_migration()
    names = set(Group.objects.values_list("name", flat=True))
    assert not names & {"Editors", "Moderators"}
    assert {"教师", "学科编辑", "教育局", "管理员"} <= names
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()
    assert Workflow.objects.filter(name="微课审核", active=True).exists()
    assert Page.get_first_root_node().title == migration.ROOT_PAGE
    assert Collection.get_first_root_node().name == migration.ROOT_COLLECTION

    admin = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for url in (
        "/admin/groups/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/pages/",
        "/admin/collections/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert [word for word in ENGLISH if word in page] == [], url


@pytest.mark.django_db
def test_defaults_in_use_are_renamed_not_deleted():
    """A group with members, and a default workflow that has run, keep their
    rows (membership and history) under a Chinese name; unused ones go."""
    migration = wagtail_defaults_migration()
    moderators = Group.objects.create(name="Moderators")
    UserFactory(username="member").groups.add(moderators)
    Group.objects.create(name="Editors")
    task = GroupApprovalTask.objects.create(name="Moderators approval")
    workflow = Workflow.objects.create(name="Moderators approval")

    migration.forwards(apps, None)

    moderators.refresh_from_db()
    assert moderators.name == migration.GROUPS["Moderators"]
    assert moderators.user_set.get().username == "member"
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not Task.objects.filter(pk=task.pk).exists()  # never ran: deleted
    assert not Workflow.objects.filter(pk=workflow.pk).exists()
