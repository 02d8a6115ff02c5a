"""The alliance's groups and permissions, the default 微课 rubric and workflow.

Groups (names are used by catalog/demo.py):
- 教师: admin access; "add" on the root page = create pages and edit/delete
  only their own drafts, never publish; add/choose documents and images.
- 学科编辑: admin access, no page permission of their own — they edit and
  approve through the review task while a page is in review in their scope;
  manage featured collections; view rubrics.
- 教育局: admin access and read-only ("view") permissions, nothing else.
- 管理员: every page permission, users, groups, taxonomy, alliance settings,
  workflows.
The workflow "微课审核" (one SubjectReviewTask) is assigned to the root page
so it covers every site; Wagtail's default "Moderators approval" workflow is
unassigned from the root.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEACHER, EDITOR, BUREAU, ADMINISTRATOR = "教师", "学科编辑", "教育局", "管理员"

DEFAULT_CRITERIA = [
    ("选题与知识点", "选题聚焦一个知识点，目标明确，符合课标与学情", 20),
    ("教学设计", "结构完整，讲解清楚，有引入、讲解、小结与练习", 25),
    ("内容准确", "概念、公式、表述与板书无科学性错误", 25),
    ("画面与声音", "画面清晰稳定，字幕规范，声音清楚无噪音", 15),
    ("时长与节奏", "时长 5–15 分钟，节奏适中，无冗余", 15),
]


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations (post_migrate);
    # create them now so the groups below can be given them on a fresh DB.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = models_module


def _perms(Permission, *specs):
    """specs: 'app_label.codename' or 'app_label.*' or 'app_label.view_*'."""
    found = []
    for spec in specs:
        app_label, codename = spec.split(".", 1)
        qs = Permission.objects.filter(content_type__app_label=app_label)
        if codename.endswith("*"):
            qs = qs.filter(codename__startswith=codename[:-1])
        else:
            qs = qs.filter(codename=codename)
        found.extend(qs)
    return found


def forwards(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model(
        "wagtailcore", "GroupCollectionPermission"
    )
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    SubjectReviewTask = apps.get_model("alliance", "SubjectReviewTask")
    Rubric = apps.get_model("alliance", "Rubric")
    RubricCriterion = apps.get_model("alliance", "RubricCriterion")

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in
              (TEACHER, EDITOR, BUREAU, ADMINISTRATOR)}
    access = _perms(Permission, "wagtailadmin.access_admin")

    groups[TEACHER].permissions.add(*access)
    groups[EDITOR].permissions.add(
        *access,
        *_perms(
            Permission,
            "alliance.add_featuredcollection",
            "alliance.change_featuredcollection",
            "alliance.delete_featuredcollection",
            "alliance.view_featuredcollection",
            "alliance.view_rubric",
        ),
    )
    groups[BUREAU].permissions.add(
        *access, *_perms(Permission, "alliance.view_*", "catalog.view_*")
    )
    groups[ADMINISTRATOR].permissions.add(
        *access,
        *_perms(
            Permission,
            "auth.*",
            "catalog.*",
            "alliance.*",
            "wagtailcore.add_workflow",
            "wagtailcore.change_workflow",
            "wagtailcore.delete_workflow",
            "wagtailcore.add_task",
            "wagtailcore.change_task",
            "wagtailcore.delete_task",
            "wagtailcore.add_site",
            "wagtailcore.change_site",
            "wagtailcore.add_collection",
            "wagtailcore.change_collection",
        ),
    )

    root = Page.objects.get(depth=1)
    page_perms = {
        TEACHER: ["add"],
        ADMINISTRATOR: ["add", "change", "publish", "bulk_delete", "lock", "unlock"],
    }
    for group_name, actions in page_perms.items():
        for action in actions:
            GroupPagePermission.objects.get_or_create(
                group=groups[group_name],
                page=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=f"{action}_page"
                ),
            )

    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        collection_perms = {
            TEACHER: [
                "wagtaildocs.add_document",
                "wagtaildocs.choose_document",
                "wagtailimages.add_image",
                "wagtailimages.choose_image",
            ],
            EDITOR: [
                "wagtaildocs.choose_document",
                "wagtailimages.add_image",
                "wagtailimages.choose_image",
            ],
            ADMINISTRATOR: [
                "wagtaildocs.add_document",
                "wagtaildocs.change_document",
                "wagtaildocs.delete_document",
                "wagtaildocs.choose_document",
                "wagtailimages.add_image",
                "wagtailimages.change_image",
                "wagtailimages.delete_image",
                "wagtailimages.choose_image",
            ],
        }
        for group_name, specs in collection_perms.items():
            for permission in _perms(Permission, *specs):
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[group_name],
                    collection=root_collection,
                    permission=permission,
                )

    rubric, created = Rubric.objects.get_or_create(
        name="微课评审量表",
        defaults={
            "description": "联盟微课评审的默认量表（各项 0–10 分，按权重折算为百分制）。",
            "resource_type": "micro_lesson",
        },
    )
    if created:
        for order, (name, description, weight) in enumerate(DEFAULT_CRITERIA):
            RubricCriterion.objects.create(
                rubric=rubric,
                name=name,
                description=description,
                weight=weight,
                max_score=10,
                sort_order=order,
            )

    task_type, _ = ContentType.objects.get_or_create(
        app_label="alliance", model="subjectreviewtask"
    )
    task = SubjectReviewTask.objects.filter(name="学科审核").first()
    if task is None:
        task = SubjectReviewTask.objects.create(
            name="学科审核", content_type=task_type, active=True, reviewer_level="any"
        )
    workflow, _ = Workflow.objects.get_or_create(name="微课审核")
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("alliance", "0001_initial"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
