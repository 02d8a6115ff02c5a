"""The admin form of lessons and resources.

Fields that take an object id offer, and accept, only what the request user
may use: a crafted POST with any other id is a form error like a wrong choice.
The rules belong to the apps that own them (who may attach a video:
media_pipeline; who may be named author: alliance) and reach this form through
the `limit_catalog_entry_field` Wagtail hook, so catalog imports neither.

A hook is called as `hook(name, field, user, entry)` for each limited field
(`name` is "formset.field" for a field of the inline forms, e.g.
"attachments.document") and returns True when it has narrowed that field.
A limited field no hook answers for offers nothing: a missing rule fails
closed, never open.
"""

from django import forms
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminPageForm

from .chapter_rules import chapter_errors
from .ids import parse_id

LIMIT_FIELD_HOOK = "limit_catalog_entry_field"

# The id-taking fields whose choices depend on who is editing ("formset.field"
# for a field of each inline form). The taxonomy (grade, edition, school,
# district, knowledge points) is public reference data anyone may pick; the
# model's clean() keeps it consistent.
LIMITED_FIELDS = ("video", "author", "attachments.document")


def _check_id(field, value):
    if parse_id(value) is None:
        raise forms.ValidationError(
            field.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class StrictIdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for forms that take an id from the browser."""

    def to_python(self, value):
        if value not in self.empty_values:
            _check_id(self, value)
        return super().to_python(value)


class StrictIdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            _check_id(self, pk)
        return super()._check_values(value)


class RefusedIdNotEchoed(forms.BoundField):
    """A refused id is not rendered back into its widget: a chooser widget
    looks the id up to show its title (someone else's video title; a 500 on
    an id that is not a number). The field shows its initial value instead."""

    def value(self):
        if self.form.is_bound and self.errors:
            return self.initial
        return super().value()


class CatalogEntryPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form in self._all_forms():
            for field in form.fields.values():
                if isinstance(field, forms.ModelChoiceField):
                    field.bound_field_class = RefusedIdNotEchoed
        for path in LIMITED_FIELDS:
            for field in self._fields_at(path):
                self._limit(path, field)

    def _all_forms(self):
        yield self
        for formset in self.formsets.values():
            yield from formset.forms

    def _fields_at(self, path):
        """The field `path` names: on this form, or on each inline form of a
        formset (the forms a POST submits; the empty template form posts nothing)."""
        formset_name, _, name = path.rpartition(".")
        if not formset_name:
            owners = [self]
        else:
            formset = self.formsets.get(formset_name)
            owners = formset.forms if formset is not None else []
        return [form.fields[name] for form in owners if name in form.fields]

    def _limit(self, path, field):
        for hook in hooks.get_hooks(LIMIT_FIELD_HOOK):
            if hook(path, field, self.for_user, self.instance):
                return
        field.queryset = field.queryset.none()


class LessonPageForm(CatalogEntryPageForm):
    """Chapters are checked against the knowledge points and the video this
    form carries (the author may add a point and its chapter in one edit)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for form in self._chapter_forms():
            form.instance.checked_by_page_form = True
            field = form.fields.get("knowledge_point")
            if field is not None:
                # An id from the browser: 1-18 digits, or an invalid choice.
                strict = StrictIdChoiceField(
                    queryset=field.queryset,
                    widget=field.widget,
                    label=field.label,
                    required=field.required,
                )
                strict.bound_field_class = RefusedIdNotEchoed
                form.fields["knowledge_point"] = strict

    def _chapter_forms(self):
        formset = self.formsets.get("chapters")
        return formset.forms if formset is not None else []

    def clean(self):
        cleaned = super().clean()
        points = cleaned.get("knowledge_points")
        point_ids = [kp.pk for kp in points] if points is not None else []
        video = cleaned.get("video")
        duration = getattr(video, "duration", None)
        formset = self.formsets.get("chapters")
        if formset is None:
            return cleaned
        formset.is_valid()  # cleans each chapter form; errors are its own
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            kp = data.get("knowledge_point")
            errors = chapter_errors(
                data.get("start_seconds"), kp.pk if kp else None, point_ids, duration
            )
            for field, message in errors.items():
                form.add_error(field, message)
        return cleaned
