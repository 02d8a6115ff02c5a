"""Wagtail's default rows, as a Chinese install should show them.

Wagtail's own migrations create English rows that editors and the bureau meet
in the admin: the groups "Editors" and "Moderators", the workflow and task
"Moderators approval", and the tree roots "Root" (pages and collections).
The alliance works with its own groups (教师, 学科编辑, 教育局, 管理员) and
its own workflow (微课审核, 0002), so:

- the default groups and the default workflow and task are deleted when
  nothing uses them (no member; no workflow ever run), and otherwise renamed
  and, for the workflow, disabled, so no membership or history is lost;
- the roots are renamed.

Wagtail's later migrations look these groups up by name defensively
(`filter(name__in=...)`, or `get` inside try/except), so a missing or renamed
group is skipped, never an error. Going back restores the English names of
rows that were renamed; deleted defaults are not recreated.
"""

from django.db import migrations

ROOT_PAGE = "根页面"
ROOT_COLLECTION = "全部文件"
GROUPS = {
    "Editors": "网站编辑（Wagtail 默认组）",
    "Moderators": "网站审核员（Wagtail 默认组）",
}
DEFAULT_APPROVAL = "Moderators approval"
DEFAULT_APPROVAL_ZH = "默认审批（未启用）"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    Task = apps.get_model("wagtailcore", "Task")
    TaskState = apps.get_model("wagtailcore", "TaskState")

    for workflow in Workflow.objects.filter(name=DEFAULT_APPROVAL):
        if WorkflowState.objects.filter(workflow=workflow).exists():
            workflow.name, workflow.active = DEFAULT_APPROVAL_ZH, False
            workflow.save(update_fields=["name", "active"])
        else:
            workflow.delete()
    for task in Task.objects.filter(name=DEFAULT_APPROVAL):
        if TaskState.objects.filter(task=task).exists():
            task.name, task.active = DEFAULT_APPROVAL_ZH, False
            task.save(update_fields=["name", "active"])
        else:
            task.delete()
    for english, chinese in GROUPS.items():
        for group in Group.objects.filter(name=english):
            if group.user_set.exists():
                group.name = chinese
                group.save(update_fields=["name"])
            else:
                group.delete()
    Page.objects.filter(depth=1, title="Root").update(
        title=ROOT_PAGE, draft_title=ROOT_PAGE
    )
    Collection.objects.filter(depth=1, name="Root").update(name=ROOT_COLLECTION)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for english, chinese in GROUPS.items():
        Group.objects.filter(name=chinese).update(name=english)
    Workflow.objects.filter(name=DEFAULT_APPROVAL_ZH).update(name=DEFAULT_APPROVAL)
    Task.objects.filter(name=DEFAULT_APPROVAL_ZH).update(name=DEFAULT_APPROVAL)
    Page.objects.filter(depth=1, title=ROOT_PAGE).update(
        title="Root", draft_title="Root"
    )
    Collection.objects.filter(depth=1, name=ROOT_COLLECTION).update(name="Root")


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0002_roles_rubric_workflow"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
