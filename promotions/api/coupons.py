"""Buyer API for coupons (/api/buyer/coupons/): what can be claimed in a store or on a
product, claiming, and the buyer's own coupons."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsBuyer
from common.serializers import ID_MAX
from promotions.models import Coupon, CouponClaim
from promotions.selectors.coupons import claims_for_buyer, coupons_claimable
from promotions.services.coupons import coupon_claim
from shop.models import Product, Store


class CouponOut(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    product_ids = serializers.SerializerMethodField()
    remaining = serializers.IntegerField(read_only=True)

    class Meta:
        model = Coupon
        fields = ["id", "store", "title", "kind", "amount", "threshold", "scope",
                  "product_ids", "channel", "per_buyer_limit", "remaining",
                  "claim_starts_at", "claim_ends_at", "validity", "valid_from",
                  "valid_until", "valid_days"]

    def get_product_ids(self, coupon) -> list[int]:
        if coupon.scope != Coupon.Scope.PRODUCTS:
            return []
        return sorted(p.pk for p in coupon.products.all())


class ClaimOut(serializers.ModelSerializer):
    coupon = CouponOut(read_only=True)

    class Meta:
        model = CouponClaim
        fields = ["id", "status", "claimed_at", "valid_from", "valid_until", "used_at",
                  "coupon"]


class ClaimableIn(serializers.Serializer):
    store = serializers.SlugField(help_text=_("The store's address (slug)"))
    product = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX,
                                       help_text=_("A product: the coupons shown on its page"))


class MineIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=CouponClaim.Status.choices, required=False,
                                     allow_blank=True)  # empty: every status


class ClaimableCouponsView(generics.ListAPIView):
    """Coupons a buyer can claim now in a store (store page and live-room drops while the
    session is on) or on one of its products (product-page coupons)."""

    permission_classes = [IsBuyer]
    serializer_class = CouponOut

    @extend_schema(parameters=[ClaimableIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Coupon.objects.none()
        params = ClaimableIn(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        store = Store.objects.filter(slug=params.validated_data["store"]).first()
        if store is None:
            raise Http404
        product = None
        if "product" in params.validated_data:
            product = Product.objects.filter(pk=params.validated_data["product"], store=store,
                                             status=Product.Status.LISTED).first()
            if product is None:
                raise Http404
        return coupons_claimable(store=store, product=product, now=timezone.now())


class CouponClaimView(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(request=None, responses={201: ClaimOut})
    def post(self, request, pk):
        coupon = get_object_or_404(Coupon, pk=pk)
        claim = coupon_claim(coupon=coupon, actor=request.user)
        claim = claims_for_buyer(request.user).get(pk=claim.pk)
        return Response(ClaimOut(claim).data, status=status.HTTP_201_CREATED)


class MyCouponsView(generics.ListAPIView):
    """The buyer's own coupons, newest first; `status` narrows (unused, used, expired)."""

    permission_classes = [IsBuyer]
    serializer_class = ClaimOut

    @extend_schema(parameters=[MineIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CouponClaim.objects.none()
        params = MineIn(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return claims_for_buyer(self.request.user,
                                status=params.validated_data.get("status", ""))


urlpatterns = [
    path("", ClaimableCouponsView.as_view(), name="buyer-coupons"),
    path("mine/", MyCouponsView.as_view(), name="buyer-my-coupons"),
    path("<int:pk>/claim/", CouponClaimView.as_view(), name="buyer-coupon-claim"),
]
