"""How a presale reminder reaches the customer. There is no SMS or app-push service yet: the
`Notifier` protocol is the seam; `LoggingNotifier` writes the reminder to the log, and every
reminder is also kept in `PresaleReminder` (the outbox the customer's order page shows)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger("shopkeeper.presale.reminders")


@dataclass(frozen=True)
class Notice:
    customer_id: int
    mobile: str
    order_number: str
    kind: str
    message: str


class Notifier(Protocol):
    channel: str

    def send(self, notice: Notice) -> None:
        """Deliver one reminder; raising leaves it to be retried by the next run."""


class LoggingNotifier:
    """Writes reminders to the log (development, tests, and until a real channel is wired)."""

    channel = "log"

    def send(self, notice: Notice) -> None:
        logger.info(
            "presale reminder %s for order %s to customer %s: %s",
            notice.kind,
            notice.order_number,
            notice.customer_id,
            notice.message,
        )


def notifier_get() -> Notifier:
    return LoggingNotifier()
