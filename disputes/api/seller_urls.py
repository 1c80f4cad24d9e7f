"""Merchant after-sale API (/api/seller/after-sales/)."""

from django.urls import path

from disputes.api import views

urlpatterns = [
    path("", views.SellerListView.as_view(), name="seller-aftersales"),
    path("<int:pk>/", views.SellerDetailView.as_view(), name="seller-aftersale"),
    path("<int:pk>/contact/", views.seller_contact, name="seller-aftersale-contact"),
    path("<int:pk>/approve/", views.seller_approve, name="seller-aftersale-approve"),
    path("<int:pk>/reject/", views.seller_reject, name="seller-aftersale-reject"),
    path("<int:pk>/confirm-receipt/", views.seller_receive,
         name="seller-aftersale-confirm-receipt"),
    path("<int:pk>/reship/", views.seller_reship, name="seller-aftersale-reship"),
    path("<int:pk>/propose-offline/", views.seller_offline,
         name="seller-aftersale-propose-offline"),
    path("<int:pk>/accept-ruling/", views.seller_accept_ruling,
         name="seller-aftersale-accept-ruling"),
    path("<int:pk>/escalate/", views.seller_escalate, name="seller-aftersale-escalate"),
    path("<int:pk>/messages/", views.seller_message, name="seller-aftersale-message"),
    path("<int:pk>/evidence/", views.seller_evidence, name="seller-aftersale-evidence"),
    path("<int:pk>/files/<int:attachment_id>/", views.SellerAttachmentView.as_view(),
         name="merchant-aftersale-attachment"),
]
