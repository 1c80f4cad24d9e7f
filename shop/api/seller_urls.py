"""Merchant ERP API (/api/seller/)."""

from django.urls import path

from shop.api import seller

urlpatterns = [
    path("orders/", seller.SellerOrderListView.as_view(), name="seller-orders"),
    path("orders/<str:number>/", seller.SellerOrderDetailView.as_view(), name="seller-order"),
    path("orders/<str:number>/ship/", seller.SellerOrderShipView.as_view(),
         name="seller-order-ship"),
    path("skus/<int:pk>/stock/", seller.SellerSkuStockView.as_view(), name="seller-sku-stock"),
]
