"""Payments in the console: payments with their refunds and the gateway callbacks we received,
and the sandbox gateway's log (its trades, the notifications it delivered, every attempt and answer)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _lazy

from shopkeeper.console.decorators import console_page
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import VIEW_PAYMENTS, VIEW_SANDBOX
from shopkeeper.payments import selectors
from shopkeeper.payments.enums import PaymentStatus

PAGE_SIZE = 25


class PaymentFilterForm(forms.Form):
    reference = forms.CharField(label=_lazy("Reference"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_lazy("Status"), choices=[("", _lazy("Any")), *PaymentStatus.choices], required=False
    )
    out_trade_no = forms.CharField(label=_lazy("Our trade number"), required=False, max_length=64)
    trade_no = forms.CharField(label=_lazy("Gateway transaction number"), required=False, max_length=64)

    def filters(self) -> selectors.PaymentFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.PaymentFilters(
            reference=(data.get("reference") or "").strip() or None,
            status=data.get("status") or None,
            out_trade_no=(data.get("out_trade_no") or "").strip() or None,
            trade_no=(data.get("trade_no") or "").strip() or None,
        )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@console_page(VIEW_PAYMENTS)
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    page = Paginator(selectors.payment_list_staff(form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/payments/payment_list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


@console_page(VIEW_PAYMENTS)
def payment_detail(request: HttpRequest, payment_id: int) -> HttpResponse:
    try:
        payment = selectors.payment_get(payment_id=payment_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None
    deliveries: list[Any] = []
    if payment.gateway == "sandbox" and request.user.has_perm(VIEW_SANDBOX):
        deliveries = selectors.sandbox_deliveries_for(out_trade_no=payment.out_trade_no)
    reference = payment.reference
    return render(
        request,
        "console/payments/payment_detail.html",
        {
            "payment": payment,
            "amount": Money(payment.amount_fen),
            "paid": selectors.paid_total(reference),
            "refunded": selectors.refunded_total(reference),
            "refund_pending": selectors.refund_pending_total(reference),
            "refundable": selectors.refundable_total(reference),
            "siblings": [p for p in selectors.payments_for(reference) if p.pk != payment.pk],
            "deliveries": deliveries,
        },
    )


@console_page(VIEW_SANDBOX)
def sandbox_log(request: HttpRequest) -> HttpResponse:
    out_trade_no = (request.GET.get("out_trade_no") or "").strip() or None
    page = Paginator(selectors.sandbox_trades(out_trade_no=out_trade_no), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "console/payments/sandbox_log.html",
        {"page": page, "out_trade_no": out_trade_no or "", "query": _query_without_page(request)},
    )
