"""Chinese text analysis shared by every backend.

The database backend, OpenSearch and Elasticsearch receive text that is
already segmented here (jieba, search mode) and folded (NFKC, traditional →
simplified, lowercase: text_analysis/folding.py), and queries are treated the
same way, so a query matches the same documents on every backend. See docs/search.md.
"""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache

import jieba
from pypinyin import lazy_pinyin

from .folding import fold, normalise
from .relaxed import RelaxedQuery, relaxed_query
from .synonyms import SynonymTable

jieba.setLogLevel(logging.WARNING)

# Longest query we analyse; the rest of a 10,000-character paste is ignored.
MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 12
# Particles that carry no meaning as a query word on their own.
STOP_WORDS = frozenset("的 了 和 与 及 在 是 之 或 等 中 课 一个".split())
# Words that make a query a question and say nothing about its topic: no
# evidence in the relaxed pass, where a long question would otherwise need
# a third of its pieces from words no lesson has (为什么 看起来 in
# 光从空气斜射入水中为什么筷子看起来折断了). The strict pass keeps them.
QUESTION_WORDS = frozenset(
    "为什么 为何 怎么 怎样 怎么样 如何 什么 哪些".split()
) | frozenset("哪个 哪里 多少 是否 能否 吗 呢 吧 看起来 一下".split())
# Words that are no pieces of the relaxed pass.
RELAXED_SKIPPED = STOP_WORDS | QUESTION_WORDS

_TOKEN = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"^[a-z]+$")
# A Chinese character standing alone between spaces, next to another one
# (`鸡 兔 同 笼`, `勾 股 定理`): typed apart, meant together.
_SPACED_CHAR = re.compile(
    r"(?<![\w])([\u3400-\u9fff])\s+(?=[\u3400-\u9fff](?:\s|$|[\u3400-\u9fff]))"
)


def _tokens(words) -> list[str]:
    out = []
    for word in words:
        for token in _TOKEN.findall(word.lower()):
            token = token.strip("_")
            if token:
                out.append(token)
    return out


def _bigrams(word: str) -> list[str]:
    return [word[i : i + 2] for i in range(len(word) - 1)]


def _is_cjk(word: str) -> bool:
    return bool(_CJK.match(word))


@lru_cache(maxsize=4096)
def segment(text: str) -> str:
    """Index form of a text: jieba search-mode words joined by spaces, plus the
    character bigrams of every longer Chinese word (so 勾股 finds 勾股定理 even
    where jieba keeps the four characters together)."""
    if not text:
        return ""
    out = []
    for token in _tokens(jieba.cut_for_search(normalise(str(text)))):
        out.append(token)
        if len(token) > 2 and _is_cjk(token):
            out.extend(_bigrams(token))
    return " ".join(out)


# Prefix keys: from each word's start, full pinyin of 2–6 syllables and
# initials of 3–8 letters, so `gougu`, `ercihanshu` and `ggdldz` are keys.
PREFIX_SYLLABLES = (2, 6)
PREFIX_INITIALS = (3, 8)
# Longer texts (summaries) give prefix keys for their start only.
PREFIX_TEXT_CHARS = 60


# Cached: titles and knowledge-point names repeat across entries, and modelsearch
# reads every search field once for each index column (three times a document).
@lru_cache(maxsize=16384)
def pinyin_text(text: str) -> str:
    """Pinyin keys of a text: per word initials and full pinyin, the whole
    phrase's initials, and prefixes of the pinyin from each word on, so
    `gg dl`, `ggdl`, `gougu`, `gougudingli` and `ggdldz` all find 勾股定理的证明."""
    if not text:
        return ""
    keys: list[str] = []
    text = normalise(str(text))
    for match in re.finditer(r"[\u3400-\u9fff]+", text):
        run = match.group()
        words = list(jieba.cut(run))
        syllables = [lazy_pinyin(word) for word in words]
        for word, sounds in zip(words, syllables, strict=True):
            initials = "".join(s[0] for s in sounds)
            keys += [initials, "".join(sounds)]
            if len(word) > 2:  # 勾股定理 → gg gd dl, so `gg dl` finds it
                keys += [initials[i : i + 2] for i in range(len(initials) - 1)]
        keys.append("".join(s[0] for sounds in syllables for s in sounds))
        if match.start() < PREFIX_TEXT_CHARS:
            keys += _prefix_keys(syllables)
    return " ".join(dict.fromkeys(_tokens(keys)))


