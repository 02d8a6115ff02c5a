"""The curriculum synonym table administrators edit (Wagtail admin, snippets:
搜索同义词). Applied at query time on every backend (search/synonyms.py)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TERMS = 20
MAX_TERM_LENGTH = 50
# Terms are separated by new lines, commas, slashes or 、 (full-width forms
# fold to these before splitting).
_SEPARATORS = re.compile(r"[\n\r,，/／、;；|]+")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


class SearchSynonym(models.Model):
    terms = models.TextField(
        _("terms"),
        help_text=_(
            "Words or phrases that mean the same, one per line (or separated "
            "by commas or slashes), e.g. 勾股定理 and 毕达哥拉斯定理."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " = ".join(self.term_list())

    def term_list(self) -> list[str]:
        parts = (" ".join(p.split()) for p in _SEPARATORS.split(self.terms or ""))
        return list(dict.fromkeys(p for p in parts if p))

    def clean(self):
        if _UNPRINTABLE.search(self.terms or ""):
            raise ValidationError(
                {"terms": _("Terms must not contain control characters.")}
            )
        terms = self.term_list()
        if len(terms) < 2:
            raise ValidationError({"terms": _("Give at least two terms.")})
        if len(terms) > MAX_TERMS:
            raise ValidationError(
                {"terms": _("Give at most %(n)d terms.") % {"n": MAX_TERMS}}
            )
        if any(len(term) > MAX_TERM_LENGTH for term in terms):
            raise ValidationError(
                {
                    "terms": _("A term may have at most %(n)d characters.")
                    % {"n": MAX_TERM_LENGTH}
                }
            )


class SearchVocabulary(models.Model):
    """The last "did you mean" vocabulary (search/did_you_mean.py), built by a
    background task after entries change and read by every process; one row.
    Searches keep using it until a newer one is saved."""

    built_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        verbose_name = _("search vocabulary")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.built_at:%Y-%m-%d %H:%M}"


class PendingIndexUpdate(models.Model):
    """A catalog entry whose index update failed (the engine was down or
    refused it): the save stood, the index is behind. The row
    says which entry, since when and why; the reconcile job
    re-indexes (or removes) every pending entry first, then deletes the mark,
    and a later successful update of the entry clears it too. Keyed by the
    engine's index name, so two engines keep their own marks."""

    page_id = models.PositiveIntegerField()
    index = models.CharField(max_length=200)
    since = models.DateTimeField(auto_now_add=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page_id", "index"], name="search_pending_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.index}: {self.page_id}"
