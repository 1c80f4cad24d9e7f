"""Merchant after-sale pages (/seller/after-sales/)."""

from django.urls import path

from disputes import seller_views as views

app_name = "seller_aftersales"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("return-address/", views.return_address, name="return_address"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.request_action, name="action"),
]
