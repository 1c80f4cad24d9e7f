"""Buyer after-sale API (/api/buyer/after-sales/)."""

from django.urls import path

from disputes.api import views

urlpatterns = [
    path("", views.BuyerListCreateView.as_view(), name="buyer-aftersales"),
    path("<int:pk>/", views.BuyerDetailView.as_view(), name="buyer-aftersale"),
    path("<int:pk>/waybill/", views.buyer_waybill, name="buyer-aftersale-waybill"),
    path("<int:pk>/messages/", views.buyer_message, name="buyer-aftersale-message"),
    path("<int:pk>/evidence/", views.buyer_evidence, name="buyer-aftersale-evidence"),
    path("<int:pk>/escalate/", views.buyer_escalate, name="buyer-aftersale-escalate"),
    path("<int:pk>/cancel/", views.buyer_cancel, name="buyer-aftersale-cancel"),
    path("<int:pk>/files/<int:attachment_id>/", views.BuyerAttachmentView.as_view(),
         name="buyer-aftersale-attachment"),
]
