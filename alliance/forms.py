from django import forms


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
