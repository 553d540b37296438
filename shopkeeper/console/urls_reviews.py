"""Console routes of the reviews pages (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_reviews as views

urlpatterns: list[URLPattern] = [
    path("catalog/reviews/", views.review_list, name="review_list"),
    path("catalog/reviews/<int:review_id>/hide/", views.review_hide, name="review_hide"),
    path("catalog/reviews/<int:review_id>/unhide/", views.review_unhide, name="review_unhide"),
]
