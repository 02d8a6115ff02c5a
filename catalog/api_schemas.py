"""What every route of the JSON API (/api/v1/) shares: its error bodies and the
bounded parameter types.

Routes list the error bodies in `response={...}`, so the OpenAPI schema says
what each status carries; the project's exception handlers (weike/api.py)
render them. Messages are one sentence in the request's language (gettext).
Lives in catalog because search and dashboard both build on it.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field

# Control characters and U+FFFD (what an invalid UTF-8 byte decodes to) never
# belong in a code or a name; PostgreSQL even refuses NUL in any text value.
CLEAN_TEXT = r"^[^\x00-\x1f\x7f\ufffd]*$"


class ParamError(Schema):
    """400: a query parameter is missing, malformed, out of bounds or unknown."""

    param: str
    detail: str


class ApiError(Schema):
    """Any other error: 403, 404, 405, 500."""

    detail: str


def _blank_is_none(value: Any) -> Any:
    # `?stage=` (an empty form field) means "no filter", as it always has.
    return None if value == "" else value


def optional(inner: Any) -> Any:
    """`inner | None`, where an empty value counts as absent."""
    return Annotated[inner | None, BeforeValidator(_blank_is_none)]


def code_or_name(max_length: int) -> Any:
    """A non-empty code or name of at most `max_length` clean characters."""
    return Annotated[
        str, Field(min_length=1, max_length=max_length, pattern=CLEAN_TEXT)
    ]
