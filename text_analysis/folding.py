"""What every indexed or queried string is compared as, on every backend.

Width and compatibility forms fold by NFKC (`Ｅｘｃｅｌ２` → `Excel2`), case by
lowercasing, and traditional characters to simplified by OpenCC's `t2s`
conversion (`電磁感應` → `电磁感应`), before jieba sees the text: the catalog is
written in simplified Chinese, but teachers in Hong Kong, Taiwan or with a
traditional input method type traditional. Core Elasticsearch has neither
`cjk_width` nor an ICU/STConvert filter, so all of this happens here.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")


def nfkc(text: str) -> str:
    """Width and compatibility folding (`Ｅｘｃｅｌ２` → `Excel2`, `ｶﾅ` → `カナ`)."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """`text` with traditional characters (and phrases) as simplified."""
    return _T2S.convert(text) if text else text


def normalise(text: str) -> str:
    """NFKC, then traditional → simplified: the form segmented and indexed."""
    return simplified(nfkc(text))


def fold(text: str) -> str:
    """What every indexed or queried string is compared as: NFKC, simplified,
    lowercase."""
    return normalise(text).lower()
