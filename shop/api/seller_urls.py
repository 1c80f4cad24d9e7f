"""Merchant ERP API (/api/seller/)."""

urlpatterns = []
