"""What each role's desk is for, in the shop's own words (from the mission's capability map)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.enums import Role


@dataclass(frozen=True)
class DeskBrief:
    summary: str | Promise
    duties: tuple[str | Promise, ...]


DESK_BRIEFS: dict[Role, DeskBrief] = {
    Role.OPERATIONS_DIRECTOR: DeskBrief(
        _("Targets, progress against them and the return on everything the team does."),
        (
            _("Annual and quarterly GMV, margin, new-customer and repurchase targets"),
            _("Daily progress against target"),
            _("Competitor watch"),
            _("Campaign war room"),
        ),
    ),
    Role.STORE_OPERATOR: DeskBrief(
        _("Daily upkeep of the store: products, prices, stock alerts, compliance and page structure."),
        (
            _("List, delist and reprice products"),
            _("Stock alerts and compliance checks"),
            _("Real-time UV, PV, add-to-cart and order rates"),
            _("Repurchase rate and LTV"),
        ),
    ),
    Role.CAMPAIGN_OPERATOR: DeskBrief(
        _("Campaigns on the calendar and the mechanics that drive them."),
        (
            _("Tiered spend reductions, coupons, flash sales, presales and group buys"),
            _("Pre-launch full-chain tests"),
            _("Live monitoring with alert rules"),
            _("Review reports within 24 hours"),
        ),
    ),
    Role.USER_OPS: DeskBrief(
        _("New, active and dormant customers, segments and loyalty."),
        (
            _("RFM segments and dormant-customer reactivation"),
            _("Membership tiers, growth value, points and check-in"),
            _("Messages by SMS, e-mail and WeCom"),
        ),
    ),
    Role.MARKETING: DeskBrief(
        _("Channels, ad spend and KOL partners, measured by return."),
        (
            _("Budget split and ROI per channel"),
            _("Customer acquisition cost against AOV"),
            _("KOL/KOC partners and their results"),
        ),
    ),
    Role.NEW_MEDIA: DeskBrief(
        _("Content calendar, live streams and the private-domain funnel."),
        (
            _("Topics, formats, platforms and publish times"),
            _("Live-stream sessions and their results"),
            _("Community groups, coupons and referrals"),
        ),
    ),
    Role.BRAND: DeskBrief(
        _("Positioning, visual and wording rules, sentiment and crisis responses."),
        (_("Brand campaigns"), _("Sentiment watch on reviews"), _("Crisis responses")),
    ),
    Role.DESIGNER: DeskBrief(
        _("Design requests and the asset library."),
        (
            _("Requests from operations and marketing, with review and approval"),
            _("Images, videos and copy by category and usage"),
            _("Storefront modules and detail-page structure"),
        ),
    ),
    Role.CS_SUPERVISOR: DeskBrief(
        _("Service levels, staffing and the weekly service report."),
        (
            _("Chat response within 15 s, complaints answered within 30 min"),
            _("KPIs: volume, conversion, response time, good-review rate"),
            _("Products with high complaint rates"),
        ),
    ),
    Role.CS_AGENT: DeskBrief(
        _("Chats and tickets answered within their deadlines."),
        (
            _("Pre-sales: question, need, recommendation, close"),
            _("After-sales: application, review, return, refund"),
            _("Canned replies"),
        ),
    ),
    Role.WAREHOUSE: DeskBrief(
        _("Stock per warehouse, inbound, outbound and returns."),
        (
            _("Pick, pack and ship before the dispatch deadline"),
            _("Receipts after quality inspection"),
            _("Surge drills before big campaigns"),
        ),
    ),
    Role.PROCUREMENT: DeskBrief(
        _("Suppliers, purchase orders, inspection and restocking."),
        (
            _("Suppliers, agreements and backup suppliers"),
            _("Purchase orders and receipts"),
            _("Supplier performance: on time and defect rate"),
        ),
    ),
    Role.DATA_ANALYST: DeskBrief(
        _("North-star metrics, funnels, retention and reports."),
        (_("GMV = traffic × conversion × AOV"), _("Daily and weekly reports with alerts"), _("SQL access and charts")),
    ),
    Role.PLATFORM_ADMIN: DeskBrief(
        _("Staff accounts, roles, API access, the audit log and system health."),
        (_("Create staff and assign roles"), _("Read the audit log"), _("Watch system health")),
    ),
}
