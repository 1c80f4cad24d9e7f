"""Merchant after-sale API (/api/seller/after-sales/)."""

urlpatterns = []
