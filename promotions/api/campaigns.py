"""Buyer API of platform campaigns (/api/buyer/campaigns/): running and upcoming campaigns,
a campaign's accepted products, and a product's campaign badge and prices. Buying goes
through the normal order endpoint, which prices accepted SKUs at the campaign price while
the campaign runs."""

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsBuyer
from promotions.models import Campaign, CampaignEntry, CampaignEntryItem
from promotions.selectors.campaigns import (
    campaign_for_buyers,
    campaign_products_for_buyers,
    campaigns_for_buyers,
    product_for_buyers,
    running_campaign_items,
)
from shop.models import Product


def _banner_url(context, campaign) -> str | None:
    if not campaign.banner:
        return None
    request = context.get("request")
    url = campaign.banner.url
    return request.build_absolute_uri(url) if request is not None else url


class CampaignOut(serializers.ModelSerializer):
    banner = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "name", "description", "status", "starts_at", "ends_at", "banner"]

    def get_banner(self, obj) -> str | None:
        return _banner_url(self.context, obj)


class CampaignItemOut(serializers.ModelSerializer):
    sku = serializers.IntegerField(source="sku_id")
    attributes = serializers.JSONField(source="sku.attributes")

    class Meta:
        model = CampaignEntryItem
        fields = ["sku", "attributes", "regular_price", "campaign_price"]


class CampaignProductOut(serializers.ModelSerializer):
    product = serializers.IntegerField(source="product_id")
    title = serializers.CharField(source="product.title")
    store = serializers.CharField(source="store.slug")
    store_name = serializers.CharField(source="store.name")
    items = CampaignItemOut(many=True, read_only=True)

    class Meta:
        model = CampaignEntry
        fields = ["product", "title", "store", "store_name", "items"]


class CampaignListView(generics.ListAPIView):
    """Running campaigns, then upcoming ones, by start."""

    permission_classes = [IsBuyer]
    serializer_class = CampaignOut
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Campaign.objects.none()
        return campaigns_for_buyers(timezone.now())


class CampaignProductsView(generics.ListAPIView):
    """The accepted products of a campaign with their campaign prices (empty until the
    campaign runs: the prices apply only then)."""

    permission_classes = [IsBuyer]
    serializer_class = CampaignProductOut
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CampaignEntry.objects.none()
        try:
            campaign = campaign_for_buyers(self.kwargs["pk"])
        except Campaign.DoesNotExist:
            raise Http404
        if campaign.status != Campaign.Status.RUNNING:
            return CampaignEntry.objects.none()
        return campaign_products_for_buyers(campaign)


class BadgeOut(serializers.Serializer):
    campaign = serializers.IntegerField()
    name = serializers.CharField()
    ends_at = serializers.DateTimeField()


class ProductSkuPriceOut(serializers.Serializer):
    sku = serializers.IntegerField()
    attributes = serializers.JSONField()
    regular_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    campaign_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                              help_text="Null: not in a running campaign.")


class ProductCampaignOut(serializers.Serializer):
    product = serializers.IntegerField()
    title = serializers.CharField()
    store = serializers.CharField()
    badge = BadgeOut(allow_null=True, help_text="The running campaign the product is in, "
                                                "if any (活动标).")
    skus = ProductSkuPriceOut(many=True)


class ProductCampaignView(APIView):
    """A listed product's campaign badge and the campaign price of each SKU, while a
    campaign it was accepted for runs."""

    permission_classes = [IsBuyer]

    @extend_schema(responses=ProductCampaignOut)
    def get(self, request, pk):
        try:
            product = product_for_buyers(pk)
        except Product.DoesNotExist:
            raise Http404
        skus = list(product.skus.filter(is_active=True).order_by("pk"))
        best = running_campaign_items([s.pk for s in skus], timezone.now())
        badge = None
        rows = []
        for sku in skus:
            item = best.get(sku.pk)
            price = item.campaign_price if item and item.campaign_price < sku.price else None
            if price is not None and badge is None:
                campaign = item.entry.campaign
                badge = {"campaign": campaign.pk, "name": campaign.name,
                         "ends_at": campaign.ends_at}
            rows.append({"sku": sku.pk, "attributes": sku.attributes,
                         "regular_price": sku.price, "campaign_price": price})
        return Response(ProductCampaignOut({
            "product": product.pk, "title": product.title, "store": product.store.slug,
            "badge": badge, "skus": rows}).data)


urlpatterns = [
    path("campaigns/", CampaignListView.as_view(), name="buyer-campaigns"),
    path("campaigns/<int:pk>/products/", CampaignProductsView.as_view(),
         name="buyer-campaign-products"),
    path("campaigns/products/<int:pk>/", ProductCampaignView.as_view(),
         name="buyer-product-campaign"),
]
