"""Buyer API (/api/buyer/)."""

from django.urls import path

from shop.api import buyer, invoices

urlpatterns = [
    path("products/", buyer.CatalogueView.as_view(), name="buyer-products"),
    path("stores/<slug:slug>/products/", buyer.StoreProductsView.as_view(),
         name="buyer-store-products"),
    path("orders/", buyer.OrderListCreateView.as_view(), name="buyer-orders"),
    path("orders/<str:number>/", buyer.OrderDetailView.as_view(), name="buyer-order"),
    path("orders/<str:number>/pay/", buyer.OrderPayView.as_view(), name="buyer-order-pay"),
    path("orders/<str:number>/cancel/", buyer.OrderCancelView.as_view(),
         name="buyer-order-cancel"),
    path("orders/<str:number>/confirm-receipt/", buyer.OrderConfirmReceiptView.as_view(),
         name="buyer-order-confirm"),
    path("orders/<str:number>/rating/", buyer.OrderRatingView.as_view(),
         name="buyer-order-rating"),
    path("invoices/", invoices.InvoiceListView.as_view(), name="buyer-invoices"),
    path("invoices/<int:pk>/", invoices.InvoiceDetailView.as_view(), name="buyer-invoice"),
    path("invoices/<int:pk>/file/", invoices.InvoiceFileView.as_view(),
         name="buyer-invoice-file"),
]
