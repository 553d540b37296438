"""Customer writes: registration, signing in (with limits on failed attempts), the address book,
membership tiers (set by user operations, or in bulk from spend), and the bulk load the demo
uses. Import from here: `from shopkeeper.customers import services`.

The shopper's own changes are not written to the audit log: the log records what staff do, and
100,000 customers editing their addresses would bury it. Addresses keep created/updated times.
A tier change is staff's (or the system's) and is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.events import publish
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.customers.domain.addresses import (
    DETAIL_MAX_LENGTH,
    DISTRICT_MAX_LENGTH,
    MAX_ADDRESSES,
    RECIPIENT_MAX_LENGTH,
    AddressDraft,
    BookEntry,
    Problem,
    address_clean,
    becomes_default,
    default_after_delete,
)
from shopkeeper.customers.domain.mobile import mobile_is_valid, mobile_mask, mobile_normalize
from shopkeeper.customers.domain.tiers import ladder_problems, tier_bands
from shopkeeper.customers.enums import TIER_ORDER, MemberTier, tier_rank
from shopkeeper.customers.errors import (
    AddressBookFull,
    MobileTaken,
    NotACustomer,
    SignInFailed,
    TooManySignInAttempts,
)
from shopkeeper.customers.events import CustomerRegistered
from shopkeeper.customers.models import (
    CHANNEL_MAX_LENGTH,
    DEFAULT_CHANNEL,
    NICKNAME_MAX_LENGTH,
    Address,
    Customer,
)
from shopkeeper.customers.selectors import address_get, customer_get, customer_profile, tier_counts, tier_label

TIER_REASON_MAX_LENGTH = 200

# Failed sign-ins: a fixed 15-minute window from the first failure. Five wrong passwords lock one
# mobile number; an address gets more because a whole office or campus can share one.
SIGN_IN_WINDOW_SECONDS = 15 * 60
SIGN_IN_FAILURES_PER_MOBILE = 5
SIGN_IN_FAILURES_PER_IP = 20

__all__ = [
    "MAX_ADDRESSES",
    "SIGN_IN_FAILURES_PER_IP",
    "SIGN_IN_FAILURES_PER_MOBILE",
    "SIGN_IN_WINDOW_SECONDS",
    "BulkAddress",
    "BulkCustomer",
    "BulkCustomersResult",
    "address_create",
    "address_delete",
    "address_set_default",
    "address_update",
    "channel_clean",
    "customer_register",
    "customer_set_tier",
    "customer_sign_in",
    "customers_bulk_load",
    "customers_tiers_from_spend",
    "mobile_is_valid",
    "mobile_mask",
    "mobile_normalize",
]


def _refuse(problems: dict[str, Any]) -> ValidationFailed:
    """One refusal naming every field at fault (details: field → message or messages)."""
    first = next(iter(problems.values()))
    message = (first[0] if isinstance(first, list) else first) if len(problems) == 1 else None
    return ValidationFailed(message or _("Some fields need correcting"), details=problems)


def _mobile_problem() -> str:
    return _("Enter an 11-digit mainland China mobile number, e.g. 13800138000")


# --- registration ---------------------------------------------------------------------------


def channel_clean(raw: str | None) -> str:
    """The acquisition channel as stored: trimmed, at most 32 characters, "direct" when none."""
    text = " ".join((raw or "").split())[:CHANNEL_MAX_LENGTH]
    return text or DEFAULT_CHANNEL


def customer_register(*, mobile: str, password: str, nickname: str = "", channel: str = DEFAULT_CHANNEL) -> User:
    """Create a customer account: a user named by the mobile number, and its profile.

    Publishes `CustomerRegistered` in the same transaction. The caller signs the customer in.
    """
    number = mobile_normalize(mobile)
    nickname = " ".join(nickname.split())
    problems: dict[str, Any] = {}
    if number is None:
        problems["mobile"] = _mobile_problem()
    if len(nickname) > NICKNAME_MAX_LENGTH:
        problems["nickname"] = _("A nickname has at most %(limit)d characters") % {"limit": NICKNAME_MAX_LENGTH}
    try:
        validate_password(password, user=User(username=number or mobile.strip(), display_name=nickname))
    except DjangoValidationError as exc:
        problems["password"] = list(exc.messages)
    if problems:
        raise _refuse(problems)
    assert number is not None
    taken = MobileTaken(
        _("%(mobile)s already has an account: sign in instead") % {"mobile": number},
        details={"mobile": _("This mobile number already has an account")},
    )
    with transaction.atomic():
        if User.objects.filter(username__iexact=number).exists() or Customer.objects.filter(mobile=number).exists():
            raise taken
        try:
            with transaction.atomic():  # a savepoint: two sign-ups with one number race to the unique index
                user = User.objects.create_user(username=number, password=password, display_name=nickname)
                profile = Customer.objects.create(
                    user=user,
                    mobile=number,
                    nickname=nickname,
                    registered_at=user.date_joined,
                    channel=channel_clean(channel),
                )
        except IntegrityError:
            raise taken from None
        publish(
            CustomerRegistered(
                user_id=user.pk, mobile=number, channel=profile.channel, registered_at=profile.registered_at
            )
        )
    return user


# --- signing in -----------------------------------------------------------------------------


def _counter_keys(mobile: str | None, ip_address: str | None) -> list[tuple[str, int]]:
    keys: list[tuple[str, int]] = []
    if mobile:
        keys.append((f"customers:sign-in-failures:mobile:{mobile}", SIGN_IN_FAILURES_PER_MOBILE))
    if ip_address:
        keys.append((f"customers:sign-in-failures:ip:{ip_address}", SIGN_IN_FAILURES_PER_IP))
    return keys


def _retry_after(key: str) -> int:
    started = cache.get(f"{key}:since")
    elapsed = time.time() - started if isinstance(started, int | float) else 0
    return max(1, int(SIGN_IN_WINDOW_SECONDS - elapsed))


def _too_many(key: str) -> TooManySignInAttempts:
    seconds = _retry_after(key)
    minutes = max(1, -(-seconds // 60))
    return TooManySignInAttempts(
        _("Too many failed sign-ins. For your account's safety, try again in %(minutes)d minutes.")
        % {"minutes": minutes},
        details={"retry_after_seconds": seconds},
    )


def _record_failure(keys: list[tuple[str, int]]) -> None:
    """Count one failure on every counter; the failure that reaches a limit already locks."""
    reached: str | None = None
    for key, limit in keys:
        cache.add(key, 0, timeout=SIGN_IN_WINDOW_SECONDS)  # add: the window runs from the first failure
        cache.add(f"{key}:since", time.time(), timeout=SIGN_IN_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=SIGN_IN_WINDOW_SECONDS)
            count = 1
        if count >= limit and reached is None:
            reached = key
    if reached is not None:
        raise _too_many(reached)


def customer_sign_in(*, mobile: str, password: str, ip_address: str | None) -> User:
    """The customer account these credentials open, for the caller to `login()`.

    Raises TooManySignInAttempts (429) while a mobile number or an address is locked out, SignInFailed
    (401) for a wrong number or password, NotACustomer (403) for the right password of a staff account.
    """
    number = mobile_normalize(mobile)
    keys = _counter_keys(number, ip_address)
    for key, limit in keys:
        count = cache.get(key)
        if isinstance(count, int) and count >= limit:
            raise _too_many(key)
    user = authenticate(None, username=number, password=password) if number else None
    if not isinstance(user, User):
        _record_failure(keys)
        raise SignInFailed(_("The mobile number or the password is not right"))
    if customer_profile(user) is None or user.groups.exists():
        raise NotACustomer(
            _("This is a staff account: staff sign in at the console. Use a customer account to shop."),
            details={"account": "staff"},
        )
    if number:
        cache.delete_many(
            [f"customers:sign-in-failures:mobile:{number}", f"customers:sign-in-failures:mobile:{number}:since"]
        )
    return user


# --- address book ---------------------------------------------------------------------------


def _problem_message(field: str, problem: Problem) -> str:
    limits = {"recipient": RECIPIENT_MAX_LENGTH, "district": DISTRICT_MAX_LENGTH, "detail": DETAIL_MAX_LENGTH}
    if problem is Problem.REQUIRED:
        return {
            "recipient": _("Enter the recipient's name"),
            "mobile": _("Enter the recipient's mobile number"),
            "province": _("Choose a province"),
            "city": _("Choose a city"),
            "district": _("Enter the district or county"),
            "detail": _("Enter the street, building and room"),
        }[field]
    if problem is Problem.TOO_LONG:
        return _("At most %(limit)d characters") % {"limit": limits[field]}
    if problem is Problem.INVALID:
        return _mobile_problem()
    if field == "province":
        return _("Choose a province from the list")
    return _("Choose a city of the chosen province")


def _validated(draft: AddressDraft) -> AddressDraft:
    cleaned, problems = address_clean(draft)
    if problems:
        raise _refuse({field: _problem_message(field, problem) for field, problem in problems.items()})
    return cleaned


def _lock_book(user: User) -> None:
    """Lock the customer's profile row: the book's size and default change one writer at a time."""
    if user.pk is None or not Customer.objects.select_for_update().filter(user_id=user.pk).exists():
        raise NotACustomer(_("Only customer accounts have an address book"))


def _clear_default(user: User) -> None:
    Address.objects.filter(customer_id=user.pk, is_default=True).update(is_default=False, updated_at=timezone.now())


def address_create(
    *,
    user: User,
    recipient: str,
    mobile: str,
    province: str,
    city: str,
    district: str,
    detail: str,
    is_default: bool = False,
) -> Address:
    """Add an address to the customer's book. The first one, or one asked to be, becomes the default."""
    cleaned = _validated(AddressDraft(recipient, mobile, province, city, district, detail))
    with transaction.atomic():
        _lock_book(user)
        size = Address.objects.filter(customer_id=user.pk).count()
        if size >= MAX_ADDRESSES:
            raise AddressBookFull(
                _("An address book holds at most %(limit)d addresses: delete one first") % {"limit": MAX_ADDRESSES},
                details={"limit": MAX_ADDRESSES},
            )
        default = becomes_default(book_size=size, asked=is_default)
        if default:
            _clear_default(user)
        return Address.objects.create(customer=user, is_default=default, **cleaned.fields())


