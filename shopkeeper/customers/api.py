"""Customer account endpoints at /api/v1/shop/account: sign up, sign in and out, who am I, and the
address book. They run on the customer's storefront session (see customers.auth); a customer
reaches only their own data, and another customer's address is a 404.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.utils import check_csrf

from shopkeeper.core.domain.regions import PROVINCES
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors, services
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation
from shopkeeper.customers.errors import TooManySignInAttempts
from shopkeeper.customers.models import Address
from shopkeeper.customers.schemas import (
    AddressIn,
    AddressOut,
    CsrfOut,
    CustomerOut,
    ProvinceOut,
    RegisterIn,
    SignInIn,
)

router = Router(tags=["customer account"], auth=CustomerSessionAuth())

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _customer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # CustomerSessionAuth let only a customer through
    return user


def _require_csrf(request: HttpRequest) -> None:
    """Sign-in and sign-up set a session cookie, so they need the CSRF token like any session write."""
    if check_csrf(request) is not None:
        raise HttpError(403, "CSRF check failed")


def _me(user: User) -> CustomerOut:
    profile = selectors.customer_profile(user)
    assert profile is not None
    default = selectors.address_default(user)
    return CustomerOut(
        id=user.pk,
        mobile=profile.mobile,
        nickname=profile.nickname,
        display_name=profile.display_name,
        registered_at=profile.registered_at,
        channel=profile.channel,
        tier=profile.tier,
        tier_label=selectors.tier_label(profile.tier),
        address_count=selectors.address_count(user),
        default_address_id=default.pk if default else None,
    )


# --- session --------------------------------------------------------------------------------


@router.get("/csrf", response=CsrfOut, auth=None, summary="A CSRF token for the session writes (sets the cookie)")
@public
def csrf(request: HttpRequest) -> CsrfOut:
    return CsrfOut(csrf_token=get_token(request))


@router.post("/register", response={201: CustomerOut}, auth=None, summary="Create a customer account and sign in")
@public
def register(request: HttpRequest, payload: RegisterIn) -> Status[CustomerOut]:
    _require_csrf(request)
    user = services.customer_register(
        mobile=payload.mobile,
        password=payload.password,
        nickname=payload.nickname,
        channel=services.channel_clean(payload.channel),
    )
    login(request, user, backend=MODEL_BACKEND)
    return Status(201, _me(user))


@router.post(
    "/login",
    response={200: CustomerOut},
    auth=None,
    summary="Sign in with mobile and password (5 failures per number in 15 minutes lock it: 429)",
)
@public
def sign_in(request: HttpRequest, payload: SignInIn) -> CustomerOut | HttpResponse:
    _require_csrf(request)
    ip_address = ActorContext.from_request(request, AuditChannel.API).ip_address
    try:
        user = services.customer_sign_in(mobile=payload.mobile, password=payload.password, ip_address=ip_address)
    except TooManySignInAttempts as exc:
        response = JsonResponse(exc.as_payload(), status=exc.status)  # the house error shape, plus Retry-After
        response["Retry-After"] = str(exc.retry_after_seconds)
        return response
    login(request, user)
    return _me(user)


@router.post("/logout", response={204: None}, summary="Sign out (ends the session)")
@customer_operation
def sign_out(request: HttpRequest) -> Status[None]:
    logout(request)
    return Status(204, None)


@router.get("/me", response=CustomerOut, summary="The signed-in customer")
@customer_operation
def me(request: HttpRequest) -> CustomerOut:
    return _me(_customer(request))


@router.get("/regions", response=list[ProvinceOut], auth=None, summary="Provinces and their cities, for addresses")
@public
def regions(request: HttpRequest) -> list[ProvinceOut]:
    return [ProvinceOut(name=province.name, cities=list(province.cities)) for province in PROVINCES]


# --- address book ---------------------------------------------------------------------------


@router.get("/addresses", response=list[AddressOut], summary="My addresses, the default first")
@customer_operation
@paginate(LimitOffsetPagination)
def address_list(request: HttpRequest) -> list[Address]:
    return selectors.address_list(_customer(request))


@router.post("/addresses", response={201: AddressOut}, summary="Add an address (at most 20; the first is the default)")
@customer_operation
def address_create(request: HttpRequest, payload: AddressIn) -> Status[Address]:
    return Status(201, services.address_create(user=_customer(request), **payload.dict()))


@router.get("/addresses/{address_id}", response=AddressOut, summary="One of my addresses")
@customer_operation
def address_get(request: HttpRequest, address_id: int) -> Address:
    return selectors.address_get(user=_customer(request), address_id=address_id)


@router.put("/addresses/{address_id}", response=AddressOut, summary="Replace one of my addresses")
@customer_operation
def address_update(request: HttpRequest, address_id: int, payload: AddressIn) -> Address:
    return services.address_update(user=_customer(request), address_id=address_id, **payload.dict())


@router.delete(
    "/addresses/{address_id}", response={204: None}, summary="Delete an address (the newest left becomes default)"
)
@customer_operation
def address_delete(request: HttpRequest, address_id: int) -> Status[None]:
    services.address_delete(user=_customer(request), address_id=address_id)
    return Status(204, None)


@router.post("/addresses/{address_id}/default", response=AddressOut, summary="Make an address my default")
@customer_operation
def address_set_default(request: HttpRequest, address_id: int) -> Address:
    return services.address_set_default(user=_customer(request), address_id=address_id)
