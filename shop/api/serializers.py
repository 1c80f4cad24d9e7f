"""Input and output serializers of the buyer, seller and webhook APIs. Input serializers
check shapes only; business rules live in the services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.serializers import ID_MAX, TextField, TextRegexField
from payments.models import Payment
from shop.models import Order, OrderEvent, OrderLine, Product, Sku, TrackingEvent
from shop.rules.orders import ADDRESS_FIELDS, COURIERS, RATING_MAX, RATING_MIN


# --- catalogue --------------------------------------------------------------------------
def _image_url(serializer, product) -> str | None:
    if not product.image:
        return None
    request = serializer.context.get("request")
    url = product.image.url
    return request.build_absolute_uri(url) if request is not None else url


class SkuOut(serializers.ModelSerializer):
    class Meta:
        model = Sku
        fields = ["id", "attributes", "price", "stock", "code"]


class ProductOut(serializers.ModelSerializer):
    skus = SkuOut(many=True, read_only=True)
    orderable = serializers.SerializerMethodField()
    image = serializers.SerializerMethodField()
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "kind", "title", "description", "gifts", "supports_seven_day_return",
            "free_shipping", "shipping_fee", "platform", "external_url", "external_price",
            "orderable", "image", "image_caption", "store", "store_name", "category", "skus",
        ]

    def get_orderable(self, obj) -> bool:
        return obj.kind == Product.Kind.OWN

    def get_image(self, obj) -> str | None:
        return _image_url(self, obj)


class CatalogueIn(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    category = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)


# --- orders -----------------------------------------------------------------------------
class OrderLineOut(serializers.ModelSerializer):
    """A line; its `id` is what an after-sale request names (`line`)."""

    image = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = ["id", "sku", "product", "title", "attributes", "image", "unit_price",
                  "quantity", "amount", "paid_amount", "refunded_amount", "gifts",
                  "supports_seven_day_return"]

    def get_image(self, obj) -> str | None:
        return _image_url(self, obj.product)


class OrderEventOut(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_display")
    reason = serializers.CharField(source="reason_display",
                                   help_text=_("Why, in the reader's language"))

    class Meta:
        model = OrderEvent
        fields = ["from_status", "to_status", "actor", "reason", "at"]


class TrackingOut(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["kind", "at", "description", "data"]


class PaymentOut(serializers.ModelSerializer):
    # Plain strings: the order's "status" enum owns that name in the schema.
    kind = serializers.CharField()
    status = serializers.CharField()

    class Meta:
        model = Payment
        fields = ["kind", "provider", "provider_ref", "amount", "status", "created_at",
                  "confirmed_at"]


class OrderOut(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    lines = OrderLineOut(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "number", "store", "store_name", "status", "status_display", "goods_amount", "shipping_fee",
            "discount_amount", "total_amount", "paid_amount", "refunded_amount", "address",
            "invoice_title", "invoice_tax_number", "buyer_note", "created_at", "pay_by",
            "paid_at", "ship_by", "shipped_at", "pickup_by", "signed_at", "complete_by",
            "completed_at", "cancelled_at", "shipped_late", "pickup_late", "courier",
            "waybill_number", "tracking_status", "signed_by", "signed_in_locker", "lines",
        ]


class OrderDetailOut(OrderOut):
    events = OrderEventOut(many=True, read_only=True)
    tracking = TrackingOut(many=True, read_only=True)
    payments = PaymentOut(many=True, read_only=True)

    class Meta(OrderOut.Meta):
        fields = [*OrderOut.Meta.fields, "events", "tracking", "payments"]


class SellerOrderOut(OrderOut):
    buyer = serializers.CharField(source="buyer.get_username")

    class Meta(OrderOut.Meta):
        fields = [*OrderOut.Meta.fields, "buyer"]


class SellerOrderDetailOut(OrderDetailOut):
    buyer = serializers.CharField(source="buyer.get_username")

    class Meta(OrderDetailOut.Meta):
        fields = [*OrderDetailOut.Meta.fields, "buyer"]


# --- inputs -----------------------------------------------------------------------------
class OrderItemIn(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    quantity = serializers.IntegerField(
        min_value=1, error_messages={"min_value": _("Quantity must be at least 1.")}
    )


class AddressIn(serializers.Serializer):
    name = TextField(max_length=50)
    phone = TextRegexField(
        r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$", max_length=20,
        error_messages={"invalid": _("Enter a mobile number or a landline number.")},
    )
    province = TextField(max_length=30)
    city = TextField(max_length=30)
    district = TextField(max_length=30)
    detail = TextField(max_length=200)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return {k: value[k] for k in ADDRESS_FIELDS}


class OrderPlaceIn(serializers.Serializer):
    items = OrderItemIn(many=True, allow_empty=False)
    address = AddressIn()
    invoice_title = TextField(max_length=120, required=False, allow_blank=True)
    invoice_tax_number = TextField(max_length=20, required=False, allow_blank=True)
    note = TextField(max_length=200, required=False, allow_blank=True)
    # A promotion the buyer chose (passed to the order extensions as `options`).
    coupon = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=ID_MAX,
        help_text=_("One of your unused coupons (its id in /api/buyer/coupons/mine/); 0 for "
                    "none. Left out: the best coupon that fits is applied."))
    source = TextRegexField(
        r"^(live|video):[1-9][0-9]{0,17}$", max_length=24, required=False,
        help_text=_("Where the order is placed from: a live session's cart (live:<id>) or a "
                    "short video (video:<id>) offering every product ordered."))


class CancelIn(serializers.Serializer):
    reason = TextField(max_length=200, required=False, allow_blank=True)


class RatingIn(serializers.Serializer):
    description = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
    service = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)
    logistics = serializers.IntegerField(min_value=RATING_MIN, max_value=RATING_MAX)


class RatingOut(serializers.Serializer):
    description = serializers.IntegerField()
    service = serializers.IntegerField()
    logistics = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class PaymentStartOut(serializers.Serializer):
    provider = serializers.CharField()
    payment_ref = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    callback_url = serializers.CharField()


class ShipIn(serializers.Serializer):
    courier = serializers.ChoiceField(choices=sorted(COURIERS))
    waybill_number = TextField(max_length=40)


class StockIn(serializers.Serializer):
    stock = serializers.IntegerField(
        min_value=0,
        max_value=2_147_483_647,
        error_messages={
            "min_value": _("Stock cannot be negative."),
            "max_value": _("Stock is too large."),
        },
    )


class StockOut(serializers.Serializer):
    id = serializers.IntegerField()
    stock = serializers.IntegerField()


class WebhookOut(serializers.Serializer):
    ok = serializers.BooleanField()
    changed = serializers.BooleanField()
