"""The precise second pass: what a query is worth piece by piece when no
entry has every word (a typo, a compound word nothing has, an extra word, a
long question).

The strict pass needs every query word. The relaxed pass cuts the query into
*pieces*, each a piece of evidence an entry has or lacks, counts the pieces
each entry has (its coverage) and keeps an entry only when

- it has at least a third of the query's pieces (`min_pieces`: proportional
  to the query, so a long question does not return most of the catalog and a
  query sharing one common word with the catalog, such as 微积分基本定理 with
  定理, returns nothing), and
- it has as many pieces as the best entry, less one for a query of four
  pieces or more (`floor`: the relevance floor, in pieces, so every backend
  keeps the same entries; scores differ between backends, counts do not).

Pieces keep every character's evidence: a Chinese word of more than two
characters counts as its overlapping character bigrams (勾股定里 → 勾股 股定
定里: an entry with 勾股定理 has two of three), a lone character as the
bigram it makes with its neighbour (过去|时 → 去时), and the full pinyin of
each run of words as a *sound* piece, matching the pinyin keys indexed for
titles and knowledge points (欧母定律 → `oumudinglv`, the key of 欧姆定律),
so a homophone typo ranks the lesson it meant first. Sound pieces add to an
entry's coverage but not to the number of pieces a query needs. A synonym
term found in the query is one piece matching any term of its set, counted
as many times as the term has bigrams.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pypinyin import lazy_pinyin

# A piece: (word, alternative lists of parts), like a ParsedQuery group.
Piece = tuple[str, list[list[str]]]

# Sound pieces are made for runs of at most this many characters (a typo
# inside a term; a whole question has no pinyin key).
MAX_SOUND_CHARS = 8
MAX_PIECES = 24


@dataclass(frozen=True)
class RelaxedQuery:
    pieces: list[Piece]  # text pieces: the minimum counts these
    sounds: list[Piece]  # sound (pinyin) pieces: they only add coverage

    @property
    def all_pieces(self) -> list[Piece]:
        return self.pieces + self.sounds

    def __bool__(self) -> bool:
        # With one piece and no sound the relaxed pass is the strict one.
        return len(self.pieces) > 1 or bool(self.sounds)

    @property
    def min_pieces(self) -> int:
        return max(1, math.ceil(len(self.pieces) / 3))

    def floor(self, best: int) -> int:
        """Fewest pieces an entry must have when the best entry has `best`."""
        slack = 1 if len(self.pieces) >= 4 else 0
        return max(self.min_pieces, best - slack)


def _is_cjk_word(word: str) -> bool:
    return all(0x3400 <= ord(c) <= 0x9FFF for c in word)


def relaxed_query(
    sequence: list[str], groups: list[Piece], stop_words: frozenset[str]
) -> RelaxedQuery:
    """Pieces of a query from its jieba words in order (`sequence`, stop words
    and lone characters included) and the synonym groups already taken out
    (`groups`, one piece each, as in the strict pass)."""
    pieces: list[Piece] = []
    for group in groups:
        # A synonym term weighs what its characters would (一元二次方程 as
        # its five bigrams), whichever term of its set an entry has.
        term = group[0]
        pieces += [group] * (len(term) - 1 if _is_cjk_word(term) else 1)
    sounds: list[Piece] = []
    seen = {word for word, _ in groups}

    def add(word: str, into: list[Piece]) -> None:
        if word and word not in seen and len(pieces) + len(sounds) < MAX_PIECES:
            seen.add(word)
            into.append((word, []))

    run: list[str] = []  # adjacent Chinese words, for the sound pieces
    previous = ""
    for word in sequence + [""]:
        cjk = bool(word) and _is_cjk_word(word)
        if cjk and word not in stop_words:
            if len(word) == 2:
                add(word, pieces)
            elif len(word) > 2:
                for i in range(len(word) - 1):
                    add(word[i : i + 2], pieces)
            # A lone character keeps its evidence with its neighbour.
            if previous and (len(word) == 1 or len(previous) == 1):
                add(previous[-1] + word[0], pieces)
            run.append(word)
            previous = word
            continue
        if word and not cjk and word not in stop_words:
            add(word, pieces)
        _add_sounds(run, add, sounds)
        run, previous = [], ""
    return RelaxedQuery(pieces, sounds)


def _add_sounds(run: list[str], add, sounds: list[Piece]) -> None:
    """Full pinyin of every span of adjacent words of 3–8 characters."""
    for start in range(len(run)):
        text = ""
        for word in run[start:]:
            text += word
            if len(text) > MAX_SOUND_CHARS:
                break
            if len(text) >= 3:
                add("".join(lazy_pinyin(text)), sounds)
