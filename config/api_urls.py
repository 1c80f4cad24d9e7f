from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common import api as common_api

urlpatterns = [
    path("auth/token/", common_api.ObtainTokenView.as_view(), name="api-token"),
    path("me/", common_api.MeView.as_view(), name="api-me"),
    path("buyer/after-sales/", include("disputes.api.buyer_urls")),
    path("seller/after-sales/", include("disputes.api.seller_urls")),
    path("buyer/coupons/", include("promotions.api.coupons")),
    path("buyer/", include("shop.api.buyer_urls")),
    path("buyer/", include("promotions.api.buyer_urls")),
    path("seller/promotions/", include("promotions.api.seller_urls")),
    path("seller/", include("shop.api.seller_urls")),
    path("webhooks/", include("shop.api.webhook_urls")),
    path("webhooks/ad-delivery/", include("promotions.api.ad_delivery")),
    path("schema/", common_api.restricted(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "docs/",
        common_api.restricted(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
