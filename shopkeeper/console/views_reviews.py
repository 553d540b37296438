"""Review moderation in the console: the filtered review list, hiding a review with a reason, and
showing it again. The catalog's review services write the change, the rating totals and the audit entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from shopkeeper.catalog import selectors, services
from shopkeeper.catalog.services.reviews import HIDE_REASON_MAX_LENGTH
from shopkeeper.console.decorators import console_page
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import MODERATE_REVIEWS
from shopkeeper.core.services import ActorContext

PAGE_SIZE = 25
YES_NO = [("", _lazy("Any")), ("1", _lazy("Yes")), ("0", _lazy("No"))]


class ReviewFilterForm(forms.Form):
    product = forms.IntegerField(label=_lazy("Product id"), required=False, min_value=1)
    rating = forms.TypedChoiceField(
        label=_lazy("Stars"),
        choices=[("", _lazy("Any")), *[(str(n), str(n)) for n in range(5, 0, -1)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    hidden = forms.ChoiceField(label=_lazy("Hidden"), choices=YES_NO, required=False)
    photos = forms.ChoiceField(label=_lazy("With photos"), choices=YES_NO, required=False)
    posted_from = forms.DateField(
        label=_lazy("Posted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    posted_to = forms.DateField(
        label=_lazy("Posted to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> selectors.ReviewFilters:
        data = self.cleaned_data if self.is_valid() else {}
        flags = {"1": True, "0": False}
        return selectors.ReviewFilters(
            product_id=data.get("product"),
            rating=data.get("rating"),
            hidden=flags.get(data.get("hidden") or ""),
            has_photos=flags.get(data.get("photos") or ""),
            posted_from=data.get("posted_from"),
            posted_to=data.get("posted_to"),
        )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_lazy("Reason for hiding"),
        max_length=HIDE_REASON_MAX_LENGTH,
        help_text=_lazy("Recorded in the audit log, e.g. “advertising”, “abusive language”, “photos unrelated”."),
        widget=forms.TextInput(attrs={"data-testid": "hide-reason"}),
    )


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _review(review_id: int) -> Any:
    try:
        return selectors.review_get(review_id=review_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the list as it was filtered, when the form said where that was."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("console:review_list")


@console_page(MODERATE_REVIEWS)
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    reviews = selectors.review_list_staff(form.filters() if form.is_bound else selectors.ReviewFilters())
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/reviews/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "here": request.get_full_path()},
    )


@console_page(MODERATE_REVIEWS)
def review_hide(request: HttpRequest, review_id: int) -> HttpResponse:
    """GET shows the review and the reason form; POST hides it (the reason is required)."""
    review = _review(review_id)
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_hide(actor=_actor(request), review=review, reason=form.cleaned_data["reason"])
        except ShopkeeperError as exc:
            form.add_error("reason" if "reason" in exc.details else None, exc.message)
        else:
            messages.success(request, _("Review hidden. It no longer counts in the product's rating."))
            return _back(request)
    return render(
        request,
        "console/reviews/hide.html",
        {"review": review, "form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=422 if request.method == "POST" else 200,
    )


@console_page(MODERATE_REVIEWS)
@require_POST
def review_unhide(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _review(review_id)
    try:
        services.review_unhide(actor=_actor(request), review=review)
    except ShopkeeperError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Review shown again. It counts in the product's rating again."))
    return _back(request)
