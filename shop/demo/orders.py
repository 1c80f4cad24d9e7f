"""Demo orders for buyer_a and buyer_b in different states, made through the services.
Needs merchant_a's store with a listed own product (the products loader runs first)."""

from django.contrib.auth import get_user_model

from common import demo

DEMO_ADDRESS = {
    "name": "王老铁",
    "phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路 90 号 1 幢 501",
}


@demo.register(40, "orders")
def load_orders():
    from payments.services import sandbox_pay
    from shop.models import Order, Product, Sku
    from shop.services.order_payments import order_payment_start
    from shop.services.orders import order_confirm_receipt, order_place
    from shop.services.ratings import store_rating_create
    from shop.services.shipping import courier_sign, courier_webhook_handle, order_ship

    users = get_user_model().objects
    buyer_a = users.filter(username="buyer_a").first()
    buyer_b = users.filter(username="buyer_b").first()
    if buyer_a is None or buyer_b is None or Order.objects.filter(buyer=buyer_a).exists():
        return
    skus = list(
        Sku.objects.filter(
            product__store__merchant__username="merchant_a",
            product__kind=Product.Kind.OWN, product__status=Product.Status.LISTED,
            is_active=True, stock__gte=5,
        ).order_by("pk")[:2]
    )
    if not skus:
        return
    merchant = skus[0].product.store.merchant

    def place(buyer, sku, qty=1, **kw):
        return order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": qty}],
                           address=DEMO_ADDRESS, **kw)

    def pay(order):
        payment, _info = order_payment_start(order=order, actor=order.buyer)
        sandbox_pay(payment)
        return Order.objects.get(pk=order.pk)

    def courier(order, kind, **extra):
        import json

        from django.utils import timezone

        body = json.dumps({
            "event_id": f"demo-{order.number}-{kind}", "courier": order.courier,
            "waybill_number": order.waybill_number, "kind": kind,
            "at": timezone.now().isoformat(), **extra,
        }).encode()
        courier_webhook_handle(body=body, signature=courier_sign(body))

    # 1. awaiting payment
    place(buyer_a, skus[0], 1, note="请尽快发货")
    # 2. paid, to ship (the countdown runs)
    pay(place(buyer_a, skus[-1], 2, invoice_title="杭州某某科技有限公司",
              invoice_tax_number="91330106MA2XXXXX1X"))
    # 3. shipped and picked up
    shipped = pay(place(buyer_b, skus[0], 1))
    order_ship(order=shipped, courier="SF", waybill_number=f"SF{shipped.pk:012d}",
               actor=merchant)
    courier(Order.objects.get(pk=shipped.pk), "picked_up", description="顺丰已揽收")
    # 4. delivered, confirmed and rated; its invoice issued by number
    done = pay(place(buyer_a, skus[0], 1, invoice_title="王老铁"))
    order_ship(order=done, courier="ZTO", waybill_number=f"ZTO{done.pk:012d}", actor=merchant)
    done = Order.objects.get(pk=done.pk)
    courier(done, "picked_up")
    courier(done, "signed", signed_by="本人", parcel_locker=False)
    order_confirm_receipt(order=done, actor=buyer_a)
    store_rating_create(order=done, actor=buyer_a, description=5, service=5, logistics=4)
    from shop.models import Invoice
    from shop.services.invoices import invoice_issue

    invoice_issue(invoice=Invoice.objects.get(order=done), actor=merchant,
                  number="24330000000000000001")
