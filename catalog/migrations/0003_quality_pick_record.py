"""The quality-pick flag leaves the (revisioned) page for its own record:
create QualityPick, copy the current flags into it, then drop the fields."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def copy_flags(apps, schema_editor):
    entries = apps.get_model("catalog", "CatalogEntryPage")
    picks = apps.get_model("catalog", "QualityPick")
    rows = entries.objects.filter(is_quality_pick=True).values_list(
        "pk", "quality_picked_by_id", "quality_picked_at", "last_published_at"
    )
    picks.objects.bulk_create(
        picks(
            page_id=pk,
            picked_by_id=by,
            # A flag without a date (set by hand) counts from its publication.
            picked_at=at or published or timezone.now(),
        )
        for pk, by, at, published in rows.iterator()
    )


def copy_back(apps, schema_editor):
    entries = apps.get_model("catalog", "CatalogEntryPage")
    picks = apps.get_model("catalog", "QualityPick")
    for pick in picks.objects.all().iterator():
        entries.objects.filter(pk=pick.page_id).update(
            is_quality_pick=True,
            quality_picked_by_id=pick.picked_by_id,
            quality_picked_at=pick.picked_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_view_count"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="QualityPick",
            fields=[
                (
                    "page",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="quality_pick",
                        serialize=False,
                        to="catalog.catalogentrypage",
                        verbose_name="entry",
                    ),
                ),
                (
                    "picked_at",
                    models.DateTimeField(
                        db_index=True, verbose_name="quality pick designated at"
                    ),
                ),
                (
                    "picked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="quality pick designated by",
                    ),
                ),
            ],
            options={
                "verbose_name": "quality pick",
                "verbose_name_plural": "quality picks",
            },
        ),
        migrations.RunPython(copy_flags, copy_back),
        migrations.RemoveField(model_name="catalogentrypage", name="is_quality_pick"),
        migrations.RemoveField(model_name="catalogentrypage", name="quality_picked_at"),
        migrations.RemoveField(model_name="catalogentrypage", name="quality_picked_by"),
    ]