def address_update(
    *,
    user: User,
    address_id: int,
    recipient: str,
    mobile: str,
    province: str,
    city: str,
    district: str,
    detail: str,
    is_default: bool = False,
) -> Address:
    """Replace an address's fields. `is_default=True` makes it the default; False never leaves the
    book without one (make another address the default instead)."""
    cleaned = _validated(AddressDraft(recipient, mobile, province, city, district, detail))
    with transaction.atomic():
        _lock_book(user)
        address = address_get(user=user, address_id=address_id)
        if is_default and not address.is_default:
            _clear_default(user)
            address.is_default = True
        for name, value in cleaned.fields().items():
            setattr(address, name, value)
        address.save()
    return address


def address_set_default(*, user: User, address_id: int) -> Address:
    with transaction.atomic():
        _lock_book(user)
        address = address_get(user=user, address_id=address_id)
        if not address.is_default:
            _clear_default(user)
            address.is_default = True
            address.save(update_fields=["is_default", "updated_at"])
    return address


def address_delete(*, user: User, address_id: int) -> None:
    """Delete an address; when it was the default, the newest remaining one takes its place."""
    with transaction.atomic():
        _lock_book(user)
        address = address_get(user=user, address_id=address_id)
        was_default = address.is_default
        address.delete()
        if not was_default:
            return
        remaining = [
            BookEntry(id=pk, created_at=created_at, is_default=default)
            for pk, created_at, default in Address.objects.filter(customer_id=user.pk).values_list(
                "pk", "created_at", "is_default"
            )
        ]
        chosen = default_after_delete(remaining)
        if chosen is not None:
            Address.objects.filter(pk=chosen).update(is_default=True, updated_at=timezone.now())


