"""Signed callbacks from the payment provider and couriers (/api/webhooks/)."""

urlpatterns = []
