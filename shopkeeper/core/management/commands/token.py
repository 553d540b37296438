"""`shopkeeper token create|list|revoke`: personal API tokens from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopkeeper.core import selectors, services
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, list or revoke a staff member's personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--expires-in-days", type=int, default=None)
        listing = sub.add_parser("list", help="List a user's tokens")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix (skt_xxxxxxxx)")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = services.ActorContext(user=None, channel=AuditChannel.CLI)
        try:
            if options["action"] == "create":
                issued = services.api_token_create(
                    actor=actor,
                    user=_user(options["user"]),
                    name=options["name"],
                    expires_in_days=options["expires_in_days"],
                )
                self.stdout.write(issued.secret)
                self.stderr.write("Store this token now: it cannot be shown again.")
            elif options["action"] == "list":
                for token in selectors.api_token_list(user=_user(options["user"])):
                    state = "revoked" if token.revoked_at else ("active" if token.is_active() else "expired")
                    used = token.last_used_at.isoformat() if token.last_used_at else "never"
                    self.stdout.write(f"{token.prefix}  {state:<8} {token.name}  last used {used}")
            else:
                matches = list(ApiToken.objects.filter(prefix=options["prefix"]))
                if len(matches) != 1:
                    raise CommandError(f"{len(matches)} tokens have the prefix {options['prefix']!r}; expected 1")
                services.api_token_revoke(actor=actor, token=matches[0])
                self.stdout.write(f"Revoked {matches[0]}")
        except ShopkeeperError as exc:
            raise CommandError(exc.message) from None


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}")
    return user
