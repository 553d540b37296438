"""API schemas of the customer account endpoints (/api/v1/shop/account)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class SignInIn(Schema):
    mobile: str = Field(..., max_length=32, description="11-digit mainland mobile; spaces and +86 are fine")
    password: str = Field(..., max_length=128)


class RegisterIn(Schema):
    mobile: str = Field(..., max_length=32, description="11-digit mainland mobile; becomes the sign-in name")
    password: str = Field(..., max_length=128, description="Checked by the password rules (length, not common…)")
    nickname: str = Field("", max_length=64)
    channel: str | None = Field(
        None, max_length=64, description='Where the customer came from, e.g. "小红书"; "direct" when left out'
    )


class CustomerOut(Schema):
    id: int = Field(..., description="The account id")
    mobile: str
    nickname: str
    display_name: str = Field(..., description="The nickname, or the masked mobile number")
    registered_at: datetime
    channel: str
    tier: str = Field(..., description="Membership tier: regular, silver, gold or platinum")
    tier_label: str = Field(..., description='e.g. "黄金会员"')
    address_count: int
    default_address_id: int | None


class AddressIn(Schema):
    recipient: str = Field(..., max_length=200)
    mobile: str = Field(..., max_length=32)
    province: str = Field(..., max_length=32, description='A province as in GET /shop/account/regions, e.g. "浙江省"')
    city: str = Field(..., max_length=64, description="One of that province's cities")
    district: str = Field(..., max_length=200, description="District or county, in the customer's words")
    detail: str = Field(..., max_length=400, description="Street, building and room; at most 120 characters")
    is_default: bool = False


class AddressOut(Schema):
    id: int
    recipient: str
    mobile: str
    province: str
    city: str
    district: str
    detail: str
    full_line: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


class ProvinceOut(Schema):
    name: str
    cities: list[str]


class CsrfOut(Schema):
    csrf_token: str = Field(..., description="Send it back in the X-CSRFToken header (the cookie is set too)")


# --- staff (/api/v1/customers) ----------------------------------------------------------------


class TierOut(Schema):
    value: str = Field(..., description="regular, silver, gold or platinum (lowest first)")
    label: str = Field(..., description='As shoppers read it, e.g. "黄金会员"')
    customers: int = Field(..., description="How many customers hold it")


class StaffCustomerOut(Schema):
    id: int = Field(..., description="The account id (orders and coupons name customers by it)")
    mobile: str
    nickname: str
    display_name: str
    registered_at: datetime
    channel: str
    tier: str = Field(..., description="regular, silver, gold or platinum")
    tier_label: str


class StaffCustomerPageOut(Schema):
    items: list[StaffCustomerOut]
    count: int


class TierIn(Schema):
    tier: str = Field(..., max_length=16, description="regular, silver, gold or platinum")
    reason: str = Field("", max_length=400, description="Why, for the audit log (at most 200 characters)")
