"""URLs of the delivery part, added to programs/urls.py (namespace "programs")."""

from django.urls import path

from . import views_delivery as views

urlpatterns = [
    path("handover/", views.handover, name="handover"),
    path("handover/<int:pk>/", views.handover_entry, name="handover_entry"),
    path("handover/<int:pk>/code/", views.handover_code, name="handover_code"),
    path("handover/<int:pk>/confirm/", views.handover_confirm, name="handover_confirm"),
    path("stock/", views.stock_list, name="stock"),
    path("stock/<int:pk>/", views.stock_item, name="stock_item"),
    path("cycles/<int:pk>/transfers/", views.transfers, name="transfers"),
    path("cycles/<int:pk>/transfers/new/", views.transfer_create, name="transfer_create"),
    path("cycles/<int:pk>/transfers/return/", views.transfer_return, name="transfer_return"),
    path(
        "cycles/<int:pk>/transfers/returns/",
        views.transfer_returns_upload,
        name="transfer_returns_upload",
    ),
    path("transfers/<int:pk>/file/", views.transfer_download, name="transfer_download"),
]
