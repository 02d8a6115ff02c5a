from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm


class ScoreForm(forms.Form):
    """One integer field per rubric criterion, plus free-text notes."""

    notes = forms.CharField(
        label="评语", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        self.criteria = list(rubric.criteria.all())
        fields = {}
        for criterion in self.criteria:
            fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name}（权重 {criterion.weight}）",
                min_value=0,
                max_value=criterion.max_score,
                help_text=criterion.description,
                widget=forms.NumberInput(attrs={"style": "max-width: 8rem"}),
            )
        # Criteria first, notes last.
        fields["notes"] = self.fields.pop("notes")
        self.fields = fields

    def values(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class PickForm(forms.Form):
    reason = forms.CharField(
        label="评选理由", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由", required=True, widget=forms.Textarea(attrs={"rows": 2})
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
                "请选择学段和学科：编辑只能为自己负责的学科编排专题。"
                " / Choose a stage and a subject: editors curate collections"
                " for the subjects they edit."
            )
        if (stage.pk, subject.pk) not in scope_pairs(user):
            raise ValidationError(
                f"您不负责{stage.name}{subject.name}，不能为其编排专题。"
                f" / {stage.name_en or stage.code} {subject.name_en or subject.code}"
                " is outside your editing scope."
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
                    f"《{page.title}》不属于{stage.name}{subject.name}或您的范围。"
                    f" / This entry is not in {stage.name_en or stage.code}"
                    f" {subject.name_en or subject.code} or outside your scope.",
                )
                valid = False
        return valid
