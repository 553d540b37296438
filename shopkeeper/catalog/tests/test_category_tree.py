"""The category tree reads in tree order, siblings by position, whatever ids the database gave."""

from __future__ import annotations

import pytest

from shopkeeper.catalog import selectors
from shopkeeper.catalog.models import Category


def _node(pk: int, name: str, parent: Category | None = None, position: int = 0) -> Category:
    path = f"{parent.path if parent else ''}{pk}/"
    return Category.objects.create(
        pk=pk, name=name, slug=f"c{pk}", parent=parent, path=path, depth=path.count("/") - 1, position=position
    )


@pytest.mark.django_db
def test_siblings_follow_their_position_not_their_ids_spelled_as_text() -> None:
    # ids 9 and 10: ordered by the path text, "10/" would come before "9/"
    home = _node(9, "家居")
    women = _node(10, "女装")
    dresses = _node(100, "连衣裙", women, position=2)
    coats = _node(11, "外套", women, position=1)
    pillows = _node(12, "枕头", home)

    tree = selectors.category_tree()

    assert [c.name for c in tree] == [home.name, pillows.name, women.name, coats.name, dresses.name]


@pytest.mark.django_db
def test_a_lower_position_puts_a_top_category_first() -> None:
    _node(20, "美妆", position=3)
    _node(21, "数码", position=1)

    assert [c.name for c in selectors.category_tree()] == ["数码", "美妆"]
