"""Gateway-facing endpoints (the signed notifications) and the sandbox gateway's cashier page.

The notify endpoints are called by the gateway, not a browser: POST only, CSRF-exempt (the
signature is the proof), answering the plain text `success` or `fail` as Alipay expects.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.permissions import public
from shopkeeper.core.services import ActorContext
from shopkeeper.payments import services
from shopkeeper.payments.enums import NotificationKind, SandboxTradeStatus
from shopkeeper.payments.forms import SandboxKnobsForm
from shopkeeper.payments.gateways.sandbox import SANDBOX

logger = logging.getLogger(__name__)


def _answer(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def _sender(request: HttpRequest) -> str | None:
    return ActorContext.from_request(request, AuditChannel.SYSTEM).ip_address


def _handle(request: HttpRequest, gateway: str, kind: NotificationKind) -> HttpResponse:
    params = request.POST.dict()
    remote_addr = _sender(request)
    if kind == NotificationKind.PAYMENT:
        handler = services.payment_notification_handle
    else:
        handler = services.refund_notification_handle
    try:
        outcome = handler(gateway=gateway, params=params, remote_addr=remote_addr)
    except Exception as exc:
        # The change rolled back (e.g. a subscriber failed); the gateway will deliver again.
        logger.exception("%s notification from %s failed", kind, gateway)
        services.notification_log_error(
            gateway=gateway, kind=kind, params=params, remote_addr=remote_addr, message=f"{type(exc).__name__}: {exc}"
        )
        return _answer("fail")
    return _answer(outcome.answer)


@csrf_exempt
@require_POST
@public
def notify(request: HttpRequest, gateway: str) -> HttpResponse:
    return _handle(request, gateway, NotificationKind.PAYMENT)


@csrf_exempt
@require_POST
@public
def notify_refund(request: HttpRequest, gateway: str) -> HttpResponse:
    return _handle(request, gateway, NotificationKind.REFUND)


@never_cache
@require_http_methods(["GET", "POST"])
@public
def sandbox_pay(request: HttpRequest, token: str) -> HttpResponse:
    """The sandbox's cashier: what a customer sees on Alipay's page, plus the test knobs."""
    if not settings.SANDBOX_GATEWAY_ENABLED:
        raise Http404(_("The sandbox gateway is switched off on this site"))
    try:
        trade = services.sandbox_trade_get(token=token)
    except ShopkeeperError:
        raise Http404(_("No such sandbox trade")) from None
    form = SandboxKnobsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"pay", "fail"}:
            form.add_error(None, _("Press Pay or Fail"))
        elif form.is_valid():
            try:
                trade = services.sandbox_trade_finish(token=token, pay=action == "pay", knobs=form.knobs())
            except ShopkeeperError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect(services.sandbox_return_url(trade))
    return render(
        request,
        "payments/sandbox/cashier.html",
        {
            "trade": trade,
            "amount": Money(trade.amount_fen),
            "merchant": settings.PAYMENTS_MERCHANT_NAME,
            "form": form,
            "retry_schedule": SandboxKnobsForm.retry_schedule(),
            "is_open": trade.status == SandboxTradeStatus.WAITING,
            "back_url": services.sandbox_return_url(trade),
            "gateway": SANDBOX,
        },
    )
