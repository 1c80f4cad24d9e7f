"""Buyer API (/api/buyer/)."""

urlpatterns = []
