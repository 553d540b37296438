"""The banned-word scanner: exact words, exact positions, longest match, width- and case-blind."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.catalog.domain.compliance import DEFAULT_BANNED_WORDS, BannedTerm, ComplianceChecker

CHECKER = ComplianceChecker(BannedTerm(word, kind) for word, kind in DEFAULT_BANNED_WORDS)


def test_reports_word_and_position() -> None:
    hits = CHECKER.scan({"title": "拾光 第一品牌 连衣裙"})
    assert [(h.field, h.start, h.end, h.word) for h in hits] == [("title", 3, 7, "第一品牌")]
    assert hits[0].describe() == "title[3:7] 第一品牌"


def test_longest_word_wins_and_every_occurrence_counts() -> None:
    hits = CHECKER.scan({"description": "最好的面霜，最便宜"})
    assert [h.word for h in hits] == ["最好", "最便宜"]


def test_width_and_case_do_not_hide_a_word() -> None:
    hits = CHECKER.scan({"title": "保湿霜 １００％ 有效", "description": "top1 no.1"})
    assert {h.word for h in hits} == {"１００％", "top1", "no.1"}
    full_width = next(h for h in hits if h.word == "１００％")
    assert (full_width.start, full_width.end) == (4, 8)


def test_list_fields_are_scanned_item_by_item() -> None:
    hits = CHECKER.scan({"selling_points": ["亲肤", "国家级认证"]})
    assert [(h.field, h.word) for h in hits] == [("selling_points[1]", "国家级")]


def test_clean_copy_and_empty_list() -> None:
    assert CHECKER.scan({"title": "北欧风纯棉四件套 1.8m床"}) == []
    assert ComplianceChecker([]).scan({"title": "最好"}) == []


@given(
    prefix=st.text(max_size=30),
    suffix=st.text(max_size=30),
    word=st.sampled_from([w for w, _k in DEFAULT_BANNED_WORDS]),
)
def test_any_banned_word_is_found_where_it_stands(prefix: str, suffix: str, word: str) -> None:
    text = prefix + word + suffix
    hits = CHECKER.scan({"title": text})
    assert hits, text
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert hit.word == text[hit.start : hit.end]
    # Some hit covers the inserted word's first character.
    assert any(hit.start <= len(prefix) < hit.end for hit in hits) or any(
        hit.start < len(prefix) + len(word) and hit.end > len(prefix) for hit in hits
    )


@given(st.text(max_size=200))
def test_never_raises_and_positions_are_consistent(text: str) -> None:
    for hit in CHECKER.scan({"title": text}):
        assert hit.word == text[hit.start : hit.end]
