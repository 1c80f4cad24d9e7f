"""Merchant marketing pages (/seller/promotions/). Each tool's views module exports its own
`urlpatterns`."""

from django.urls import include, path

from promotions.views import (
    ads,
    campaigns,
    coupons,
    flash_sales,
    lightning,
    live,
    selection,
    videos,
)

app_name = "seller_promotions"

urlpatterns = [
    *coupons.urlpatterns,
    *live.urlpatterns,
    *videos.urlpatterns,
    *lightning.urlpatterns,
    *selection.urlpatterns,
    path("flash-sales/", include(flash_sales.urlpatterns)),
    path("ads/", include(ads.urlpatterns)),
    path("campaigns/", include(campaigns.urlpatterns)),
]
