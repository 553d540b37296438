"""Words the project-wide catalogue translates differently (LOCALE_PATHS wins over app catalogues)
carry a context, so the after-sales and fulfilment pages say what they mean in Chinese."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from shopkeeper.aftersales.enums import EVENT_LABELS, OrderStage, RuleStageChoice


def test_after_sales_labels_are_not_shadowed_by_the_project_catalogue() -> None:
    with translation.override("zh-hans"):
        assert str(EVENT_LABELS["applied"]) == "已申请"
        assert str(OrderStage.DELIVERED.label) == "已收货"
        assert str(RuleStageChoice.DELIVERED.label) == "已收货"


def test_fulfilment_and_queue_headers_are_not_shadowed() -> None:
    template = Template(
        '{% load i18n %}{% translate "Warehouse" context "fulfilment" %}|'
        '{% translate "Shipment" context "fulfilment" %}|{% translate "Applied" context "after-sales" %}|'
        '{% translate "Timeline" context "after-sales" %}'
    )
    with translation.override("zh-hans"):
        assert template.render(Context()) == "仓库|包裹|已申请|进度"


def test_shipment_delivered_reads_as_signed_for_like_the_warehouse_guide() -> None:
    from shopkeeper.fulfillment.enums import PushStatus, ShipmentStatus, TrackingKind

    with translation.override("zh-hans"):
        assert str(ShipmentStatus.DELIVERED.label) == "已签收"
        assert str(TrackingKind.DELIVERED.label) == "已签收"
        assert str(PushStatus.SCHEDULED.label) == "待推送"


def test_gift_states_are_not_shadowed() -> None:
    from shopkeeper.aftersales.enums import GiftReturnChoice, GiftStateChoice

    with translation.override("zh-hans"):
        assert str(GiftStateChoice.RETURNED.label) == "已退回"  # checkout's "Returned" is 退货退款
        assert str(GiftReturnChoice.MISSING.label) == "赠品未寄回"
        assert str(EVENT_LABELS["gift"]) == "赠品"
