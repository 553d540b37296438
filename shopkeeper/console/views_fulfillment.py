"""The warehouse desk: each warehouse's queue (priority first, then dispatch deadline), the batch
picking list by bin and SKU, packing by scanning each unit, shipping with a carrier's tracking
number, a shipment's tracking (and the sandbox carrier's pushes), overdue parcels, carriers,
bins, capacity and the surge drill.

Views parse input, call fulfilment's services and selectors, and render; the services hold the
rules and write the audit entries. Shipments are typed `Any` (the console may not import models).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ShopkeeperError
from shopkeeper.core.roles import RUN_WAREHOUSE_DESK, VIEW_OVERDUE, VIEW_SHIPMENTS
from shopkeeper.core.services import ActorContext
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.enums import DeliveredBy, ShipmentStatus, TrackingKind
from shopkeeper.inventory import selectors as inventory
from shopkeeper.inventory import services as stock

PAGE_SIZE = 50
PICK_BATCH = 20  # shipments on one picking list when none are ticked
MAX_DRILL_DAYS = 90


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _warehouses() -> list[Any]:
    return list(inventory.warehouse_list(active_only=True))


def _warehouse_from(request: HttpRequest, warehouses: list[Any]) -> Any | None:
    wanted = request.GET.get("warehouse") or request.POST.get("warehouse") or ""
    for warehouse in warehouses:
        if str(warehouse.pk) == wanted:
            return warehouse
    return warehouses[0] if warehouses and not wanted else None


def _int_list(values: list[str]) -> list[int]:
    return sorted({int(value) for value in values if value.isdigit()})


# --- the queue and the picking list ------------------------------------------------------------


@console_page(VIEW_SHIPMENTS)
def queue(request: HttpRequest) -> HttpResponse:
    warehouses = _warehouses()
    warehouse = _warehouse_from(request, warehouses)
    status = request.GET.get("status", "")
    if status not in selectors.WAITING_STATUSES:
        status = ""
    shipments = selectors.queue(warehouse_id=warehouse.pk if warehouse else None, status=status)
    page = Paginator(shipments, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "warehouses": warehouses,
        "warehouse": warehouse,
        "status": status,
        "statuses": [(value, selectors.status_label(value)) for value in selectors.WAITING_STATUSES],
        "page": page,
        "counts": selectors.queue_counts(warehouse_id=warehouse.pk if warehouse else None),
        "now": timezone.now(),
        "can_run": request.user.has_perm(RUN_WAREHOUSE_DESK),
        "pick_batch": PICK_BATCH,
        "query": urlencode(
            {k: v for k, v in (("warehouse", warehouse.pk if warehouse else ""), ("status", status)) if v}
        ),
    }
    return render(request, "console/fulfillment/queue.html", context)


@console_page(RUN_WAREHOUSE_DESK)
def pick_list(request: HttpRequest) -> HttpResponse:
    """GET: the picking list for the ticked shipments (or the next ones to pick); POST: picked."""
    warehouses = _warehouses()
    warehouse = _warehouse_from(request, warehouses)
    if warehouse is None:
        raise Http404(_("No such warehouse."))
    if request.method == "POST":
        ids = _int_list(request.POST.getlist("shipment"))
        try:
            picked = services.shipments_pick(shipment_ids=ids, actor=_actor(request))
        except ShopkeeperError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("%(count)s shipment(s) picked: pack them now.") % {"count": picked})
        return redirect(f"{reverse('console:fulfillment_queue')}?warehouse={warehouse.pk}&status=picked")
    ids = _int_list(request.GET.getlist("shipment"))
    queryset = selectors.queue(warehouse_id=warehouse.pk, status=ShipmentStatus.TO_PICK)
    chosen = list(queryset.filter(pk__in=ids)) if ids else list(queryset[:PICK_BATCH])
    rows = selectors.pick_list(warehouse_id=warehouse.pk, shipment_ids=[s.pk for s in chosen])
    context = {
        "warehouse": warehouse,
        "shipments": chosen,
        "rows": rows,
        "units": sum(row.quantity for row in rows),
        "printed_at": timezone.now(),
    }
    return render(request, "console/fulfillment/pick_list.html", context)


# --- one shipment: pack, ship, tracking -------------------------------------------------------


def _shipment(shipment_id: int) -> Any:
    try:
        return selectors.shipment_get(shipment_id=shipment_id)
    except NotFound:
        raise Http404(_("No such shipment.")) from None


@console_page(VIEW_SHIPMENTS)
def shipment_detail(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _shipment(shipment_id)
    can_run = request.user.has_perm(RUN_WAREHOUSE_DESK)
    lines = list(shipment.lines.all())
    context = {
        "shipment": shipment,
        "lines": lines,
        "all_scanned": all(line.scanned for line in lines),
        "tracking": list(shipment.tracking.all()),
        "carriers": list(selectors.carriers(active_only=True)),
        "can_run": can_run,
        "overdue": shipment.status in selectors.WAITING_STATUSES and shipment.dispatch_deadline < timezone.now(),
        "sandbox": can_run and settings.FULFILMENT_SANDBOX_CARRIER_ENABLED and shipment.carrier_id is not None,
        "tracking_kinds": TrackingKind.choices,
        "pushes": list(selectors.sandbox_pushes(shipment_id=shipment.pk)[:10]),
        "on_the_way": (ShipmentStatus.SHIPPED, ShipmentStatus.EXCEPTION),
    }
    return render(request, "console/fulfillment/shipment.html", context)


def _act(
    request: HttpRequest, shipment_id: int, action: Callable[[], object], done: Callable[[Any], str]
) -> HttpResponse:
    """Run one shipment action; say what happened (or why it was refused) and go back to the parcel."""
    try:
        result = action()
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done(result))
    return redirect("console:fulfillment_shipment", shipment_id=shipment_id)


@require_POST
@console_page(RUN_WAREHOUSE_DESK)
def shipment_scan(request: HttpRequest, shipment_id: int) -> HttpResponse:
    return _act(
        request,
        shipment_id,
        lambda: services.shipment_scan(
            shipment_id=shipment_id, code=request.POST.get("code", ""), actor=_actor(request)
        ),
        lambda scan: (
            _("%(code)s: %(scanned)s of %(quantity)s counted.")
            % {"code": scan.sku_code, "scanned": scan.scanned, "quantity": scan.quantity}
        ),
    )


@require_POST
@console_page(RUN_WAREHOUSE_DESK)
def shipment_scan_reset(request: HttpRequest, shipment_id: int) -> HttpResponse:
    return _act(
        request,
        shipment_id,
        lambda: services.shipment_scan_reset(shipment_id=shipment_id, actor=_actor(request)),
        lambda _result: _("Counting starts again."),
    )


@require_POST
@console_page(RUN_WAREHOUSE_DESK)
def shipment_pack(request: HttpRequest, shipment_id: int) -> HttpResponse:
    return _act(
        request,
        shipment_id,
        lambda: services.shipment_pack(shipment_id=shipment_id, actor=_actor(request)),
        lambda _result: _("Packed: choose the carrier and type the tracking number."),
    )


@require_POST
@console_page(RUN_WAREHOUSE_DESK)
def shipment_ship(request: HttpRequest, shipment_id: int) -> HttpResponse:
    return _act(
        request,
        shipment_id,
        lambda: services.shipment_ship(
            shipment_id=shipment_id,
            carrier_code=request.POST.get("carrier", ""),
            tracking_no=request.POST.get("tracking_no", ""),
            actor=_actor(request),
        ),
        lambda shipment: _("Shipped with tracking number %(number)s.") % {"number": shipment.tracking_no},
    )


@require_POST
@console_page(RUN_WAREHOUSE_DESK)
def shipment_deliver(request: HttpRequest, shipment_id: int) -> HttpResponse:
    """The customer said the parcel arrived (a phone call about an exception): mark it delivered."""
    return _act(
        request,
        shipment_id,
        lambda: services.shipment_deliver(shipment_id=shipment_id, by=DeliveredBy.STAFF, actor=_actor(request)),
        lambda _result: _("Marked as delivered."),
    )


@require_POST
@console_page(RUN_WAREHOUSE_DESK)
def shipment_sandbox_push(request: HttpRequest, shipment_id: int) -> HttpResponse:
    return _act(
        request,
        shipment_id,
        lambda: services.sandbox_push(
            shipment_id=shipment_id,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            tamper=request.POST.get("tamper") == "on",
            actor=_actor(request),
        ),
        lambda _result: _("The sandbox carrier is posting the tracking event."),
    )


@console_page(VIEW_SHIPMENTS)
def shipment_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in ShipmentStatus.values:
        status = ""
    page = Paginator(selectors.shipments_search(q=q, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("q", q), ("status", status)) if v})
    context = {"q": q, "status": status, "statuses": ShipmentStatus.choices, "page": page, "query": query}
    return render(request, "console/fulfillment/shipments.html", context)


# --- overdue, carriers, bins, capacity, surge drill ----------------------------------------------


@console_page(VIEW_OVERDUE)
def overdue(request: HttpRequest) -> HttpResponse:
    warehouses = _warehouses()
    wanted = request.GET.get("warehouse", "")
    warehouse = next((w for w in warehouses if str(w.pk) == wanted), None)
    now = timezone.now()
    page = Paginator(selectors.overdue(warehouse_id=warehouse.pk if warehouse else None, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = f"warehouse={warehouse.pk}" if warehouse else ""
    context = {"warehouses": warehouses, "warehouse": warehouse, "page": page, "now": now, "query": query}
    return render(request, "console/fulfillment/overdue.html", context)


@console_page(RUN_WAREHOUSE_DESK)
def carriers(request: HttpRequest) -> HttpResponse:
    errors: dict[str, Any] = {}
    values = {"code": "", "name": "", "tracking_pattern": "", "is_active": True, "position": "0"}
    status = 200
    if request.method == "POST":
        values = {
            "code": request.POST.get("code", ""),
            "name": request.POST.get("name", ""),
            "tracking_pattern": request.POST.get("tracking_pattern", ""),
            "is_active": request.POST.get("is_active") == "on",
            "position": request.POST.get("position", "0"),
        }
        try:
            carrier = services.carrier_save(
                code=str(values["code"]),
                name=str(values["name"]),
                tracking_pattern=str(values["tracking_pattern"]),
                is_active=bool(values["is_active"]),
                position=int(str(values["position"])) if str(values["position"]).isdigit() else 0,
                actor=_actor(request),
            )
        except ShopkeeperError as refused:
            errors = refused.details or {"": refused.message}
            messages.error(request, refused.message)
            status = 422
        else:
            messages.success(request, _("Carrier %(name)s saved.") % {"name": carrier.name})
            return redirect("console:fulfillment_carriers")
    context = {"carriers": list(selectors.carriers()), "values": values, "errors": errors}
    return render(request, "console/fulfillment/carriers.html", context, status=status)


@console_page(RUN_WAREHOUSE_DESK)
def bins(request: HttpRequest) -> HttpResponse:
    warehouses = _warehouses()
    warehouse = _warehouse_from(request, warehouses)
    if warehouse is None:
        raise Http404(_("No such warehouse."))
    if request.method == "POST":
        try:
            sku = stock.sku_ref(code=request.POST.get("sku_code", "").strip())
            location = services.bin_set(
                warehouse_id=warehouse.pk, sku_id=sku.id, code=request.POST.get("bin", ""), actor=_actor(request)
            )
        except ShopkeeperError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("%(sku)s is in bin %(bin)s.") % {"sku": sku.code, "bin": location.code})
        return redirect(f"{reverse('console:fulfillment_bins')}?warehouse={warehouse.pk}")
    lines = list(inventory.stock_list(inventory.StockFilters(warehouse_id=warehouse.pk))[:200])
    known = selectors.bins(warehouse_id=warehouse.pk, sku_ids=[line.sku_id for line in lines])
    rows = [(line, known.get(line.sku_id, "—")) for line in lines]
    return render(
        request, "console/fulfillment/bins.html", {"warehouses": warehouses, "warehouse": warehouse, "rows": rows}
    )


@console_page(RUN_WAREHOUSE_DESK)
def capacity(request: HttpRequest) -> HttpResponse:
    warehouses = _warehouses()
    if request.method == "POST":
        changed = 0
        for warehouse in warehouses:
            raw = request.POST.get(f"capacity-{warehouse.pk}", "").strip()
            if not raw:
                continue
            try:
                value = int(raw)
                services.capacity_set(warehouse_id=warehouse.pk, orders_per_day=value, actor=_actor(request))
            except ValueError:
                messages.error(request, _("%(warehouse)s: type a whole number.") % {"warehouse": warehouse.name})
            except ShopkeeperError as refused:
                messages.error(request, f"{warehouse.name}: {refused.message}")
            else:
                changed += 1
        if changed:
            messages.success(request, _("Capacity saved."))
        return redirect("console:fulfillment_capacity")
    known = selectors.capacities([w.pk for w in warehouses])
    return render(request, "console/fulfillment/capacity.html", {"rows": [(w, known[w.pk]) for w in warehouses]})


@console_page(VIEW_OVERDUE)
def surge(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    days_raw = request.GET.get("days", "14")
    factor_raw = request.GET.get("factor", "3")
    report = None
    try:
        days = int(days_raw)
        if not 1 <= days <= MAX_DRILL_DAYS:
            raise ValueError
    except ValueError:
        errors.append(_("Days: 1 to %(max)s.") % {"max": MAX_DRILL_DAYS})
        days = 14
    try:
        factor_percent = selectors.factor_percent(factor_raw)
    except ValueError:
        errors.append(_("Factor: a number such as 3 or 2.5, from 0.1 to 100."))
        factor_percent = 300
    if not errors and "run" in request.GET:
        report = selectors.surge_drill(days=days, factor_percent=factor_percent)
    context = {
        "days": days_raw,
        "factor": factor_raw,
        "errors": errors,
        "report": report,
        "deadline_hours": services.dispatch_hours(),
    }
    return render(request, "console/fulfillment/surge.html", context, status=422 if errors else 200)