def _prefix_keys(syllables: list[list[str]]) -> list[str]:
    """Pinyin prefixes starting at each word of a run (see PREFIX_*)."""
    keys = []
    for start in range(len(syllables)):
        flat = [s for sounds in syllables[start:] for s in sounds]
        low, high = PREFIX_SYLLABLES
        keys += ["".join(flat[:n]) for n in range(low, min(high, len(flat)) + 1)]
        initials = "".join(s[0] for s in flat)
        low, high = PREFIX_INITIALS
        keys += [initials[:n] for n in range(low, min(high, len(initials)) + 1)]
    return keys


class ParsedQuery:
    """A user query cut into words; each word may also match as its parts.

    `groups` holds one entry per query word: the word itself and, for a long
    word, alternative lists of parts (all parts of one list must match). A document
    matches when every group matches (strict) or any group (relaxed).
    """

    def __init__(
        self,
        raw: str,
        synonyms: SynonymTable | None = None,
        join_singles: bool = False,
    ):
        self.raw = raw or ""
        text = _rejoin(normalise(self.raw[:MAX_QUERY_CHARS]))
        typed_alone = {t for t in text.lower().split() if len(t) == 1}
        self.groups: list[tuple[str, list[list[str]]]] = []
        self.words = []
        if synonyms:
            # A curriculum term is one group matching any term of its set;
            # the rest of the query is cut into words as usual.
            folded = text.lower()
            rest = []
            pos = 0
            for start, end, term in synonyms.find(folded):
                rest.append(text[pos:start])
                pos = end
                if term not in self.words:
                    self.words.append(term)
                    alternatives: list[list[str]] = []
                    for synonym in synonyms.synonyms(term):
                        words = _term_words(synonym)
                        for option in [words] + (
                            _parts(words[0]) if len(words) == 1 else []
                        ):
                            if option and option not in alternatives:
                                alternatives.append(option)
                    self.groups.append((term, alternatives))
            rest.append(text[pos:])
            text = " ".join(rest)
        self._synonym_groups = len(self.groups)
        words = _tokens(jieba.cut(_pinyin_mixes(text.lower())))
        # In order, stop words and lone characters included: the relaxed
        # pass keeps their evidence (text_analysis/relaxed.py).
        self.sequence = words
        # With join_singles, a lone character is kept on its neighbour
        # (过去|时 → 过去时); the selector falls back to dropping it when
        # that finds nothing (a typo: 勾|股定|里).
        self.joined = False
        if join_singles:
            words, self.joined = _join_singles(words)
        kept = [w for w in words if w not in STOP_WORDS] or words
        if self.groups:
            kept = [w for w in words if w not in STOP_WORDS]
        seen: list[str] = []
        for word in kept:
            if word not in seen and word not in self.words:
                seen.append(word)
        # A lone Chinese character jieba cuts off is rarely an indexed word
        # (数 in 函数): it only counts when the query has nothing else. One
        # typed as a word of its own (`六年级 圆`) is meant, and counts.
        strong = [
            w for w in seen if not (len(w) == 1 and _is_cjk(w) and w not in typed_alone)
        ]
        if strong or self.groups:
            seen = strong
        room = MAX_QUERY_WORDS - len(self.groups)
        for word in seen[:room]:
            self.words.append(word)
            self.groups.append((word, _parts(word)))

    def __bool__(self) -> bool:
        return bool(self.words)

    @property
    def relaxed(self) -> RelaxedQuery:
        """Pieces for the precise second pass (text_analysis/relaxed.py)."""
        return relaxed_query(
            self.sequence,
            self.groups[: self._synonym_groups],
            RELAXED_SKIPPED,
        )

    @property
    def terms(self) -> list[str]:
        """Every word and part, longest first (used for highlighting)."""
        all_terms = set(self.words)
        for _, alternatives in self.groups:
            for parts in alternatives:
                all_terms.update(parts)
        return sorted(all_terms, key=len, reverse=True)


