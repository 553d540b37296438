"""Console routes of the inventory pages (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_inventory as views

urlpatterns: list[URLPattern] = [
    path("inventory/warehouses/", views.warehouse_list, name="inventory_warehouses"),
    path("inventory/stock/", views.stock_list, name="inventory_stock"),
    path("inventory/stock/<int:stock_id>/", views.stock_detail, name="inventory_stock_detail"),
    path("inventory/stock/<int:stock_id>/adjust/", views.stock_adjust, name="inventory_stock_adjust"),
    path("inventory/stock/<int:stock_id>/stocktake/", views.stock_stocktake, name="inventory_stock_stocktake"),
    path("inventory/stock/<int:stock_id>/safety/", views.stock_safety, name="inventory_stock_safety"),
    path("inventory/receive/", views.stock_receive, name="inventory_receive"),
    path("inventory/alerts/", views.alert_list, name="inventory_alerts"),
    path("inventory/import/", views.stock_import, name="inventory_import"),
    path("inventory/import/template.xlsx", views.stock_import_template, name="inventory_import_template"),
]
