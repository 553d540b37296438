"""The `fen` template filter shows fen as yuan and never guesses at non-amounts."""

from __future__ import annotations

from django.template import Context, Template

from shopkeeper.core.domain.money import Money


def render(value: object) -> str:
    return Template("{% load money %}{{ value|fen }}").render(Context({"value": value}))


def test_fen_are_shown_as_yuan() -> None:
    assert render(129900) == "¥1,299.00"
    assert render(-50) == "-¥0.50"
    assert render(Money(800)) == "¥8.00"


def test_anything_else_shows_nothing() -> None:
    assert render("12") == ""
    assert render(None) == ""
    assert render(1.5) == ""