def _join_singles(words: list[str]) -> tuple[list[str], bool]:
    """Lone Chinese characters (not particles) joined to the Chinese word
    before them, or after them at the start: (words, whether any was)."""
    out: list[str] = []
    joined = False

    def joinable(word: str) -> bool:
        return _is_cjk(word) and word not in STOP_WORDS

    for word in words:
        if out and joinable(word) and joinable(out[-1]):
            if len(word) == 1 or len(out[-1]) == 1:
                out[-1] += word
                joined = True
                continue
        out.append(word)
    return out, joined


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (ü as v, as lazy_pinyin writes it)."""
    from pypinyin.constants import PINYIN_DICT
    from pypinyin.contrib.tone_convert import to_normal

    return frozenset(
        to_normal(reading)
        for readings in PINYIN_DICT.values()
        for reading in readings.split(",")
    )


def _is_pinyin(latin: str) -> bool:
    """`latin` splits into pinyin syllables (gu, oumu; not dna, x)."""
    syllables = _syllables()
    ends = {0}
    for end in range(1, len(latin) + 1):
        if any(latin[start:end] in syllables for start in ends if end - start <= 6):
            ends.add(end)
    return len(latin) in ends


_MIXED = re.compile(
    r"[a-z\u3400-\u9fff]*(?:[a-z][\u3400-\u9fff]|[\u3400-\u9fff][a-z])[a-z\u3400-\u9fff]*"
)


def _pinyin_mixes(text: str) -> str:
    """A word typed half in characters, half in pinyin (勾gu定理, ou姆定律, 浮li:
    the input method was switched mid-word) becomes its full pinyin, one of the
    pinyin keys every title and knowledge point is indexed with. Latin that is
    not pinyin (DNA复制, x的平方) is left as typed."""

    def convert(match: re.Match) -> str:
        word = match.group()
        if all(_is_pinyin(latin) for latin in re.findall(r"[a-z]+", word)):
            return "".join(lazy_pinyin(word))
        return word

    return _MIXED.sub(convert, text)


def _rejoin(text: str) -> str:
    """Remove the spaces around single Chinese characters typed apart."""
    previous = None
    while previous != text:
        previous, text = text, _SPACED_CHAR.sub(r"\1", text)
    return text


def _term_words(term: str) -> list[str]:
    """The words a synonym term is found as (all must match)."""
    words = _tokens(jieba.cut(term))
    return [w for w in words if w not in STOP_WORDS] or words


def _parts(word: str) -> list[list[str]]:
    """Other ways `word` can be present when it is not an indexed word itself,
    each a list of pieces that must all match: search-mode sub-words with single
    characters for gaps (圆面积 → 圆 面积), and character bigrams (光合作用 →
    光合 作用)."""
    if not (len(word) > 2 and _is_cjk(word)):
        return []
    subwords = [p for p in _tokens(jieba.cut_for_search(word)) if p != word]
    alternatives = []
    for cover in (_covering(word, subwords, singles=True), _bigram_cover(word)):
        if cover and len(cover) > 1 and cover not in alternatives:
            alternatives.append(cover)
    return alternatives


def _bigram_cover(word: str) -> list[str]:
    cover = [word[i : i + 2] for i in range(0, len(word) - 1, 2)]
    if len(word) % 2:
        cover.append(word[-2:])
    return cover


def _covering(word: str, parts: list[str], singles: bool = False) -> list[str]:
    """A left-to-right cover of `word` by the longest parts (single characters
    fill gaps when `singles`), or []."""
    cover, pos = [], 0
    while pos < len(word):
        best = max((p for p in parts if word.startswith(p, pos)), key=len, default=None)
        if best is None:
            if not singles:
                return []
            best = word[pos]
        cover.append(best)
        pos += len(best)
    return cover


def highlight(text: str, terms: list[str], limit: int | None = None) -> str:
    """HTML-escaped `text` with every term wrapped in <mark>, optionally cut to
    a window of `limit` characters around the first match."""
    text = text or ""
    # Terms are folded (NFKC, simplified, lowercase): find them in the folded text and
    # map each match back to the characters it came from.
    folded, origin = [], []
    for i, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        origin.extend([i] * len(piece))
    lowered = "".join(folded)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        start = 0
        while (pos := lowered.find(term, start)) != -1:
            start = pos + len(term)
            idx, end = origin[pos], origin[start - 1] + 1
            if not any(s < end and idx < e for s, e in spans):
                spans.append((idx, end))
    spans.sort()
    offset = 0
    if limit and len(text) > limit:
        first = spans[0][0] if spans else 0
        offset = max(0, min(first - limit // 4, len(text) - limit))
        text = text[offset : offset + limit]
        spans = [
            (s - offset, min(e - offset, limit))
            for s, e in spans
            if s >= offset and s - offset < limit
        ]
    out, pos = [], 0
    for s, e in spans:
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    prefix = "…" if offset else ""
    return prefix + "".join(out)
