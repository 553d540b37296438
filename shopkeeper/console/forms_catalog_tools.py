"""Forms of the catalog tools pages: import upload, export, compliance filter, banned words, home modules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shopkeeper.catalog import selectors
from shopkeeper.catalog.enums import BannedWordKind, HomeModuleKind, ProductStatus, ProductTier

FORMAT_CHOICES = [("xlsx", _("Excel (.xlsx)")), ("csv", "CSV (.csv)")]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Sheet to import"),
        help_text=_("An .xlsx or .csv file, one row per SKU, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "data-testid": "import-file"}),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="xlsx")
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *ProductStatus.choices], required=False
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("All tiers")), *ProductTier.choices], required=False)
    q = forms.CharField(label=_("Title, SKU code or barcode"), required=False, max_length=100)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen: dict[str, Any] = {key: data[key] for key in ("status", "tier") if data.get(key)}
        if data.get("q"):
            chosen["query"] = data["q"]
        return chosen


class ComplianceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *ProductStatus.choices], required=False
    )


class BannedWordAddForm(forms.Form):
    word = forms.CharField(label=_("Word"), max_length=32)
    kind = forms.ChoiceField(label=_("Kind"), choices=BannedWordKind.choices, initial=BannedWordKind.EXTREME)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BannedWordEditForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BannedWordKind.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active (checked in product copy)"), required=False)


# Which settings each module kind has, in the order the form shows them.
KIND_FIELDS: dict[HomeModuleKind, tuple[str, ...]] = {
    HomeModuleKind.HERO_BANNER: ("image_url", "link", "subtitle"),
    HomeModuleKind.CATEGORY_NAV: ("category_ids",),
    HomeModuleKind.SCENE_ENTRIES: ("scene_ids",),
    HomeModuleKind.BEST_SELLERS: ("count",),
    HomeModuleKind.NEW_ARRIVALS: ("count",),
}


class HomeModuleForm(forms.Form):
    """Title and active for every kind, plus only the settings the chosen kind uses."""

    title = forms.CharField(label=_("Title"), max_length=64, required=False)
    is_active = forms.BooleanField(label=_("Shown on the home page"), required=False, initial=True)
    image_url = forms.CharField(label=_("Image link"), max_length=500)
    link = forms.CharField(label=_("Link when tapped"), max_length=500, required=False)
    subtitle = forms.CharField(label=_("Subtitle"), max_length=120, required=False)
    count = forms.IntegerField(label=_("Products shown"), min_value=1, max_value=40, initial=8)
    category_ids = forms.TypedMultipleChoiceField(
        label=_("Categories"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    scene_ids = forms.TypedMultipleChoiceField(
        label=_("Scenes"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, kind: HomeModuleKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {"title", "is_active", *KIND_FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "category_ids" in self.fields:
            self.fields["category_ids"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
                (category.pk, "　" * category.depth + category.name) for category in selectors.category_tree()
            ]
        if "scene_ids" in self.fields:
            self.fields["scene_ids"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
                (scene.pk, scene.name) for scene in selectors.scene_list(active_only=False)
            ]

    def config(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in KIND_FIELDS[self.kind]}

    @staticmethod
    def initial_for(title: str, is_active: bool, config: dict[str, Any]) -> dict[str, Any]:
        return {"title": title, "is_active": is_active, **config}
