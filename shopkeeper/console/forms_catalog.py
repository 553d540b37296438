"""Product desk forms: they parse what the store operator typed into the catalog services' inputs.

The product editor is four forms posted together (product fields, specs, the SKU matrix and the
qualification documents); `ProductEditor` binds them, turns them into a `ProductInput` and puts
the service's refusals back on the fields they name. The rules themselves live in catalog.services.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopkeeper.catalog import services
from shopkeeper.catalog.enums import PriceField, ProductStatus, ProductTier
from shopkeeper.catalog.services.products import QualificationInput
from shopkeeper.core.domain.money import Money

SPEC_SLOTS = 3  # colour, size and one more cover what a B2C shop sells
MAX_MATRIX_ROWS = 200
_SPEC_VALUE_SEPARATORS = re.compile(r"[,，、;；\n]+")
SKU_ROW_FIELDS = (
    "code",
    "barcode",
    "sale_price",
    "list_price",
    "cost_price",
    "weight_g",
    "stock_quantity",
    "is_active",
)

# The list's sort keys and the ordering each stands for (the newest first unless asked otherwise).
SORTS: dict[str, tuple[str, ...]] = {
    "-id": ("-id",),
    "id": ("id",),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "price": ("min_price_fen", "id"),
    "-price": ("-max_price_fen", "-id"),
    "sales": ("sales_count", "id"),
    "-sales": ("-sales_count", "-id"),
    "hits": ("compliance_hits", "id"),
    "-hits": ("-compliance_hits", "-id"),
}


def lines(text: str) -> list[str]:
    """One entry per non-empty line, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def spec_values_of(text: str) -> list[str]:
    """Spec values typed as "雾霾蓝, 燕麦白" or "S、M、L": trimmed, repeats dropped, order kept."""
    seen: dict[str, None] = {}
    for value in _SPEC_VALUE_SEPARATORS.split(text or ""):
        if value.strip():
            seen.setdefault(value.strip(), None)
    return list(seen)


class YuanField(forms.DecimalField):
    """An amount in yuan with at most two decimals (whole fen)."""

    def __init__(self, *, min_value: Decimal = Decimal("0"), **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "money"}))
        super().__init__(max_digits=11, decimal_places=2, min_value=min_value, **kwargs)


class IdsField(forms.Field):
    """Many ids posted under one name (checkboxes): a sorted list of distinct positive ints."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Not a list of ids.")}

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = [value] if isinstance(value, str | int) else list(value)
        try:
            ids = sorted({int(item) for item in values})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(item <= 0 for item in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


def _with_blank(label: Any, choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", label), *choices]


def _set_choices(field: forms.Field, choices: Sequence[tuple[Any, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


# --- product list -----------------------------------------------------------------------------


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Title or SKU code"), required=False, max_length=120)
    status = forms.ChoiceField(label=_("Status"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    scene = forms.TypedChoiceField(label=_("Scene"), required=False, coerce=int, empty_value=None)
    brand = forms.TypedChoiceField(label=_("Brand"), required=False, coerce=int, empty_value=None)
    compliance = forms.ChoiceField(
        label=_("Banned words"),
        required=False,
        choices=[("", _("Any")), ("hits", _("With banned words")), ("clean", _("None found"))],
    )
    sold_under = forms.IntegerField(
        label=_("Units sold fewer than"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "short"}),
    )
    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        categories: Sequence[tuple[int, str]],
        scenes: Sequence[tuple[int, str]],
        brands: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["status"], _with_blank(_("All statuses"), ProductStatus.choices))
        _set_choices(self.fields["tier"], _with_blank(_("All tiers"), ProductTier.choices))
        _set_choices(self.fields["category"], _with_blank(_("All categories"), categories))
        _set_choices(self.fields["scene"], _with_blank(_("All scenes"), scenes))
        _set_choices(self.fields["brand"], _with_blank(_("All brands"), brands))
        _set_choices(self.fields["sort"], _with_blank("", [(key, key) for key in SORTS]))

    def selector_filters(self) -> dict[str, Any]:
        """Keyword arguments for `catalog.selectors.product_list_staff` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        sold_under = data.get("sold_under")
        return {
            "query": data.get("q") or None,
            "status": data.get("status") or None,
            "tier": data.get("tier") or None,
            "category_id": data.get("category"),
            "scene_id": data.get("scene"),
            "brand_id": data.get("brand"),
            "compliance": {"hits": True, "clean": False}.get(data.get("compliance") or ""),
            "max_sales": sold_under - 1 if sold_under else None,
        }

    def ordering(self) -> tuple[str, ...]:
        key = self.cleaned_data.get("sort") if self.is_valid() else ""
        return SORTS.get(key or "-id", SORTS["-id"])


