"""The campaign calendar shows a group buy next to the promotions, on its days, linked to its page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shopkeeper.core.enums import Role
from shopkeeper.promotions import selectors
from shopkeeper.promotions.groupbuy.models import GroupBuy
from shopkeeper.promotions.groupbuy.tests.conftest import groupbuy  # noqa: F401  (fixture)
from shopkeeper.promotions.tests.test_console_and_api import staff_client

pytestmark = pytest.mark.django_db


def test_the_calendar_lays_out_a_group_buy_on_its_days(groupbuy: GroupBuy) -> None:  # noqa: F811
    today = timezone.localdate()
    month = selectors.promotion_calendar(today.year, today.month)
    [entry] = [entry for entry in month.entries if entry.kind == "groupbuy"]
    assert (entry.name, entry.object_id, entry.url_name) == ("保温杯 3人团", groupbuy.pk, "console:groupbuy_detail")
    assert entry in month.by_day[today.day]
    page = staff_client("campaign", Role.CAMPAIGN_OPERATOR).get("/console/promotions/calendar/").content.decode()
    assert 'data-kind="groupbuy"' in page
    assert f"/console/groupbuys/{groupbuy.pk}/" in page
