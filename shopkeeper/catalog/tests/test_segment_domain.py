"""Word segmentation for search: documents and queries are cut the same way."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shopkeeper.catalog.domain.segment import (
    MAX_QUERY_TERMS,
    document_tokens,
    normalise,
    query_terms,
    stem,
    tokens,
)


def test_chinese_title_is_cut_into_dictionary_words() -> None:
    words = tokens("纯棉四件套床上用品")
    assert "纯棉" in words
    assert "四件套" in words
    assert "床上用品" in words


def test_latin_runs_are_kept_whole_and_in_letter_and_digit_parts() -> None:
    assert tokens("iPhone15 500ml") == ["iphone15", "iphone", "15", "500ml", "500", "ml"]


def test_full_width_and_case_are_folded() -> None:
    assert normalise("ＡＢＣ１２３") == "abc123"
    assert query_terms("ＤＲＥＳＳ") == ["dress"]


def test_documents_carry_single_han_characters() -> None:
    words = document_tokens("法式收腰连衣裙")
    assert "裙" in words
    assert "连衣裙" in words
    assert len(words) == len(set(words))


def test_punctuation_and_search_syntax_are_not_words() -> None:
    assert query_terms('"连衣裙" OR * -:()') == ["连衣裙", "or"]
    assert query_terms("   !!! ，。") == []


def test_queries_are_capped() -> None:
    assert len(query_terms(" ".join(f"w{i}" for i in range(40)))) <= MAX_QUERY_TERMS


def test_english_plurals_meet_their_singular() -> None:
    pairs = [("dress", "dresses"), ("tumbler", "tumblers"), ("box", "boxes"), ("watch", "watches"),
             ("hoodie", "hoodies"), ("berry", "berries"), ("toy", "toys"), ("glass", "glasses")]  # fmt: skip
    for singular, plural in pairs:
        assert stem(singular) == stem(plural), (singular, plural)
    assert [stem(word) for word in ("dress", "cactus", "analysis", "bus", "500ml", "iphone15", "连衣裙")] == [
        "dress", "cactus", "analysis", "bus", "500ml", "iphone15", "连衣裙"
    ]  # fmt: skip
    assert query_terms("Dresses tumblers") == ["dress", "tumbler"]
    assert {"dresses", "dress"} <= set(document_tokens("dresses"))


@settings(max_examples=300, deadline=None)
@given(word=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12))
def test_stemming_twice_changes_nothing_so_a_typed_stem_finds_its_word(word: str) -> None:
    assert stem(stem(word)) == stem(word)
    assert set(query_terms(word)) <= set(document_tokens(word))
    assert set(query_terms(word + "s")) <= set(document_tokens(word + "s"))


han = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12)
mixed = st.text(min_size=0, max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=han)
def test_every_query_word_of_a_text_is_a_word_of_its_document(text: str) -> None:
    """What a shopper types, copied from a title, always finds that title."""
    document = set(document_tokens(text))
    assert set(query_terms(text)) <= document


@settings(max_examples=200, deadline=None)
@given(text=mixed)
def test_any_text_segments_without_error_into_non_empty_words(text: str) -> None:
    for word in [*query_terms(text), *document_tokens(text)]:
        assert word
        assert word == word.strip()
        assert " " not in word
