"""After-sales for the customer: apply for one line of an order (refund only, return and refund,
exchange) with reason, photos and quantity; my applications; one application with its timeline,
cancelling it and shipping the return with a tracking number. The order page shows a panel with
each line's application or the link to apply (`order_panel`, registered in storefront/panels.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopkeeper.aftersales import selectors, services
from shopkeeper.aftersales.enums import AfterSalesKind, AfterSalesReason
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.orders import selectors as order_reads
from shopkeeper.storefront.decorators import customer_page

PAGE_SIZE = 10
PHOTO_TYPES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png", b"RIFF": ".webp"}
UPLOAD_DIR = "aftersales"


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.STOREFRONT)


def order_panel(request: HttpRequest, order: Any) -> Any:
    """The order page's after-sales panel: per line, its open application or the apply link."""
    from shopkeeper.storefront.panels import Panel  # panels imports this module at its slot

    if order.paid_fen == 0 or order.status in ("pending_payment", "cancelled"):
        return None
    return Panel(
        "storefront/aftersales/_order_panel.html", {"order": order, "choices": selectors.line_choices(order=order)}
    )


def _check_photo(upload: UploadedFile) -> str:
    """The file's suffix if it is a JPEG, PNG or WebP picture (by its first bytes, not its name)
    of at most AFTERSALES_PHOTO_MAX_BYTES; else ValidationFailed."""
    if upload.size is None or upload.size > settings.AFTERSALES_PHOTO_MAX_BYTES:
        raise ValidationFailed(
            _("A photo may be at most %(mb)s MB.") % {"mb": settings.AFTERSALES_PHOTO_MAX_BYTES // (1024 * 1024)},
            details={"photos": "too_large"},
        )
    head = upload.read(12)
    upload.seek(0)
    suffix = next((ext for magic, ext in PHOTO_TYPES.items() if head.startswith(magic)), None)
    if suffix == ".webp" and head[8:12] != b"WEBP":
        suffix = None
    if suffix is None:
        raise ValidationFailed(_("Upload a JPEG, PNG or WebP picture."), details={"photos": "type"})
    return suffix


def _save_photo(upload: UploadedFile) -> str:
    """Keep a checked picture under MEDIA_ROOT/aftersales/ with a random name; its address."""
    suffix = _check_photo(upload)
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}{suffix}"
    with (folder / name).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return f"{settings.MEDIA_URL}{UPLOAD_DIR}/{name}"


def _forget_photos(urls: list[str]) -> None:
    for url in urls:
        (Path(settings.MEDIA_ROOT) / UPLOAD_DIR / Path(url).name).unlink(missing_ok=True)


@require_http_methods(["GET", "POST"])
@customer_page
def apply(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    delivery = order_reads.line_delivery(customer=_me(request), number=number, line_id=line_id)
    if delivery is None:
        raise Http404(_("No such order line."))
    values: dict[str, Any] = {"kind": "", "reason": "", "quantity": 1, "description": "", "photos": ""}
    error: ShopkeeperError | None = None
    if request.method == "POST":
        values = {
            "kind": request.POST.get("kind", ""),
            "reason": request.POST.get("reason", ""),
            "quantity": request.POST.get("quantity", "1"),
            "description": request.POST.get("description", ""),
            "photos": request.POST.get("photos", ""),
        }
        try:
            quantity = int(str(values["quantity"]).strip())
        except ValueError:
            quantity = 0
        links = [link for link in str(values["photos"]).split() if link]
        kept: list[str] = []
        try:
            uploads = request.FILES.getlist("photo_files")
            if len(links) + len(uploads) > services.MAX_PHOTOS:
                raise ValidationFailed(
                    _("At most %(max)s photos.") % {"max": services.MAX_PHOTOS}, details={"photos": "too_many"}
                )
            for upload in uploads:
                _check_photo(upload)  # every file is checked before any is kept
            kept = [_save_photo(upload) for upload in uploads]
            services.application_apply(
                customer=_me(request),
                order_number=number,
                line_id=line_id,
                kind=str(values["kind"]),
                reason=str(values["reason"]),
                quantity=quantity,
                description=str(values["description"]),
                photos=links + kept,
                actor=_actor(request),
            )
        except ShopkeeperError as refused:
            error = refused
            _forget_photos(kept)  # the application was refused: its pictures go too
        else:
            messages.success(
                request,
                _("Your application is in. We review it within %(hours)s hours.")
                % {"hours": settings.AFTERSALES_REVIEW_HOURS},
            )
            return redirect("storefront:aftersales_list")
    context = {
        "order": delivery.order,
        "line": delivery.line,
        "kinds": AfterSalesKind.choices,
        "reasons": AfterSalesReason.choices,
        "values": values,
        "error": error,
        "max_photos": services.MAX_PHOTOS,
        "gifts": selectors.order_gift_terms(order=delivery.order),
    }
    return render(request, "storefront/aftersales/apply.html", context, status=422 if error else 200)


@require_GET
@customer_page
def application_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.applications_of_customer(_me(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "storefront/aftersales/list.html", {"page": page})


def _mine(request: HttpRequest, number: str) -> Any:
    app = selectors.application_for_customer(customer=_me(request), number=number)
    if app is None:
        raise Http404(_("No such after-sales application."))
    return app


@require_GET
@customer_page
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    app = _mine(request, number)
    return render(
        request,
        "storefront/aftersales/detail.html",
        {
            "app": app,
            "actions": selectors.next_actions(app),
            "seconds_left": selectors.review_seconds_left(app),
            "gifts": selectors.application_gifts(app),
        },
    )


@require_POST
@customer_page
def application_cancel(request: HttpRequest, number: str) -> HttpResponse:
    app = _mine(request, number)
    try:
        services.application_cancel(application_id=app.pk, customer=_me(request), actor=_actor(request))
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The application is cancelled."))
    return redirect("storefront:aftersales_detail", number=number)


@require_POST
@customer_page
def application_ship_return(request: HttpRequest, number: str) -> HttpResponse:
    app = _mine(request, number)
    try:
        services.application_ship_return(
            application_id=app.pk,
            customer=_me(request),
            carrier=request.POST.get("carrier", ""),
            tracking_no=request.POST.get("tracking_no", ""),
            actor=_actor(request),
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Thank you: we let you know when the parcel arrives."))
    return redirect("storefront:aftersales_detail", number=number)


@require_GET
@customer_page
def photo(request: HttpRequest, name: str) -> HttpResponse:
    """An uploaded photo, shown only to the customer whose application it belongs to."""
    url = f"{settings.MEDIA_URL}{UPLOAD_DIR}/{name}"
    mine = selectors.applications_of_customer(_me(request)).values_list("photos", flat=True)
    if not any(url in photos for photos in mine):
        raise Http404(_("No such photo."))
    path = Path(settings.MEDIA_ROOT) / UPLOAD_DIR / Path(name).name
    if not path.is_file():
        raise Http404(_("No such photo."))
    content_type = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}.get(path.suffix, "")
    if not content_type:
        raise Http404(_("No such photo."))
    response = HttpResponse(path.read_bytes(), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
