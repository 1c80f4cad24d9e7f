"""Buyer API of the promotions (/api/buyer/)."""

from promotions.api import campaigns, flash_sales, live

urlpatterns = [
    *flash_sales.urlpatterns,
    *live.urlpatterns,
    *campaigns.urlpatterns,
]
