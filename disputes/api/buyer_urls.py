"""Buyer after-sale API (/api/buyer/after-sales/)."""

urlpatterns = []
