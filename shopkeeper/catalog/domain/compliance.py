"""Scan product copy for words the advertising law bans (极限词: 最, 第一, 国家级, 100% …).

`scan` reports every hit with the field, the word and its exact position in the original text,
so the operator sees "title[4:6] 第一". Matching ignores letter case and full-width/half-width
differences (１００％ is 100%), and the longest banned word wins where two overlap (最佳 over 最).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class BannedTerm:
    word: str
    kind: str = "extreme"


@dataclass(frozen=True, order=True)
class Hit:
    field: str
    start: int
    end: int
    word: str
    kind: str

    def describe(self) -> str:
        return f"{self.field}[{self.start}:{self.end}] {self.word}"


def _fold(text: str) -> str:
    """Case- and width-fold character by character, so positions stay those of the original."""
    folded = []
    for char in text:
        normal = unicodedata.normalize("NFKC", char).lower()
        folded.append(normal if len(normal) == 1 else char)
    return "".join(folded)


class ComplianceChecker:
    """Compiled once from the banned-word list; scanning is then one regex pass per field."""

    def __init__(self, terms: Iterable[BannedTerm]) -> None:
        self._kinds: dict[str, tuple[str, str]] = {}
        for term in terms:
            word = term.word.strip()
            if word:
                self._kinds.setdefault(_fold(word), (word, term.kind))
        alternatives = sorted(self._kinds, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(word) for word in alternatives)) if alternatives else None

    def scan_text(self, field: str, text: str) -> list[Hit]:
        if self._pattern is None or not text:
            return []
        hits = []
        for match in self._pattern.finditer(_fold(text)):
            _word, kind = self._kinds[match.group(0)]
            hits.append(
                Hit(
                    field=field, start=match.start(), end=match.end(), word=text[match.start() : match.end()], kind=kind
                )
            )
        return hits

    def scan(self, fields: Mapping[str, str | Iterable[str]]) -> list[Hit]:
        """Scan named fields; a list field (selling points) is scanned item by item as field[i]."""
        hits: list[Hit] = []
        for name, value in fields.items():
            if isinstance(value, str):
                hits.extend(self.scan_text(name, value))
            else:
                for index, item in enumerate(value):
                    hits.extend(self.scan_text(f"{name}[{index}]", item))
        return sorted(hits)


# A starting list for a new shop (the platform admin maintains the real one in the console).
DEFAULT_BANNED_WORDS: tuple[tuple[str, str], ...] = (
    *((word, "extreme") for word in (
        "最", "最佳", "最好", "最优", "最强", "最低价", "最高级", "最便宜", "最先进", "最新科技",
        "第一", "第一品牌", "NO.1", "No1", "TOP1", "首个", "首选", "独家", "唯一", "顶级", "极致",
        "全网最低", "史无前例", "万能", "王牌", "冠军", "销量冠军", "领导品牌", "世界级", "全球级",
    )),
    *((word, "authority") for word in (
        "国家级", "国家免检", "国家领导人", "特供", "专供", "驰名商标", "质量免检", "权威", "官方推荐",
    )),
    *((word, "absolute") for word in (
        "绝对", "100%", "百分之百", "永久", "无副作用", "零风险", "根治", "药到病除", "立竿见影", "秒杀全网",
    )),
)  # fmt: skip
