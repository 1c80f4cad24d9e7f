"""Merchant pages: deposits, store account, closure."""

urlpatterns = []
