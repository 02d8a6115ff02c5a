from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class ScoreForm(forms.Form):
    """One integer field per rubric criterion, plus free-text notes."""

    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        self.criteria = list(rubric.criteria.all())
        fields = {}
        for criterion in self.criteria:
            fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=_("%(criterion)s (weight %(weight)s)")
                % {"criterion": criterion.name, "weight": criterion.weight},
                min_value=0,
                max_value=criterion.max_score,
                help_text=criterion.description,
                # Sized by alliance/review.css: the CSP refuses style="".
                widget=forms.NumberInput(attrs={"class": "rubric-score"}),
            )
        # Criteria first, notes last.
        fields["notes"] = self.fields.pop("notes")
        self.fields = fields

    def values(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class ReviewDecisionForm(forms.Form):
    """A decision posted to the review page. `task_state` is the review step
    the page showed (catalog.ids rule: anything but 1–18 ASCII digits is no
    step, so
    not this one); the comment is required to return a lesson (services say so)."""

    action = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("request_changes", _("Request changes")),
            ("pick", _("Designate a quality pick")),
        ]
    )
    comment = forms.CharField(
        label=_("Comment to the author"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    task_state = forms.CharField(required=False, widget=forms.HiddenInput)

    def task_state_id(self):
        from catalog.ids import parse_id

        return parse_id(self.cleaned_data.get("task_state") or "")


class PickForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the pick"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeaturedCollectionForm(WagtailAdminModelForm):
    """An editor curates collections of their own stage and subject only, from
    lessons of that scope; administrators curate anything."""

    def _editor(self):
        from .roles import is_administrator

        user = self.for_user
        return None if user is None or is_administrator(user) else user

    def clean(self):
        from .selectors import scope_pairs

        cleaned = super().clean()
        user = self._editor()
        if user is None:
            return cleaned
        stage, subject = cleaned.get("stage"), cleaned.get("subject")
        if stage is None or subject is None:
            raise ValidationError(
                _(
                    "Choose a stage and a subject: editors curate collections "
                    "for the subjects they edit."
                )
            )
        if (stage.pk, subject.pk) not in scope_pairs(user):
            raise ValidationError(
                _("%(stage)s %(subject)s is outside your editing scope.")
                % {"stage": stage, "subject": subject}
            )
        return cleaned

    def is_valid(self):
        # The items' pages are only cleaned with the formsets, after clean().
        valid = super().is_valid()
        user = self._editor()
        if not valid or user is None:
            return valid
        from .selectors import scoped_entries

        stage, subject = self.cleaned_data["stage"], self.cleaned_data["subject"]
        in_scope = scoped_entries(user).filter(stage=stage, subject=subject)
        for form in self.formsets["items"].forms:
            page = form.cleaned_data.get("page")
            if page is None or form.cleaned_data.get("DELETE"):
                continue
            if not in_scope.filter(pk=page.pk).exists():
                form.add_error(
                    "page",
                    _(
                        "“%(title)s” is not in %(stage)s %(subject)s or is "
                        "outside your scope."
                    )
                    % {"title": page.title, "stage": stage, "subject": subject},
                )
                valid = False
        return valid
