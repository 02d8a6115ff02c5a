"""Object ids as a client may send them, read by one rule everywhere.

An id is 1–18 ASCII digits, which fits a 64-bit column. Anything else
(letters, signs, spaces, fullwidth or superscript digits, 2**63) names no
row: it is refused before the database sees it, where a number past the
integer range raises OverflowError instead of "no such row".
"""

import re

ID_PATTERN = "[0-9]{1,18}"
ID = re.compile(ID_PATTERN)


def parse_id(value) -> int | None:
    """The id `value` spells, or None when it spells none."""
    text = str(value)
    return int(text) if ID.fullmatch(text) else None
