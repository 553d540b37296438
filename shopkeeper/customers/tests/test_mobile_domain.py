"""Chinese mobile numbers however a shopper types them: no database, invariants by hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.customers.domain.mobile import mobile_is_valid, mobile_mask, mobile_normalize

MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


@given(MOBILES)
def test_every_carrier_number_is_valid_and_kept_as_typed(mobile: str) -> None:
    assert mobile_is_valid(mobile)
    assert mobile_normalize(mobile) == mobile


@given(
    mobile=MOBILES,
    prefix=st.sampled_from(["", "+86", "+86 ", "0086", "86", "+86-"]),
    cuts=st.lists(st.integers(min_value=1, max_value=10), max_size=3, unique=True),
    separator=st.sampled_from([" ", "-", "\u3000", "  "]),
)
def test_spaces_dashes_and_the_country_code_mean_the_same_number(
    mobile: str, prefix: str, cuts: list[int], separator: str
) -> None:
    typed = mobile
    for cut in sorted(cuts, reverse=True):
        typed = typed[:cut] + separator + typed[cut:]
    assert mobile_normalize(f"{prefix}{typed}") == mobile
    assert mobile_normalize(f" {prefix}{typed} ") == mobile


@given(MOBILES)
def test_full_width_digits_from_a_chinese_input_method_count(mobile: str) -> None:
    assert mobile_normalize(("+86" + mobile).translate(FULL_WIDTH)) == mobile


@given(MOBILES)
def test_normalizing_twice_changes_nothing(mobile: str) -> None:
    once = mobile_normalize(f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}")
    assert once is not None
    assert mobile_normalize(once) == once


@given(mobile=MOBILES, position=st.integers(min_value=0, max_value=10), letter=st.sampled_from("aOl.#x"))
def test_a_letter_anywhere_makes_it_no_number(mobile: str, position: int, letter: str) -> None:
    assert not mobile_is_valid(mobile[:position] + letter + mobile[position + 1 :])


@given(st.from_regex(r"1[0-2][0-9]{9}", fullmatch=True))
def test_numbers_starting_10_to_12_are_not_mobiles(number: str) -> None:
    assert not mobile_is_valid(number)


@given(st.text(max_size=30))
def test_anything_accepted_is_eleven_ascii_digits(text: str) -> None:
    found = mobile_normalize(text)
    if found is not None:
        assert len(found) == 11
        assert found.isascii()
        assert found.isdigit()


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "23800138000",
        "+1 13800138000",
        "8613800138000x",
        "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits are digits to \d, not to us
        "138 0013 8000 " * 3,
    ],
)
def test_not_a_mobile(typed: str) -> None:
    assert not mobile_is_valid(typed)


def test_mask_keeps_the_first_three_and_last_four() -> None:
    assert mobile_mask("13800138000") == "138****8000"
    assert mobile_mask("123") == "123"
