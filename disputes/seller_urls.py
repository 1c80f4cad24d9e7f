"""Merchant after-sale pages (/seller/after-sales/)."""

app_name = "seller_aftersales"

urlpatterns = []
