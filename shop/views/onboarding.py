"""Merchant pages."""

urlpatterns = []
