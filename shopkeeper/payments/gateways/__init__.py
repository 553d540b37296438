"""The gateway registry: adapters by name ("sandbox"; later "alipay", "wechat").

`gateway_get` refuses an unknown name and a gateway switched off in this deployment, so no
caller can reach the sandbox in production by naming it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shopkeeper.payments.domain.gateway import PaymentGateway
from shopkeeper.payments.errors import GatewayUnavailable

_GATEWAYS: dict[str, PaymentGateway] = {}


def gateway_register(gateway: PaymentGateway) -> None:
    if not isinstance(gateway, PaymentGateway):
        raise TypeError(f"{gateway!r} does not implement PaymentGateway")
    _GATEWAYS[gateway.name] = gateway


def gateway_unregister(name: str) -> None:
    _GATEWAYS.pop(name, None)


def gateway_names() -> list[str]:
    return sorted(_GATEWAYS)


def gateway_get(name: str) -> PaymentGateway:
    gateway = _GATEWAYS.get(name)
    if gateway is None:
        raise GatewayUnavailable(
            _("There is no payment gateway called “%(name)s”") % {"name": name},
            details={"gateway": name, "known": gateway_names()},
        )
    if not gateway.enabled():
        raise GatewayUnavailable(
            _("The payment gateway “%(name)s” is switched off on this site") % {"name": name},
            details={"gateway": name, "reason": "disabled"},
        )
    return gateway
