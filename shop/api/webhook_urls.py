"""Signed callbacks from the payment provider and couriers (/api/webhooks/)."""

from django.urls import path

from payments.api import PaymentCallbackView
from shop.api import webhooks

urlpatterns = [
    path("payments/<slug:provider>/", PaymentCallbackView.as_view(),
         name="webhook-payment"),
    path("couriers/", webhooks.CourierCallbackView.as_view(), name="webhook-courier"),
]
