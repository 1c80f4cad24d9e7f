"""Merchant ERP API (token auth, /api/seller/promotions/): read the store's platform
campaign sign-ups and its paid promotion orders, list (newest first, keyset pages) and
detail with the timeline. Another store's sign-up or order is a 404."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsMerchant
from common.pagination import NewestFirstCursorPagination as NewestFirst
from promotions.models import (
    CampaignEntry,
    CampaignEntryEvent,
    CampaignEntryItem,
    PromotionOrder,
    PromotionOrderEvent,
)
from promotions.selectors.ads import promotion_order_for_merchant, promotion_orders_for_merchant
from promotions.selectors.campaigns import (
    campaign_entries_for_merchant,
    campaign_entry_for_merchant,
)


# --- serializers ------------------------------------------------------------------------
class _EventOut(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_display")
    reason = serializers.CharField(source="reason_display",
                                   help_text=_("Why, in the reader's language"))

    class Meta:
        fields = ["from_status", "to_status", "actor", "reason", "at"]


class CampaignEntryEventOut(_EventOut):
    class Meta(_EventOut.Meta):
        model = CampaignEntryEvent


class PromotionOrderEventOut(_EventOut):
    class Meta(_EventOut.Meta):
        model = PromotionOrderEvent


class CampaignEntryItemOut(serializers.ModelSerializer):
    class Meta:
        model = CampaignEntryItem
        fields = ["sku", "regular_price", "campaign_price"]


class SellerCampaignEntryOut(serializers.ModelSerializer):
    # Plain strings: each model's status is its own vocabulary, not a shared schema enum.
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    campaign_name = serializers.CharField(source="campaign.name")
    campaign_starts_at = serializers.DateTimeField(source="campaign.starts_at")
    campaign_ends_at = serializers.DateTimeField(source="campaign.ends_at")
    product_title = serializers.CharField(source="product.title")
    items = CampaignEntryItemOut(many=True)

    class Meta:
        model = CampaignEntry
        fields = ["id", "campaign", "campaign_name", "campaign_starts_at", "campaign_ends_at",
                  "product", "product_title", "status", "status_display", "created_at",
                  "decided_at", "items"]


class SellerCampaignEntryDetailOut(SellerCampaignEntryOut):
    events = CampaignEntryEventOut(many=True)

    class Meta(SellerCampaignEntryOut.Meta):
        fields = [*SellerCampaignEntryOut.Meta.fields, "events"]


class SellerPromotionOrderOut(serializers.ModelSerializer):
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    kind = serializers.CharField()
    goal = serializers.CharField()

    class Meta:
        model = PromotionOrder
        fields = ["id", "kind", "goal", "status", "status_display", "session", "video",
                  "budget", "spent", "refunded", "duration_hours", "exposures", "plays",
                  "new_fans", "clicks", "created_at", "started_at", "ends_at", "ended_at"]


class SellerPromotionOrderDetailOut(SellerPromotionOrderOut):
    rejection_reason = serializers.CharField()
    events = serializers.SerializerMethodField()

    class Meta(SellerPromotionOrderOut.Meta):
        fields = [*SellerPromotionOrderOut.Meta.fields, "target_gender", "target_ages",
                  "target_regions", "rejection_reason", "events"]

    @extend_schema(responses=PromotionOrderEventOut(many=True))
    def get_events(self, obj) -> list:
        events = obj.events.select_related("actor").order_by("at", "pk")
        return PromotionOrderEventOut(events, many=True).data


# --- views ------------------------------------------------------------------------------
class SellerCampaignEntryListView(generics.ListAPIView):
    """The store's campaign sign-ups, newest first."""

    permission_classes = [IsMerchant]
    serializer_class = SellerCampaignEntryOut
    pagination_class = NewestFirst
    filter_backends = []

    def get_queryset(self):
        return campaign_entries_for_merchant(self.request.user).order_by("-created_at", "-id")


class SellerCampaignEntryDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses=SellerCampaignEntryDetailOut)
    def get(self, request, pk):
        try:
            entry = campaign_entry_for_merchant(request.user, pk)
        except CampaignEntry.DoesNotExist:
            raise Http404
        return Response(SellerCampaignEntryDetailOut(entry).data)


class SellerPromotionOrderListView(generics.ListAPIView):
    """The store's paid promotion orders, newest first."""

    permission_classes = [IsMerchant]
    serializer_class = SellerPromotionOrderOut
    pagination_class = NewestFirst
    filter_backends = []

    def get_queryset(self):
        return promotion_orders_for_merchant(self.request.user).order_by("-created_at", "-id")


class SellerPromotionOrderDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses=SellerPromotionOrderDetailOut)
    def get(self, request, pk):
        try:
            order = promotion_order_for_merchant(request.user, pk)
        except PromotionOrder.DoesNotExist:
            raise Http404
        return Response(SellerPromotionOrderDetailOut(order).data)
