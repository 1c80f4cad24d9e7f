"""Buyer API (the mobile app's backend): browse a store, order, pay, cancel, confirm
receipt, rate. A buyer sees only their own orders; anyone else's is a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsBuyer
from common.parsers import JSONParser
from common.serializers import Reused
from shop.api import serializers as s
from shop.models import Order, Product, Store
from shop.selectors.orders import (
    catalogue_products,
    order_detail_for_buyer,
    orders_for_buyer,
    store_listed_products,
)
from shop.services.order_payments import order_payment_start
from shop.services.orders import order_cancel, order_confirm_receipt, order_place
from shop.services.ratings import store_rating_create


def _own_order(request, number: str) -> Order:
    try:
        return order_detail_for_buyer(request.user, number)
    except Order.DoesNotExist:
        raise Http404


def _detail(request, number: str, code=status.HTTP_200_OK) -> Response:
    order = _own_order(request, number)
    return Response(s.OrderDetailOut(order, context={"request": request}).data, status=code)


class _PlacedOrderOut(s.OrderDetailOut):
    """A new order from the rows `order_place` wrote (no reading back): its lines, its
    first event, no tracking and no payment yet."""

    lines = s.OrderLineOut(source="written.lines", many=True, read_only=True)
    events = s.OrderEventOut(source="written.events", many=True, read_only=True)
    tracking = serializers.SerializerMethodField()
    payments = serializers.SerializerMethodField()

    def get_tracking(self, obj) -> list:
        return []

    def get_payments(self, obj) -> list:
        return []


class StoreProductsView(generics.ListAPIView):
    """Listed products of a store with their SKUs. Other-platform products are listed
    with `orderable: false` and their link."""

    permission_classes = [IsBuyer]
    serializer_class = s.ProductOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Product.objects.none()
        try:
            _store, products = store_listed_products(self.kwargs["slug"])
        except Store.DoesNotExist:
            raise Http404
        return products


class CatalogueView(generics.ListAPIView):
    """Listed products of every open store, newest first; `q` searches the title,
    `category` narrows to a category and everything below it."""

    permission_classes = [IsBuyer]
    serializer_class = s.ProductOut
    filter_backends = []

    @extend_schema(parameters=[s.CatalogueIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Product.objects.none()
        params = s.CatalogueIn(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return catalogue_products(q=params.validated_data.get("q", "").strip(),
                                  category_id=params.validated_data.get("category"))


class OrderListCreateView(generics.ListAPIView):
    permission_classes = [IsBuyer]
    serializer_class = s.OrderOut
    # An order nests its items and address: only JSON carries that (a form cannot).
    parser_classes = [JSONParser]

    def get_queryset(self):
        return orders_for_buyer(self.request.user)

    # The buying endpoint of a flash sale: its serializers' fields are built once per thread.
    _order_in = Reused(s.OrderPlaceIn)
    _placed_out = Reused(_PlacedOrderOut)

    @extend_schema(request=s.OrderPlaceIn, responses={201: s.OrderDetailOut})
    def post(self, request):
        fields = dict(self._order_in.validate(request.data))
        coupon = fields.pop("coupon", None)
        source = fields.pop("source", None)
        options = {} if coupon is None else {"coupon": coupon}
        if source:
            options["source"] = source
        order = order_place(actor=request.user, options=options, **fields)
        return Response(self._placed_out.represent(order, {"request": request}),
                        status=status.HTTP_201_CREATED)


class OrderDetailView(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(responses=s.OrderDetailOut)
    def get(self, request, number):
        return _detail(request, number)


class OrderPayView(APIView):
    """Start paying: the sandbox provider's payment info. Payment is confirmed by the
    provider's signed callback, not by this call."""

    permission_classes = [IsBuyer]

    @extend_schema(request=None, responses=s.PaymentStartOut)
    def post(self, request, number):
        order = get_object_or_404(orders_for_buyer(request.user), number=number)
        _payment, info = order_payment_start(order=order, actor=request.user)
        return Response(info)


class OrderCancelView(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(request=s.CancelIn, responses=s.OrderDetailOut)
    def post(self, request, number):
        order = get_object_or_404(orders_for_buyer(request.user), number=number)
        data = s.CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        order_cancel(order=order, actor=request.user, reason=data.validated_data.get("reason", ""))
        return _detail(request, number)


class OrderConfirmReceiptView(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(request=None, responses=s.OrderDetailOut)
    def post(self, request, number):
        order = get_object_or_404(orders_for_buyer(request.user), number=number)
        order_confirm_receipt(order=order, actor=request.user)
        return _detail(request, number)


class OrderRatingView(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(request=s.RatingIn, responses={201: s.RatingOut})
    def post(self, request, number):
        order = get_object_or_404(orders_for_buyer(request.user), number=number)
        data = s.RatingIn(data=request.data)
        data.is_valid(raise_exception=True)
        rating = store_rating_create(order=order, actor=request.user, **data.validated_data)
        return Response(s.RatingOut(rating).data, status=status.HTTP_201_CREATED)
