"""Console routes of the catalog tools pages (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_catalog_tools as views

urlpatterns: list[URLPattern] = [
    path("catalog/import/", views.import_page, name="catalog_import"),
    path("catalog/import/<int:job_id>/", views.import_job, name="catalog_import_job"),
    path("catalog/import/template.<str:fmt>", views.import_template, name="catalog_import_template"),
    path("catalog/export/", views.export, name="catalog_export"),
    path("catalog/compliance/", views.compliance, name="catalog_compliance"),
    path("catalog/banned-words/", views.banned_words, name="catalog_banned_words"),
    path("catalog/banned-words/<int:word_id>/", views.banned_word_edit, name="catalog_banned_word_edit"),
    path("catalog/home/", views.home_arrangement, name="catalog_home"),
    path("catalog/home/new/<str:kind>/", views.home_module_new, name="catalog_home_module_new"),
    path("catalog/home/<int:module_id>/", views.home_module_edit, name="catalog_home_module_edit"),
]
