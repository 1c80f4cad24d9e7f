"""Merchant ERP API (token auth): list and filter orders, ship, update stock. Another
store's order or SKU is a 404."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsMerchant
from shop.api import serializers as s
from shop.models import Order, OrderLine, Sku
from shop.selectors.orders import order_detail_for_merchant, orders_for_merchant
from shop.services.products import sku_stock_set
from shop.services.shipping import order_ship


class SellerOrderFilter(django_filters.FilterSet):
    """The merchant's order filters. A filter given with an empty value is a 400, as the
    schema says (a date or a choice), rather than quietly no filter."""

    status = django_filters.ChoiceFilter(choices=Order.Status.choices)
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                             label=_("created from"))
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                           label=_("created until"))
    number = django_filters.CharFilter(field_name="number")
    # "true" or "false"; anything else is a 400 (a BooleanFilter took "null" as no filter).
    late = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_late",
        label=_("deadline missed"))

    class Meta:
        model = Order
        fields = ["status", "created_from", "created_to", "number", "late"]

    def is_valid(self):
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.CharFilter) or name not in self.data:
                continue
            if self.data.get(name) == "":
                self.form.add_error(name, ValidationError(
                    forms.Field.default_error_messages["required"], code="required"))
                valid = False
        return valid

    def filter_late(self, queryset, name, value):
        if not value:
            return queryset
        late = queryset.filter(shipped_late=True) | queryset.filter(pickup_late=True)
        return (late if value == "true"
                else queryset.exclude(shipped_late=True).exclude(pickup_late=True))


def _detail(request, number):
    try:
        order = order_detail_for_merchant(request.user, number)
    except Order.DoesNotExist:
        raise Http404
    return Response(s.SellerOrderDetailOut(order, context={"request": request}).data)


class SellerOrderListView(generics.ListAPIView):
    """The store's orders: those to ship first, most urgent clock first."""

    permission_classes = [IsMerchant]
    serializer_class = s.SellerOrderOut
    filterset_class = SellerOrderFilter

    def get_queryset(self):
        return orders_for_merchant(self.request.user).prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product")))


class SellerOrderDetailView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(responses=s.SellerOrderDetailOut)
    def get(self, request, number):
        return _detail(request, number)


class SellerOrderShipView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(request=s.ShipIn, responses=s.SellerOrderDetailOut)
    def post(self, request, number):
        order = get_object_or_404(Order.objects.for_merchant(request.user), number=number)
        data = s.ShipIn(data=request.data)
        data.is_valid(raise_exception=True)
        order_ship(order=order, actor=request.user, **data.validated_data)
        return _detail(request, number)


class SellerSkuStockView(APIView):
    permission_classes = [IsMerchant]

    @extend_schema(request=s.StockIn, responses=s.StockOut)
    def post(self, request, pk):
        sku = get_object_or_404(Sku.objects.for_merchant(request.user), pk=pk)
        data = s.StockIn(data=request.data)
        data.is_valid(raise_exception=True)
        sku = sku_stock_set(sku=sku, actor=request.user, stock=data.validated_data["stock"])
        return Response({"id": sku.pk, "stock": sku.stock})