# --- membership tiers -----------------------------------------------------------------------------


def _tier_problem() -> str:
    return _("Choose a membership tier: %(tiers)s") % {"tiers": ", ".join(TIER_ORDER)}


def customer_set_tier(*, customer_id: int, tier: str, actor: ActorContext, reason: str = "") -> Customer:
    """Put a customer in a membership tier (user operations, by hand until the loyalty system sets
    tiers from growth value). Audited with the reason; setting the tier they hold changes nothing."""
    reason = " ".join(reason.split())
    problems: dict[str, Any] = {}
    if tier not in MemberTier.values:
        problems["tier"] = _tier_problem()
    if len(reason) > TIER_REASON_MAX_LENGTH:
        problems["reason"] = _("At most %(limit)d characters") % {"limit": TIER_REASON_MAX_LENGTH}
    if problems:
        raise _refuse(problems)
    customer_get(customer_id)  # NotFound before any lock
    with transaction.atomic():
        profile = Customer.objects.select_for_update().get(user_id=customer_id)
        if profile.tier == tier:
            return profile
        before = profile.tier
        profile.tier = tier
        profile.save(update_fields=["tier"])
        audit_record(
            actor=actor,
            action="customer.set_tier",
            target=profile,
            object_label=f"{profile.masked_mobile} {tier_label(tier)}",
            before={"tier": before},
            after={"tier": tier, "reason": reason},
        )
    return profile


