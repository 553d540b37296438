"""Words of product text and of search queries: Chinese split by jieba, latin words and numbers kept.

Documents and queries are cut the same way (NFKC, lower case, jieba's dictionary without its HMM
guesser, which would join unknown characters differently depending on their neighbours), so a word
typed in the search box is a word of the product it names. Documents also carry every Han character
on its own, so that a one-character query such as 裙 finds 连衣裙, and the stem of every English
word (`stem`), so that "dress" finds "dresses" and "tumblers" finds "tumbler".
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator

import jieba  # type: ignore[import-untyped]  # jieba ships no type information

# The most words a query is cut into; the rest are dropped rather than making every search slower.
MAX_QUERY_TERMS = 12

jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A run of Han characters, or a run of other letters and digits (latin, kana, hangul, …).
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<word>[^\W_{_HAN}]+)")
# A latin run split where letters meet digits: "500ml" → "500", "ml"; "iphone15" → "iphone", "15".
_PARTS = re.compile(r"\d+|[^\W\d_]+")


@functools.cache
def _dictionary() -> None:
    """Load jieba's dictionary once, on first use (about half a second), not at import."""
    jieba.initialize()


def prepare() -> None:
    """Load the dictionary now: a web server does this as it starts, so no shopper's first search
    waits for it."""
    _dictionary()


def normalise(text: str) -> str:
    """Full-width forms folded to ASCII (ＡＢＣ１ → abc1) and everything in lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _han_words(run: str, *, search_mode: bool) -> Iterator[str]:
    _dictionary()
    cut = jieba.cut_for_search(run, HMM=False) if search_mode else jieba.cut(run, HMM=False)
    for word in cut:
        word = str(word).strip()
        if word:
            yield word


def _runs(text: str) -> Iterator[tuple[bool, str]]:
    for match in _RUNS.finditer(normalise(text)):
        if match.group("han"):
            yield True, match.group("han")
        else:
            yield False, match.group("word")


def tokens(text: str) -> list[str]:
    """The words of `text` in order, for an index: jieba's search mode, which also yields the shorter
    dictionary words inside a long one (四件套 → 四件, 件套, 四件套), and each latin/number run whole
    and in its letter and digit parts (500ml → 500ml, 500, ml). Punctuation, symbols and spaces go."""
    found: list[str] = []
    for is_han, run in _runs(text):
        if is_han:
            found.extend(_han_words(run, search_mode=True))
            continue
        found.append(run)
        parts = _PARTS.findall(run)
        if len(parts) > 1:
            found.extend(parts)
    return found


def stem(word: str) -> str:
    """Light English stemming, so that a plural and its singular meet: dresses → dress, tumblers →
    tumbler, boxes → box, watches → watch, hoodies → hoodie. A consonant's y turns into ie, so that
    berry and berries both become berrie (the stem is only ever an index word, never shown).
    Words of three letters or fewer, words ending in ss, us or is (dress, cactus, analysis), and
    anything that is not plain ASCII letters stay as they are. Irregular plurals (knives, feet)
    are not handled."""
    if len(word) <= 3 or not (word.isascii() and word.isalpha()):
        return word
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        word = word[:-1] + "ie"
    return word


def document_tokens(*texts: str) -> list[str]:
    """The distinct words of the texts as stored in the search index: `tokens`, the stem of each
    English word (so dress finds dresses) and every Han character on its own (so 裙 finds 连衣裙),
    first occurrence first."""
    words = _distinct(word for text in texts for word in tokens(text))
    seen = set(words)
    for word in list(words):
        stemmed = stem(word)
        if stemmed not in seen:
            seen.add(stemmed)
            words.append(stemmed)
    for text in texts:
        for is_han, run in _runs(text):
            if not is_han:
                continue
            for char in run:
                if char not in seen:
                    seen.add(char)
                    words.append(char)
    return words


def query_terms(q: str) -> list[str]:
    """The distinct words a query must all match, in the order typed: jieba's precise mode (the
    longest dictionary words, each of which is also a search-mode word of the same text) and the
    letter and digit parts of latin runs, English words as their stems, at most MAX_QUERY_TERMS."""
    terms: list[str] = []
    for is_han, run in _runs(q):
        if is_han:
            terms.extend(_han_words(run, search_mode=False))
        else:
            terms.extend(stem(part) for part in _PARTS.findall(run))
    return _distinct(terms)[:MAX_QUERY_TERMS]


def completes(term: str) -> bool:
    """Whether the last word of a query is also matched as the start of a longer word ("tumb" finds
    tumblers): every word but a number, where "1" would find 15 and 100."""
    return not term.isdigit()


def _distinct(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))
