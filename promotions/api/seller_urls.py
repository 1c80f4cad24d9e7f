"""Merchant ERP API of marketing (/api/seller/promotions/): read-only."""

from django.urls import path

from promotions.api import seller

urlpatterns = [
    path("campaign-entries/", seller.SellerCampaignEntryListView.as_view(),
         name="seller-campaign-entries"),
    path("campaign-entries/<int:pk>/", seller.SellerCampaignEntryDetailView.as_view(),
         name="seller-campaign-entry"),
    path("promotion-orders/", seller.SellerPromotionOrderListView.as_view(),
         name="seller-promotion-orders"),
    path("promotion-orders/<int:pk>/", seller.SellerPromotionOrderDetailView.as_view(),
         name="seller-promotion-order"),
]
