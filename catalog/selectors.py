"""Read-side queries of the catalog (HackSoftware styleguide: selectors)."""

# The home page's context needs it, so it lives beside the page models (a
# model importing a selector would close an import cycle).
from .models.pages import stage_subject_counts  # noqa: F401
