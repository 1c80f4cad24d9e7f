"""Buyer API of live selling and short videos: sessions on air and one session with its
shopping cart (/api/buyer/live/), published short videos and one video with its products
(/api/buyer/videos/). Buying goes through the order endpoint (/api/buyer/orders/) with
`source` naming the session ("live:<id>") or the video ("video:<id>")."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsBuyer
from promotions.models import LiveSession, ShortVideo
from promotions.selectors.live import (
    live_room,
    live_session_for_viewers,
    live_sessions_for_viewers,
    short_video_for_viewers,
    short_video_view,
    short_videos_for_viewers,
)
from shop.models import Store


def _image_url(context, image) -> str | None:
    if not image:
        return None
    request = context.get("request")
    return request.build_absolute_uri(image.url) if request is not None else image.url


class OfferedProductOut(serializers.Serializer):
    """A product offered in a live cart or a video: order it with its SKUs from
    /api/buyer/stores/<store>/products/."""

    product = serializers.IntegerField(source="product_id")
    title = serializers.CharField(source="product.title")
    image = serializers.SerializerMethodField()
    price_from = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                          help_text="The lowest price of its SKUs.")
    position = serializers.IntegerField()

    def get_image(self, obj) -> str | None:
        return _image_url(self.context, obj.product.image)


class CartItemOut(OfferedProductOut):
    presenting = serializers.BooleanField(help_text="Being presented now (讲解中).")


class LiveSessionOut(serializers.ModelSerializer):
    store = serializers.CharField(source="store.slug")
    store_name = serializers.CharField(source="store.name")
    source = serializers.SerializerMethodField(
        help_text="What to send as `source` when ordering from this session's cart.")

    class Meta:
        model = LiveSession
        fields = ["id", "title", "status", "store", "store_name", "started_at", "ended_at",
                  "source"]

    def get_source(self, obj) -> str:
        return f"live:{obj.pk}"


class LiveRoomOut(serializers.Serializer):
    session = LiveSessionOut()
    cart_open = serializers.BooleanField(
        help_text="Whether the session's shopping cart (小黄车) sells now.")
    cart_closed_reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why the cart is closed, when it is.")
    presenting = serializers.IntegerField(allow_null=True,
                                          help_text="The product being presented (讲解中).")
    cart = serializers.SerializerMethodField(
        help_text="The cart in its order; null in the streamer's own view of the session.")

    @extend_schema_field(CartItemOut(many=True, allow_null=True))
    def get_cart(self, room):
        if room.cart is None:
            return None
        return CartItemOut(room.cart, many=True, context=self.context).data


class ShortVideoOut(serializers.ModelSerializer):
    store = serializers.CharField(source="store.slug")
    store_name = serializers.CharField(source="store.name")
    cover = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField(
        help_text="What to send as `source` when ordering from this video.")

    class Meta:
        model = ShortVideo
        fields = ["id", "title", "cover", "published_at", "store", "store_name", "source"]

    def get_cover(self, obj) -> str | None:
        return _image_url(self.context, obj.cover)

    def get_source(self, obj) -> str:
        return f"video:{obj.pk}"


class ShortVideoDetailOut(serializers.Serializer):
    video = ShortVideoOut()
    products_open = serializers.BooleanField(
        help_text="Whether the video's products can be ordered from it now.")
    closed_reasons = serializers.ListField(child=serializers.CharField())
    products = OfferedProductOut(many=True)


class VideoListIn(serializers.Serializer):
    store = serializers.SlugField(required=False, help_text="One store's videos (its slug).")


class LiveSessionListView(generics.ListAPIView):
    """Live sessions on air now, newest first."""

    permission_classes = [IsBuyer]
    serializer_class = LiveSessionOut
    filter_backends = []

    def get_queryset(self):
        return live_sessions_for_viewers()


class LiveRoomView(APIView):
    """One live session as its viewer sees it: the shopping cart while the merchant sells
    in it and no restriction closes it (the reasons otherwise). The streamer's own view has
    no cart."""

    permission_classes = [IsBuyer]

    @extend_schema(responses=LiveRoomOut)
    def get(self, request, pk):
        try:
            session = live_session_for_viewers(pk)
        except LiveSession.DoesNotExist:
            raise Http404
        return Response(LiveRoomOut(live_room(session, request.user),
                                    context={"request": request}).data)


class ShortVideoListView(generics.ListAPIView):
    """Published short videos, newest first; `store` narrows to one store's."""

    permission_classes = [IsBuyer]
    serializer_class = ShortVideoOut
    filter_backends = []

    @extend_schema(parameters=[VideoListIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ShortVideo.objects.none()
        # a plain dict: from a QueryDict DRF reads an empty optional value as left out,
        # where the schema (and this serializer) refuse it
        params = VideoListIn(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        store = None
        if params.validated_data.get("store"):
            store = Store.objects.filter(slug=params.validated_data["store"]).first()
            if store is None:
                raise Http404
        return short_videos_for_viewers(store=store)


class ShortVideoDetailView(APIView):
    """One published video with the products linked to it (关联商品), unless the store's
    restrictions close them (the reasons then)."""

    permission_classes = [IsBuyer]

    @extend_schema(responses=ShortVideoDetailOut)
    def get(self, request, pk):
        try:
            video = short_video_for_viewers(pk)
        except ShortVideo.DoesNotExist:
            raise Http404
        return Response(ShortVideoDetailOut(short_video_view(video),
                                            context={"request": request}).data)


urlpatterns = [
    path("live/", LiveSessionListView.as_view(), name="buyer-live-sessions"),
    path("live/<int:pk>/", LiveRoomView.as_view(), name="buyer-live-session"),
    path("videos/", ShortVideoListView.as_view(), name="buyer-videos"),
    path("videos/<int:pk>/", ShortVideoDetailView.as_view(), name="buyer-video"),
]
