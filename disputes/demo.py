"""Demo after-sale requests on merchant_a's store for buyer_a, in different states, made
through the services: one waiting for the merchant, one waiting for the buyer's return,
one refunded, and one escalated case assigned to the `agent` user."""

from django.contrib.auth import get_user_model

from common import demo

DEMO_RETURN_ADDRESS = {
    "name": "张老板售后",
    "phone": "13800138001",
    "province": "浙江省",
    "city": "杭州市",
    "district": "余杭区",
    "detail": "仓前街道良睦路 1399 号 2 幢退货仓",
}


@demo.register(50, "after-sales")
def load_after_sales():
    import json

    from django.utils import timezone

    from disputes import selectors, services
    from disputes.models import AfterSaleRequest
    from payments.services import sandbox_pay
    from shop.demo.orders import DEMO_ADDRESS
    from shop.models import Order, Product, Sku
    from shop.services.order_payments import order_payment_start
    from shop.services.orders import order_place
    from shop.services.shipping import courier_sign, courier_webhook_handle, order_ship

    users = get_user_model().objects
    buyer = users.filter(username="buyer_a").first()
    agent = users.filter(username="agent").first()
    if buyer is None or AfterSaleRequest.objects.filter(buyer=buyer).exists():
        return
    skus = list(
        Sku.objects.filter(
            product__store__merchant__username="merchant_a", product__kind=Product.Kind.OWN,
            product__status=Product.Status.LISTED, is_active=True, stock__gte=5,
        ).order_by("pk")[:2]
    )
    if not skus:
        return
    store = skus[0].product.store
    merchant = store.merchant
    if selectors.merchant_return_address(store) is None:
        services.merchant_return_address_set(store=store, actor=merchant,
                                             address=DEMO_RETURN_ADDRESS)

    def paid(sku):
        order = order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}],
                            address=DEMO_ADDRESS)
        payment, _info = order_payment_start(order=order, actor=buyer)
        sandbox_pay(payment)
        return Order.objects.get(pk=order.pk)

    def signed(sku):
        order = paid(sku)
        order_ship(order=order, courier="SF", waybill_number=f"SFAS{order.pk:010d}",
                   actor=merchant)
        body = json.dumps({
            "event_id": f"demo-as-{order.number}-signed", "courier": "SF",
            "waybill_number": f"SFAS{order.pk:010d}", "kind": "signed",
            "at": timezone.now().isoformat(), "signed_by": "快递柜", "parcel_locker": True,
        }).encode()
        courier_webhook_handle(body=body, signature=courier_sign(body))
        return Order.objects.get(pk=order.pk)

    def open_on(order, **kw):
        return services.after_sale_request_open(line=order.lines.get(), actor=buyer, **kw)

    # 1. Waiting for the merchant: the 36 h and 72 h countdowns run.
    open_on(paid(skus[0]), kind="refund_only", reason="no_reason",
            description="拍错了尺码，还没发货，申请退款")
    # 2. Approved: waiting for the buyer's return waybill.
    returning = open_on(signed(skus[-1]), kind="return_refund", reason="no_reason",
                        goods_intact=True, description="不喜欢颜色，吊牌完好")
    services.after_sale_request_contact(request=returning, actor=merchant,
                                        message="您好，已同意退货，请按地址寄回")
    services.after_sale_request_approve(request=returning, actor=merchant, return_required=True)
    # 3. Refunded without a return.
    refunded = open_on(signed(skus[0]), kind="refund_only", reason="wrong_or_missing",
                       amount=str(skus[0].price / 2), description="少发了一件")
    services.after_sale_request_contact(request=refunded, actor=merchant,
                                        message="抱歉漏发，给您退一半")
    services.after_sale_request_approve(request=refunded, actor=merchant, return_required=False)
    # 4. Rejected, then escalated by the buyer and taken by the support agent.
    case = open_on(signed(skus[-1]), kind="return_refund", reason="quality",
                   description="收到就开线了，快递放在快递柜没通知我")
    services.after_sale_message_post(request=case, actor=buyer,
                                     text="袖口开线，已拍照，请处理")
    services.after_sale_evidence_add(request=case, actor=buyer, kind="photo",
                                     note="袖口开线约 3 厘米（照片见消息）")
    services.after_sale_request_contact(request=case, actor=merchant,
                                        message="请问是否穿着洗涤过？")
    services.after_sale_request_reject(request=case, actor=merchant,
                                       reason="出库前已质检，疑似穿着后损坏")
    services.after_sale_evidence_add(request=case, actor=merchant, kind="certificate",
                                     note="出厂质检合格证编号 QC-2026-0415")
    services.after_sale_request_escalate(request=case, actor=buyer,
                                         reason="商家拒绝，申请平台介入")
    if agent is not None:
        services.after_sale_case_take(request=case, actor=agent)
