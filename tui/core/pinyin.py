"""Fuzzy matching of Chinese names by characters, pinyin initials or full pinyin.

`武汉测试引导基金` is found by `武汉`, `whcs`, `wuhan`, or a subsequence like `whyd`.
pypinyin takes ~0.4 s to import, so this module is only imported when first needed
(the jump palette's start-up, a filter over a table with pinyin columns) — never at launch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

_KEEP = re.compile(r"[0-9a-z]+")


def _alnum(parts: list[str]) -> str:
    return "".join(_KEEP.findall("".join(parts).casefold()))


@lru_cache(maxsize=16384)
def _readings(text: str) -> tuple[str, ...]:
    """Phrase-aware pinyin of each character (non-Chinese runs come back as one item)."""
    return tuple(lazy_pinyin(text))


@lru_cache(maxsize=None)
def _char_initials(ch: str) -> frozenset:
    readings = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True)
    return frozenset(r[:1].casefold() for r in (readings[0] if readings else []) if r[:1].isalnum())


def initials(text: str) -> str:
    """`武汉测试引导基金（虚构）` → `whcsydjjxg`; letters and digits in the name are kept."""
    if not text:
        return ""
    return _alnum([r if not _is_han(r) else r[:1] for r in _readings(text)])


def _is_han(reading: str) -> bool:
    return reading.isascii() and reading.isalpha() and reading.islower()


def full_pinyin(text: str) -> str:
    return _alnum(list(_readings(text))) if text else ""


def _han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


@lru_cache(maxsize=16384)
def initial_sets(text: str) -> tuple[frozenset, ...]:
    """Per character, every initial it may be read with: 长 → {c, z}, 行 → {h, x}, 重 → {c, z}.

    Phrase segmentation alone misreads names (湖北省长江… is read 省长 + 江); matching the
    query against each character's possible initials finds the fund however it was read,
    and the phrase reading joins each set (it knows 银行 is hang)."""
    if not text:
        return ()
    phrase = iter([r[:1] for r in _readings(text) if _is_han(r)])
    n_han = sum(1 for r in _readings(text) if _is_han(r))
    use_phrase = n_han == sum(1 for c in text if _han(c))
    out = []
    for ch in text:
        if _han(ch):
            s = _char_initials(ch)
            if use_phrase:
                s = s | {next(phrase)}
            if s:
                out.append(frozenset(s))
        elif ch.isascii() and ch.isalnum():
            out.append(frozenset(ch.casefold()))
    return tuple(out)


def _sets_find(q: str, sets: tuple[frozenset, ...]) -> int:
    """Position where q matches sets contiguously (q[i] in sets[pos+i]), or -1."""
    n = len(q)
    for pos in range(len(sets) - n + 1):
        if all(q[i] in sets[pos + i] for i in range(n)):
            return pos
    return -1


def _sets_subsequence(q: str, sets: tuple[frozenset, ...]) -> bool:
    it = iter(sets)
    return all(any(c in s for s in it) for c in q)


def _subsequence(q: str, s: str) -> bool:
    it = iter(s)
    return all(c in it for c in q)


@dataclass(frozen=True)
class Entry:
    key: object
    name: str
    folded: str
    initials: str
    pinyin: str
    sets: tuple = ()


def entry(key, name: str) -> Entry:
    return Entry(key, name, name.casefold(), initials(name), full_pinyin(name), initial_sets(name))


def score(query: str, e: Entry) -> float | None:
    """0 < score ≤ 1 when the query matches, None when it does not. Higher is better."""
    q = "".join(query.casefold().split())
    if not q:
        return None
    # Prefer short names among equal matches (the fund, not its long-named siblings).
    tie = 0.05 / (1 + len(e.name) / 10)
    if e.folded.startswith(q):
        return 0.95 + tie
    if q in e.folded:
        return 0.85 + tie
    pos = _sets_find(q, e.sets) if q.isascii() else -1
    if pos == 0:
        return 0.8 + tie
    if pos > 0:
        return 0.7 + tie
    if q in e.pinyin:
        return 0.6 + tie
    if _subsequence(q, e.folded):
        return 0.45 + tie
    if q.isascii() and _sets_subsequence(q, e.sets):
        return 0.35 + tie
    return None


def search(query: str, entries: list[Entry], limit: int = 50) -> list[tuple[float, Entry]]:
    hits = []
    for e in entries:
        s = score(query, e)
        if s is not None:
            hits.append((s, e))
    hits.sort(key=lambda h: (-h[0], h[1].name))
    return hits[:limit]