def customers_tiers_from_spend(
    *, spend: QuerySet[Any], ladder: Sequence[tuple[str, int]], actor: ActorContext
) -> dict[str, int]:
    """Set every customer's tier from their spend on a ladder (tier → spend in fen from which it
    holds), e.g. [("silver", 50_000), ("gold", 200_000), ("platinum", 500_000)].

    `spend` is a values queryset with one row per customer: `customer_id` and `spent` (fen), such
    as orders.selectors.customer_spend(). Customers without a row hold the lowest tier. One UPDATE
    per tier, each with the spend as a subquery and touching only the customers whose tier changes,
    so 640,000 customers take four statements, no row travels to Python and a second run writes
    nothing. One audit entry with the count per tier. Answers the counts per tier, lowest first.
    """
    if any(tier not in MemberTier.values for tier, _low in ladder) or MemberTier.REGULAR in dict(ladder):
        raise ValidationFailed(_tier_problem(), details={"ladder": [tier for tier, _low in ladder]})
    problems = ladder_problems(ladder)
    ranks = [tier_rank(tier) for tier, _low in ladder]
    if ranks != sorted(set(ranks)):
        problems.append("Name the tiers from the lowest up.")
    if problems:
        raise ValidationFailed(_("The tier thresholds must rise."), details={"ladder": problems})
    bands = tier_bands(MemberTier.REGULAR.value, ladder)
    with transaction.atomic():
        # Each statement changes only the customers whose tier differs, so a second run changes nothing.
        lowest, *higher = bands
        if higher:
            reaching = spend.filter(spent__gte=higher[0].low_fen).values("customer_id")
            Customer.objects.exclude(tier=lowest.tier).exclude(user_id__in=reaching).update(tier=lowest.tier)
        else:
            Customer.objects.exclude(tier=lowest.tier).update(tier=lowest.tier)
        for band in higher:
            rows = spend.filter(spent__gte=band.low_fen)
            if band.high_fen is not None:
                rows = rows.filter(spent__lt=band.high_fen)
            Customer.objects.filter(user_id__in=rows.values("customer_id")).exclude(tier=band.tier).update(
                tier=band.tier
            )
        counts = tier_counts()
        audit_record(
            actor=actor,
            action="customer.tiers_from_spend",
            object_type="customers.customer",
            object_label=_("Membership tiers from spend"),
            after={"ladder": [list(step) for step in ladder], "counts": counts},
        )
    return counts


# --- bulk load (demo data) ------------------------------------------------------------------


@dataclass(frozen=True)
class BulkAddress:
    recipient: str
    mobile: str
    province: str
    city: str
    district: str
    detail: str


@dataclass(frozen=True)
class BulkCustomer:
    mobile: str
    name: str  # the real name, kept as the account's display name
    nickname: str
    registered_at: datetime
    channel: str
    addresses: Sequence[BulkAddress]  # the first one is the default


@dataclass(frozen=True)
class BulkCustomersResult:
    customers: int
    addresses: int


def customers_bulk_load(
    *,
    customers: Iterable[BulkCustomer],
    password_hash: str,
    batch_size: int = 2000,
    on_batch: Callable[[int], object] | None = None,
) -> BulkCustomersResult:
    """Insert many customers with their addresses in batches, every row checked first like a
    sign-up would be. All accounts share one already hashed password (hashing is slow on purpose)."""
    iterator = iter(customers)
    total_customers = total_addresses = 0
    with transaction.atomic():
        while batch := list(islice(iterator, batch_size)):
            users: list[User] = []
            books: list[list[AddressDraft]] = []
            for row in batch:
                number = mobile_normalize(row.mobile)
                if number is None:
                    raise ValidationFailed(_mobile_problem(), details={"mobile": row.mobile})
                if len(row.addresses) > MAX_ADDRESSES:
                    raise ValidationFailed(
                        _("An address book holds at most %(limit)d addresses: delete one first")
                        % {"limit": MAX_ADDRESSES},
                        details={"mobile": number, "limit": MAX_ADDRESSES},
                    )
                books.append([_validated(AddressDraft(**vars(address))) for address in row.addresses])
                users.append(
                    User(
                        username=number,
                        display_name=row.name,
                        password=password_hash,
                        date_joined=row.registered_at,
                    )
                )
            created = User.objects.bulk_create(users, batch_size=batch_size)
            Customer.objects.bulk_create(
                [
                    Customer(
                        user_id=user.pk,
                        mobile=user.username,
                        nickname=" ".join(row.nickname.split())[:NICKNAME_MAX_LENGTH],
                        registered_at=row.registered_at,
                        channel=channel_clean(row.channel),
                    )
                    for user, row in zip(created, batch, strict=True)
                ],
                batch_size=batch_size,
            )
            addresses = [
                Address(
                    customer_id=user.pk,
                    is_default=index == 0,
                    created_at=row.registered_at,
                    **draft.fields(),
                )
                for user, row, book in zip(created, batch, books, strict=True)
                for index, draft in enumerate(book)
            ]
            Address.objects.bulk_create(addresses, batch_size=batch_size)
            total_customers += len(created)
            total_addresses += len(addresses)
            if on_batch is not None:
                on_batch(len(created))
    return BulkCustomersResult(customers=total_customers, addresses=total_addresses)
