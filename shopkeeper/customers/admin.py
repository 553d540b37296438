"""Django admin (superusers only): customers and their addresses, to look things up."""

from __future__ import annotations

from django.contrib import admin

from shopkeeper.customers.models import Address, Customer


class AddressInline(admin.TabularInline[Address, Customer]):
    model = Address
    fk_name = "customer"
    extra = 0
    fields = ("recipient", "mobile", "province", "city", "district", "detail", "is_default")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ("mobile", "nickname", "tier", "channel", "registered_at")
    list_filter = ("tier", "channel")
    search_fields = ("mobile", "nickname", "user__display_name")
    readonly_fields = ("user", "registered_at", "tier")  # the tier changes through the console (audited)
    date_hierarchy = "registered_at"


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    list_display = ("recipient", "mobile", "province", "city", "district", "is_default", "customer")
    list_filter = ("province", "is_default")
    search_fields = ("recipient", "mobile", "customer__username")
    raw_id_fields = ("customer",)
