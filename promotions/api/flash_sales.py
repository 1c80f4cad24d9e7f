"""Buyer API of flash sales (/api/buyer/flash-sales/): running and upcoming sales, and one
sale with its SKUs. Buying goes through the normal order endpoint (/api/buyer/orders/),
which prices flash SKUs at the flash price while the sale runs."""

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsBuyer
from promotions.models import FlashSale, FlashSaleItem
from promotions.selectors.flash_sales import (
    flash_sale_bought,
    flash_sale_for_buyers,
    flash_sales_for_buyers,
    item_remaining,
)


class FlashSaleItemOut(serializers.ModelSerializer):
    sku = serializers.IntegerField(source="sku_id")
    attributes = serializers.JSONField(source="sku.attributes")
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = FlashSaleItem
        fields = ["sku", "attributes", "regular_price", "flash_price", "remaining"]

    def get_remaining(self, obj) -> int:
        return item_remaining(obj, self.context["status"])


class FlashSaleOut(serializers.ModelSerializer):
    product = serializers.IntegerField(source="product_id")
    title = serializers.CharField(source="product.title")
    store = serializers.CharField(source="store.slug")
    store_name = serializers.CharField(source="store.name")
    items = serializers.SerializerMethodField()

    class Meta:
        model = FlashSale
        fields = ["id", "status", "starts_at", "ends_at", "per_buyer_limit", "product",
                  "title", "store", "store_name", "items"]

    @extend_schema(responses=FlashSaleItemOut(many=True))
    def get_items(self, obj) -> list:
        return FlashSaleItemOut(obj.items.all(), many=True,
                                context={**self.context, "status": obj.status}).data


class FlashSaleDetailOut(FlashSaleOut):
    bought = serializers.SerializerMethodField(help_text="Units you hold in live orders.")

    class Meta(FlashSaleOut.Meta):
        fields = [*FlashSaleOut.Meta.fields, "bought"]

    def get_bought(self, obj) -> int:
        return flash_sale_bought(obj, self.context["request"].user)


class FlashSaleListIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=["running", "scheduled"], required=False)


class FlashSaleListView(generics.ListAPIView):
    """Running flash sales, then upcoming ones, by start time; `status` narrows to one."""

    permission_classes = [IsBuyer]
    serializer_class = FlashSaleOut
    filter_backends = []

    @extend_schema(parameters=[FlashSaleListIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return FlashSale.objects.none()
        # a plain dict: from a QueryDict DRF reads an empty optional value as left out,
        # where the schema (and this serializer) refuse it
        params = FlashSaleListIn(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        return flash_sales_for_buyers(timezone.now(),
                                      status=params.validated_data.get("status", ""))


class FlashSaleDetailView(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(responses=FlashSaleDetailOut)
    def get(self, request, pk):
        try:
            sale = flash_sale_for_buyers(pk)
        except FlashSale.DoesNotExist:
            raise Http404
        return Response(FlashSaleDetailOut(sale, context={"request": request}).data)


urlpatterns = [
    path("flash-sales/", FlashSaleListView.as_view(), name="buyer-flash-sales"),
    path("flash-sales/<int:pk>/", FlashSaleDetailView.as_view(), name="buyer-flash-sale"),
]
