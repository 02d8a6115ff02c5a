"""How a piece of Chinese text sounds: the key "did you mean" compares.

Most misspelt Chinese queries are homophones picked from the input method's
list (勾股定里 for 勾股定理, 欧母定律 for 欧姆定律): the characters differ, the
toneless pinyin does not.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin

from .folding import fold


@lru_cache(maxsize=65536)
def sound_key(text: str) -> str:
    """Toneless pinyin of the folded text, syllables joined by spaces."""
    return " ".join(lazy_pinyin(fold(text)))
