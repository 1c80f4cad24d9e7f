"""Merchant area (/seller/). Each area's views module exports its own `urlpatterns`."""

from django.urls import path

from common.area_views import AreaLoginView, AreaLogoutView
from shop.views import dashboard, deposits, invoices, onboarding, orders, products

app_name = "seller"

urlpatterns = [
    path("login/", AreaLoginView.as_view(area="seller"), name="login"),
    path("logout/", AreaLogoutView.as_view(area="seller"), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    *onboarding.urlpatterns,
    *products.urlpatterns,
    *orders.urlpatterns,
    *invoices.urlpatterns,
    *deposits.urlpatterns,
]
