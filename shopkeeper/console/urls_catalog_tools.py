"""Console routes of the catalog tools pages (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