class BulkStatusForm(forms.Form):
    ids = IdsField(error_messages={"required": _("Choose at least one product.")})
    action = forms.ChoiceField(choices=[("list", _("List")), ("delist", _("Delist"))])


class BulkPriceForm(forms.Form):
    """Which price of the chosen products' SKUs, how to change it, by how much and why."""

    ids = IdsField(error_messages={"required": _("Choose at least one product.")})
    field = forms.ChoiceField(label=_("Price"), choices=PriceField.choices, initial=PriceField.SALE)
    mode = forms.ChoiceField(
        label=_("Change"),
        choices=[
            (services.PriceMode.SET.value, _("Set to (¥)")),
            (services.PriceMode.AMOUNT.value, _("Change by amount (¥, −5 = ¥5 cheaper)")),
            (services.PriceMode.PERCENT.value, _("Change by percent (−10 = 10% cheaper)")),
        ],
        initial=services.PriceMode.PERCENT.value,
    )
    value = forms.DecimalField(label=_("Value"), max_digits=11, decimal_places=2)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Recorded in the price history, e.g. “stock running low”."),
        error_messages={"required": _("Give a reason for the price history.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = data.get("value")
        if data.get("mode") == services.PriceMode.SET and isinstance(value, Decimal) and value < 0:
            self.add_error("value", _("A price cannot be negative."))
        if data.get("mode") == services.PriceMode.PERCENT and isinstance(value, Decimal) and value <= -100:
            self.add_error("value", _("A price cannot fall by 100% or more."))
        return data


# --- product editor ---------------------------------------------------------------------------


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    tier = forms.ChoiceField(label=_("Tier"), choices=ProductTier.choices, initial=ProductTier.LONG_TAIL)
    brand = forms.TypedChoiceField(label=_("Brand"), coerce=int)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, help_text=_("The most specific category."))
    scenes = forms.TypedMultipleChoiceField(
        label=_("Scenes"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    selling_points = forms.CharField(
        label=_("Selling points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    video_url = forms.CharField(label=_("Video link"), required=False, max_length=500)
    main_images = forms.CharField(
        label=_("Main images"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Image links, one per line; the first is the cover. Listing needs at least one."),
    )
    detail_images = forms.CharField(
        label=_("Detail images"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Image links, one per line, in page order."),
    )
    price_reason = forms.CharField(
        label=_("Reason for the price change"),
        required=False,
        max_length=200,
        help_text=_("Needed when you change the price of an existing SKU; it is recorded in the price history."),
    )

    def __init__(
        self,
        *args: Any,
        brands: Sequence[tuple[int, str]],
        categories: Sequence[tuple[int, str]],
        scenes: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["brand"], _with_blank("—", brands))
        _set_choices(self.fields["category"], _with_blank("—", categories))
        _set_choices(self.fields["scenes"], scenes)

    def clean_main_images(self) -> list[str]:
        return self._links("main_images")

    def clean_detail_images(self) -> list[str]:
        return self._links("detail_images")

    def _links(self, name: str) -> list[str]:
        links = lines(self.cleaned_data.get(name, ""))
        if any(len(link) > 500 for link in links):
            raise forms.ValidationError(_("A link is longer than 500 characters."))
        return links


class SpecsForm(forms.Form):
    """Up to three specs (name + values) and the defaults used for newly generated SKU rows."""

    code_prefix = forms.CharField(
        label=_("SKU code prefix"),
        required=False,
        max_length=40,
        help_text=_("New rows get codes like PREFIX-01, PREFIX-02."),
    )
    default_sale_price = YuanField(label=_("Sale price for new rows (¥)"), required=False)
    default_list_price = YuanField(label=_("List price for new rows (¥)"), required=False)
    default_cost_price = YuanField(label=_("Cost price for new rows (¥)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in range(1, SPEC_SLOTS + 1):
            self.fields[f"spec_name_{slot}"] = forms.CharField(
                label=_("Spec %(number)s") % {"number": slot},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"placeholder": gettext("e.g. 颜色") if slot == 1 else ""}),
            )
            self.fields[f"spec_values_{slot}"] = forms.CharField(
                label=_("Values of spec %(number)s") % {"number": slot},
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"placeholder": gettext("e.g. 雾霾蓝, 燕麦白") if slot == 1 else ""}),
            )

    def slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"spec_name_{slot}"], self[f"spec_values_{slot}"]) for slot in range(1, SPEC_SLOTS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        specs: list[tuple[str, list[str]]] = []
        for slot in range(1, SPEC_SLOTS + 1):
            name = (data.get(f"spec_name_{slot}") or "").strip()
            values = spec_values_of(data.get(f"spec_values_{slot}") or "")
            if name and not values:
                self.add_error(f"spec_values_{slot}", _("Give at least one value."))
            elif values and not name:
                self.add_error(f"spec_name_{slot}", _("Name this spec."))
            elif name:
                if name in [existing for existing, _values in specs]:
                    self.add_error(f"spec_name_{slot}", _("This spec name is used twice."))
                specs.append((name, values))
        data["specs"] = specs
        return data

    def typed_specs(self) -> list[tuple[str, list[str]]]:
        """The specs as typed, without validation (for regenerating the matrix while editing)."""
        specs: list[tuple[str, list[str]]] = []
        for slot in range(1, SPEC_SLOTS + 1):
            name = str(self[f"spec_name_{slot}"].value() or "").strip()
            values = spec_values_of(str(self[f"spec_values_{slot}"].value() or ""))
            if name and values and name not in [existing for existing, _values in specs]:
                specs.append((name, values))
        return specs

    def typed_default(self, name: str) -> Decimal | None:
        raw = str(self[name].value() or "").strip()
        try:
            value = Decimal(raw) if raw else None
        except ArithmeticError:
            return None
        return value if value is not None and value.is_finite() and value >= 0 else None

    @staticmethod
    def initial_for(spec_names: Sequence[str], sku_specs: Iterable[Mapping[str, Any]]) -> dict[str, str]:
        """Spec fields for an existing product: each name with its values in SKU order."""
        rows = list(sku_specs)
        initial: dict[str, str] = {}
        for slot, name in enumerate(spec_names[:SPEC_SLOTS], start=1):
            values: dict[str, None] = {}
            for spec_values in rows:
                if spec_values.get(name):
                    values.setdefault(str(spec_values[name]), None)
            initial[f"spec_name_{slot}"] = name
            initial[f"spec_values_{slot}"] = ", ".join(values)
        return initial


class SkuForm(forms.Form):
    spec_values = forms.JSONField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(label=_("SKU code"), max_length=64)
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False)
    sale_price = YuanField(label=_("Sale price (¥)"), min_value=Decimal("0.01"))
    list_price = YuanField(label=_("List price (¥)"))
    cost_price = YuanField(label=_("Cost price (¥)"))
    weight_g = forms.IntegerField(label=_("Weight (g)"), min_value=0, required=False, initial=0)
    stock_quantity = forms.IntegerField(label=_("Stock"), min_value=0, required=False, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_spec_values(self) -> dict[str, str]:
        value = self.cleaned_data.get("spec_values") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Spec values are malformed; build the SKU rows again."))
        return {str(key): str(item) for key, item in value.items()}

    def spec_labels(self) -> list[str]:
        """The row's spec values for display, bound or not."""
        return [str(item) for item in _as_spec_dict(self["spec_values"].value()).values()]


def _as_spec_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # unbound: the field's prepared JSON; bound: the posted text
        try:
            value = forms.JSONField().to_python(value)
        except forms.ValidationError:
            return {}
    return value if isinstance(value, dict) else {}


SkuFormSet = forms.formset_factory(
    SkuForm, extra=0, min_num=1, validate_min=True, can_delete=True, max_num=MAX_MATRIX_ROWS, validate_max=True
)


def kept_sku_forms(formset: forms.BaseFormSet[SkuForm]) -> list[SkuForm]:
    """The validated, filled-in rows not marked for removal."""
    kept = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("code") and not data.get("DELETE"):
            kept.append(form)
    return kept


class QualificationForm(forms.Form):
    name = forms.CharField(label=_("Document"), max_length=100, required=False)
    number = forms.CharField(label=_("Number"), max_length=100, required=False)
    issued_by = forms.CharField(label=_("Issued by"), max_length=100, required=False)
    expires_on = forms.DateField(
        label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    file_url = forms.CharField(label=_("File link"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or "").strip() and any(
            data.get(key) for key in ("number", "issued_by", "expires_on", "file_url")
        ):
            self.add_error("name", _("Name the document, or clear the row."))
        return data

    def is_blank(self) -> bool:
        return not (getattr(self, "cleaned_data", {}).get("name") or "").strip()


QualificationFormSet = forms.formset_factory(QualificationForm, extra=1)


@dataclass
class EditorChoices:
    brands: list[tuple[int, str]]
    categories: list[tuple[int, str]]  # leaf categories only
    scenes: list[tuple[int, str]]


def _row_initial(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in ("spec_values", *SKU_ROW_FIELDS)}


def sku_row(
    *,
    code: str,
    spec_values: Mapping[str, Any],
    barcode: str,
    sale_price_fen: int,
    list_price_fen: int,
    cost_price_fen: int,
    weight_g: int,
    stock_quantity: int,
    is_active: bool,
) -> dict[str, Any]:
    """A matrix row for an existing SKU, prices in yuan."""
    return {
        "spec_values": dict(spec_values),
        "code": code,
        "barcode": barcode,
        "sale_price": Money(sale_price_fen).yuan,
        "list_price": Money(list_price_fen).yuan,
        "cost_price": Money(cost_price_fen).yuan,
        "weight_g": weight_g,
        "stock_quantity": stock_quantity,
        "is_active": is_active,
    }


def _combo_key(spec_values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(key), str(value)) for key, value in spec_values.items()))


class ProductEditor:
    """The product editor's forms, bound or initial, as one unit."""

    _PRODUCT_FIELDS = {
        "title": "title",
        "tier": "tier",
        "brand_id": "brand",
        "category_id": "category",
        "scene_ids": "scenes",
        "images": "main_images",
        "price_reason": "price_reason",
    }

    def __init__(
        self,
        *,
        choices: EditorChoices,
        data: Mapping[str, Any] | None = None,
        initial: Mapping[str, Any] | None = None,
        specs_initial: Mapping[str, Any] | None = None,
        sku_rows: Sequence[Mapping[str, Any]] = (),
        documents: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.product = ProductForm(
            data, initial=initial, brands=choices.brands, categories=choices.categories, scenes=choices.scenes
        )
        self.specs = SpecsForm(data, initial=specs_initial)
        self.skus = SkuFormSet(data, initial=[_row_initial(row) for row in sku_rows] or None, prefix="sku")
        self.documents = QualificationFormSet(data, initial=list(documents) or None, prefix="doc")
        self.errors: list[str] = []  # problems that belong to no single field

    # --- validation ---------------------------------------------------------------------------
    def is_valid(self) -> bool:
        valid = all([self.product.is_valid(), self.specs.is_valid(), self.skus.is_valid(), self.documents.is_valid()])
        if not valid:
            return False
        kept = kept_sku_forms(self.skus)
        if not kept:
            self.errors.append(gettext("Keep at least one SKU."))
            return False
        codes = [str(form.cleaned_data["code"]).strip() for form in kept]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            for form in kept:
                if str(form.cleaned_data["code"]).strip() in repeated:
                    form.add_error("code", gettext("This SKU code is used twice."))
            return False
        specs: list[tuple[str, list[str]]] = self.specs.cleaned_data["specs"]
        names = {name for name, _values in specs}
        allowed = dict(specs)
        for form in kept:
            values = form.cleaned_data["spec_values"]
            if set(values) != names or any(values[name] not in allowed[name] for name in names):
                self.errors.append(
                    gettext("The SKU rows do not match the specs: press “Build SKU rows” after changing specs.")
                )
                return False
        return True

    # --- to the service -----------------------------------------------------------------------
    def product_input(self) -> services.ProductInput:
        data = self.product.cleaned_data
        specs: list[tuple[str, list[str]]] = self.specs.cleaned_data["specs"]
        return services.ProductInput(
            title=data["title"],
            brand_id=data["brand"],
            category_id=data["category"],
            tier=data["tier"],
            scene_ids=list(data["scenes"]),
            selling_points=lines(data["selling_points"]),
            description=data["description"],
            spec_names=[name for name, _values in specs],
            main_images=data["main_images"],
            detail_images=data["detail_images"],
            video_url=data["video_url"].strip(),
            skus=[self._sku_input(form.cleaned_data) for form in kept_sku_forms(self.skus)],
            qualifications=[
                QualificationInput(
                    name=doc.cleaned_data["name"],
                    number=doc.cleaned_data.get("number") or "",
                    issued_by=doc.cleaned_data.get("issued_by") or "",
                    expires_on=doc.cleaned_data.get("expires_on"),
                    file_url=doc.cleaned_data.get("file_url") or "",
                )
                for doc in self._kept_documents()
            ],
        )

    @property
    def price_reason(self) -> str:
        return str(self.product.cleaned_data.get("price_reason") or "")

    @staticmethod
    def _sku_input(row: Mapping[str, Any]) -> services.SkuInput:
        return services.SkuInput(
            code=row["code"].strip(),
            spec_values=row["spec_values"],
            sale_price=Money.from_yuan(row["sale_price"]),
            list_price=Money.from_yuan(row["list_price"]),
            cost_price=Money.from_yuan(row["cost_price"]),
            weight_g=row.get("weight_g") or 0,
            barcode=row.get("barcode") or "",
            stock_quantity=row.get("stock_quantity") or 0,
            is_active=bool(row.get("is_active")),
        )

    def _kept_documents(self) -> list[QualificationForm]:
        return [doc for doc in self.documents.forms if not doc.is_blank()]

    # --- refusals back onto the fields ----------------------------------------------------------
    def add_service_errors(self, message: str, details: Mapping[str, Any]) -> None:
        """Place each problem of a ValidationFailed on the field it names; the rest go on top."""
        rows = {str(form.cleaned_data.get("code", "")).strip(): form for form in kept_sku_forms(self.skus)}
        documents = self._kept_documents()
        placed = False
        for key, problem in details.items():
            text = message if key == "price_reason" or not isinstance(problem, str) else problem
            parts = key.split(".")
            if key in self._PRODUCT_FIELDS:
                self.product.add_error(self._PRODUCT_FIELDS[key], text)
            elif key == "spec_names":
                self.specs.add_error(None, text)
            elif parts[0] == "skus" and len(parts) >= 3 and parts[1] in rows:
                form = rows[parts[1]]
                form.add_error(parts[-1] if parts[-1] in form.fields else None, text)
            elif (
                parts[0] == "qualifications"
                and len(parts) == 3
                and parts[1].isdigit()
                and int(parts[1]) < len(documents)
            ):
                documents[int(parts[1])].add_error("name", text)
            else:
                self.errors.append(text)
            placed = True
        if not placed:
            self.errors.append(message)

    def add_compliance_hits(self, hits: Sequence[Mapping[str, Any]]) -> None:
        for hit in hits:
            field = str(hit.get("field", ""))
            text = gettext("Banned word “%(word)s” at characters %(first)s–%(last)s.") % {
                "word": hit.get("word"),
                "first": int(hit.get("start", 0)) + 1,
                "last": hit.get("end"),
            }
            if field in ("title", "description"):
                self.product.add_error(field, text)
            elif field.startswith("selling_points"):
                self.product.add_error("selling_points", text)

    def has_price_changes(self, existing: Mapping[str, Mapping[str, int]]) -> bool:
        """Whether a posted row changes a price of an SKU that exists (by code); prices in fen."""
        for form in kept_sku_forms(self.skus):
            old = existing.get(str(form.cleaned_data["code"]).strip())
            if old is None:
                continue
            for name in ("sale_price", "list_price", "cost_price"):
                if Money.from_yuan(form.cleaned_data[name]).fen != old[name]:
                    return True
        return False

    # --- the SKU matrix -----------------------------------------------------------------------
    def typed_rows(self) -> list[dict[str, Any]]:
        """The SKU rows as posted, unvalidated, without the ones marked for removal."""
        rows = []
        for form in self.skus.forms:
            if form["DELETE"].value():
                continue
            row: dict[str, Any] = {name: form[name].value() for name in SKU_ROW_FIELDS}
            row["spec_values"] = _as_spec_dict(form["spec_values"].value())
            rows.append(row)
        return rows

    def regenerated_rows(self) -> list[dict[str, Any]]:
        """One row per combination of the typed spec values. Rows already filled in keep their
        values; new rows get the default prices (or the first row's) and a code from the prefix."""
        specs = self.specs.typed_specs()
        old_rows = self.typed_rows()
        names = [name for name, _values in specs]
        combos = list(itertools.islice(itertools.product(*[values for _name, values in specs]), MAX_MATRIX_ROWS + 1))
        if len(combos) > MAX_MATRIX_ROWS:
            self.errors.append(
                gettext("At most %(count)s SKU rows; use fewer spec values.") % {"count": MAX_MATRIX_ROWS}
            )
            return old_rows
        by_combo = {_combo_key(row["spec_values"]): row for row in old_rows}
        template = old_rows[0] if old_rows else {}
        prefix = str(self.specs["code_prefix"].value() or "").strip()
        kept_keys = {_combo_key(dict(zip(names, combo, strict=True))) for combo in combos}
        used_codes = {str(row.get("code") or "") for key, row in by_combo.items() if key in kept_keys}
        counter = itertools.count(1)
        rows: list[dict[str, Any]] = []
        for combo in combos:
            spec_values = dict(zip(names, combo, strict=True))
            existing = by_combo.get(_combo_key(spec_values))
            if existing is not None:
                rows.append({**existing, "spec_values": spec_values})
                continue
            code = ""
            if prefix:
                code = next(c for c in (f"{prefix}-{n:02d}" for n in counter) if c not in used_codes)
                used_codes.add(code)
            rows.append(
                {
                    "spec_values": spec_values,
                    "code": code,
                    "barcode": "",
                    "sale_price": self.specs.typed_default("default_sale_price") or template.get("sale_price"),
                    "list_price": self.specs.typed_default("default_list_price") or template.get("list_price"),
                    "cost_price": self.specs.typed_default("default_cost_price") or template.get("cost_price"),
                    "weight_g": template.get("weight_g") or 0,
                    "stock_quantity": 0,
                    "is_active": True,
                }
            )
        return rows

    def with_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace the matrix by fresh (unbound) rows, e.g. after regenerating it."""
        self.skus = SkuFormSet(initial=[_row_initial(row) for row in rows], prefix="sku")


# --- scheduling -------------------------------------------------------------------------------


class ScheduleForm(forms.Form):
    """Times are typed in the shop's time zone (Asia/Shanghai); empty clears that half."""

    list_at = forms.DateTimeField(
        label=_("List at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    delist_at = forms.DateTimeField(
        label=_("Delist at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CopyCheckForm(forms.Form):
    """The copy fields of the editor, for the live banned-word check (nothing is saved)."""

    title = forms.CharField(required=False, max_length=500)
    selling_points = forms.CharField(required=False)
    description = forms.CharField(required=False)
