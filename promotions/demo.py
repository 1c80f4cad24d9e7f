"""Demo data of the promotions (common.demo): idempotent."""

from common import demo


# --- flash sales ------------------------------------------------------------------------
@demo.register(60, "flash_sales")
def load_flash_sales():
    """merchant_a runs a one-hour flash sale of a listed own product, from now."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from common.money import to_money
    from promotions.models import FlashSale
    from promotions.services.flash_sales import flash_sale_create, flash_sale_start
    from shop.models import Product

    product = (Product.objects.filter(store__merchant__username="merchant_a",
                                      kind=Product.Kind.OWN, status=Product.Status.LISTED)
               .order_by("pk").first())
    if product is None or FlashSale.objects.filter(store=product.store).exists():
        return
    skus = list(product.skus.filter(is_active=True).order_by("pk"))
    if not skus or any(sku.price <= Decimal("1") for sku in skus):
        return
    now = timezone.now()
    sale = flash_sale_create(
        store=product.store, actor=product.store.merchant, product=product,
        items=[{"sku": sku.pk, "flash_price": to_money(sku.price * Decimal("0.8")),
                "stock": max(1, min(sku.stock, 20))} for sku in skus],
        per_buyer_limit=2, starts_at=now, duration=timedelta(hours=1),
        now=now - timedelta(seconds=1))
    flash_sale_start(sale=sale, now=now)


# --- lightning purchase (闪电购) ---------------------------------------------------------
@demo.register(62, "lightning_purchase")
def load_lightning_purchase():
    """merchant_a meets the conditions, has lightning purchase on, and is live with a quick
    listing on sale in the cart."""
    from datetime import timedelta
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from common import config
    from compliance.models import Category
    from promotions.models import LightningListing, LiveSession
    from promotions.selectors.lightning import lightning_conditions
    from promotions.services.lightning import lightning_listing_create, lightning_switch_set
    from promotions.services.live import live_cart_set_enabled, live_session_start
    from shop.models import Store

    store = Store.objects.filter(merchant__username="merchant_a").first()
    knitwear = Category.objects.filter(code="apparel.womens.knitwear").first()
    if store is None or knitwear is None or LightningListing.objects.filter(store=store).exists():
        return
    now = timezone.now()
    opened_by = now - timedelta(days=config.get("lightning.min_store_days") + 1)
    if store.opened_at > opened_by:
        # The demo stores were opened a moment ago; a store that shows lightning purchase
        # has been open for the required days (demo data only).
        Store.objects.filter(pk=store.pk).update(opened_at=opened_by)
        store.refresh_from_db()
    if any(not c.met for c in lightning_conditions(store, now)):
        return
    lightning_switch_set(store=store, enabled=True, actor=store.merchant, now=now)
    session = LiveSession.objects.filter(store=store, status=LiveSession.Status.LIVE).first()
    if session is None:
        session = live_session_start(store=store, actor=store.merchant, title="秋冬新款 · 闪电购")
    live_cart_set_enabled(session=session, enabled=True, actor=store.merchant)
    buffer = BytesIO()
    Image.new("RGB", (480, 480), (196, 160, 120)).save(buffer, format="JPEG")
    lightning_listing_create(
        session=session, actor=store.merchant, title="主播同款软糯针织开衫",
        category_id=knitwear.pk, price="89.00", stock=30,
        photo=SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg"))


# --- selection center and commissions -----------------------------------------------------
@demo.register(65, "selection center")
def load_selection_center():
    """merchant_a offers a listed own product in the selection center at 15%; merchant_b
    goes live with it in its cart; buyer_b orders from that cart twice: one order is
    completed (the commission settled from merchant_a's settlement into merchant_b's store
    account), the other paid (the commission pending)."""
    import json
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from common.errors import ApplicationError
    from payments.services import sandbox_pay
    from promotions.models import LiveSession, ProductOffer
    from promotions.services import live as live_services
    from promotions.services.selection import offer_create
    from shop.demo.orders import DEMO_ADDRESS
    from shop.models import Order, Product, Sku, Store
    from shop.services.order_payments import order_payment_start
    from shop.services.orders import order_confirm_receipt, order_place
    from shop.services.shipping import courier_sign, courier_webhook_handle, order_ship

    seller = Store.objects.filter(merchant__username="merchant_a").first()
    promoter = Store.objects.filter(merchant__username="merchant_b").first()
    buyer = get_user_model().objects.filter(username="buyer_b").first()
    if seller is None or promoter is None or buyer is None:
        return
    if ProductOffer.objects.filter(store=seller).exists():
        return
    # the last listed own product (the flash sale takes the first one)
    sku = (Sku.objects.filter(product__store=seller, product__kind=Product.Kind.OWN,
                              product__status=Product.Status.LISTED, is_active=True,
                              stock__gte=5).order_by("-product_id", "pk").first())
    if sku is None:
        return
    offer_create(store=seller, product_id=sku.product_id, rate=Decimal("0.15"),
                 actor=seller.merchant)
    try:
        session = (LiveSession.objects.filter(store=promoter, status=LiveSession.Status.LIVE)
                   .first() or live_services.live_session_start(
                       store=promoter, actor=promoter.merchant, title="好物分享 · 选品带货"))
        live_services.live_cart_set_enabled(session=session, enabled=True,
                                            actor=promoter.merchant)
        live_services.live_cart_add(session=session, product_id=sku.product_id,
                                    actor=promoter.merchant)
    except ApplicationError:
        return  # the promoter's cart is closed (a restriction): the offer alone is shown

    def ordered():
        order = order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}],
                            address=DEMO_ADDRESS, options={"source": f"live:{session.pk}"})
        payment, _info = order_payment_start(order=order, actor=buyer)
        sandbox_pay(payment)
        return Order.objects.get(pk=order.pk)

    def courier(order, kind, **extra):
        body = json.dumps({
            "event_id": f"demo-{order.number}-{kind}", "courier": order.courier,
            "waybill_number": order.waybill_number, "kind": kind,
            "at": timezone.now().isoformat(), **extra}).encode()
        courier_webhook_handle(body=body, signature=courier_sign(body))

    try:
        done = ordered()
        order_ship(order=done, courier="SF", waybill_number=f"SF{done.pk:012d}",
                   actor=seller.merchant)
        courier(Order.objects.get(pk=done.pk), "signed", signed_by="本人",
                parcel_locker=False)
        order_confirm_receipt(order=Order.objects.get(pk=done.pk), actor=buyer)
        ordered()
    except ApplicationError:
        return  # e.g. out of stock: the offer and the cart are shown anyway


# --- paid promotion ---------------------------------------------------------------------
@demo.register(62, "paid_promotion")
def load_paid_promotion():
    """merchant_a promotes a short video: one order finished two days ago with its
    results and refund, one running now (the sandbox delivery feed keeps adding to it)."""
    import json
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from promotions.models import PromotionOrder, ShortVideo
    from promotions.services import ads
    from promotions.services.live import short_video_publish
    from shop.models import Product, Store
    from shop.selectors.deposits import store_account_or_blank
    from shop.services.accounts import store_account_adjust

    store = Store.objects.filter(merchant__username="merchant_a",
                                 status=Store.Status.OPEN).first()
    reviewer = get_user_model().objects.filter(username="reviewer").first()
    if store is None or reviewer is None or PromotionOrder.objects.filter(store=store).exists():
        return
    now = timezone.now()
    video = ShortVideo.objects.filter(store=store, status=ShortVideo.Status.PUBLISHED).first()
    if video is None:
        buffer = BytesIO()
        Image.new("RGB", (64, 64), "orange").save(buffer, format="PNG")
        products = list(Product.objects.filter(store=store, kind=Product.Kind.OWN,
                                               status=Product.Status.LISTED)
                        .order_by("pk").values_list("pk", flat=True)[:2])
        video = short_video_publish(
            store=store, actor=store.merchant, title="新品开箱：实拍细节",
            cover=SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png"),
            product_ids=products, now=now - timedelta(days=4))
    kind = ("shop_work" if video.links.exists() else "fans_headline")
    needed = Decimal("800.00")
    available = store_account_or_blank(store).available
    if available < needed:
        store_account_adjust(store=store, amount=needed - available, actor=reviewer,
                             reason="演示：推广预算充值", token="demo-paid-promotion-topup",
                             now=now - timedelta(days=4))

    def post(batch_id, order, at, **figures):
        body = json.dumps({"batch_id": batch_id, "results": [{"order": order.pk, **figures}]},
                          sort_keys=True).encode()
        ads.promotion_results_ingest(body=body, signature=ads.ad_delivery_sign(body), now=at)

    started = now - timedelta(days=3)
    finished = ads.promotion_order_create(
        store=store, actor=store.merchant, subject_type="video", subject_id=video.pk,
        kind=kind, goal="fans", budget="300.00", duration_hours=24, target_gender="female",
        target_ages=["24-30", "31-40"], target_regions=["浙江", "上海", "江苏"],
        now=started - timedelta(hours=1))
    ads.promotion_order_approve(order=finished, actor=reviewer, now=started)
    for hour, (exposures, plays, fans, clicks, spend) in enumerate(
            [(3200, 410, 18, 37, "128.00"), (2900, 350, 15, 30, "116.00")]):
        post(f"demo-{finished.pk}-{hour}", finished, started + timedelta(hours=6 * (hour + 1)),
             exposures=exposures, plays=plays, new_fans=fans, clicks=clicks, spend=spend)
    ads.promotion_order_end(order=finished, now=started + timedelta(hours=24))

    running = ads.promotion_order_create(
        store=store, actor=store.merchant, subject_type="video", subject_id=video.pk,
        kind=kind, goal="plays", budget="400.00", duration_hours=48, now=now - timedelta(hours=3))
    ads.promotion_order_approve(order=running, actor=reviewer, now=now - timedelta(hours=2))
    post(f"demo-{running.pk}-0", running, now - timedelta(hours=1), exposures=2100, plays=260,
         new_fans=9, clicks=22, spend="84.00")


# --- platform campaigns -----------------------------------------------------------------
# The handbook's campaigns (快手电商宝典, 营销活动), as past examples. 国货品牌日 has no date
# in the handbook: it is placed on China Brand Day (10 May).
HANDBOOK_CAMPAIGNS = [
    ("靠谱好货节", "2019-08-28", "2019-08-31",
     "为快手老铁提供买得放心、用得安心的靠谱好货，让快手上的美好生活触手可及。"),
    ("11.6购物狂欢节", "2019-11-01", "2019-11-07",
     "构建快手双11，集结快手平台优质店家，为快手用户提供质低价美的源头好货。"),
    ("快手年货节", "2020-01-01", "2020-01-25",
     "契合传统促销节点，融入手艺人和国货商品，让优质店家依托平台资源孵化。"),
    ("快手国货品牌日", "2020-05-10", "2020-05-11",
     "推动国货品牌发展，快手电商联合一线国货品牌为快手用户提供优质商品与特价福利。"),
]


def _demo_banner(colour):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (640, 200), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("banner.png", buffer.getvalue(), content_type="image/png")


@demo.register(65, "campaigns")
def load_campaigns():
    """The handbook's campaigns, run and ended, and an upcoming one (in two weeks) that
    merchant_a signed a product up for, waiting for a reviewer."""
    from datetime import datetime, timedelta
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from common.errors import ApplicationError
    from common.money import to_money
    from promotions.models import Campaign
    from promotions.services.campaigns import (
        campaign_create,
        campaign_end,
        campaign_entry_submit,
        campaign_start,
    )
    from shop.models import Product

    if Campaign.objects.exists():
        return
    reviewer = get_user_model().objects.filter(username="reviewer").first()
    tz = timezone.get_default_timezone()
    colours = ["#e4393c", "#ff7a00", "#c81623", "#1f6feb"]
    for (name, start, end, description), colour in zip(HANDBOOK_CAMPAIGNS, colours,
                                                        strict=True):
        starts_at = datetime.fromisoformat(start).replace(tzinfo=tz)
        ends_at = datetime.fromisoformat(end).replace(tzinfo=tz)
        campaign = campaign_create(actor=reviewer, name=name, description=description,
                                   banner=_demo_banner(colour), starts_at=starts_at,
                                   ends_at=ends_at, min_dsr=Decimal("4.5"),
                                   max_price_percent=90, now=starts_at - timedelta(days=14))
        campaign_start(campaign=campaign, now=starts_at)
        campaign_end(campaign=campaign, now=ends_at)

    now = timezone.now()
    starts_at = timezone.localtime(now + timedelta(days=14)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    upcoming = campaign_create(
        actor=reviewer, name="快手年货节（新一季）", banner=_demo_banner("#d4145a"),
        description="年货节又来了：提报你的好货，活动期间带活动标、按活动价售卖。",
        starts_at=starts_at, ends_at=starts_at + timedelta(days=10),
        min_dsr=Decimal("4.0"), max_price_percent=90, now=now)
    products = list(Product.objects.filter(
        store__merchant__username="merchant_a", kind=Product.Kind.OWN,
        status=Product.Status.LISTED).order_by("pk")[:2])
    if not products:
        return
    product = products[-1]
    skus = list(product.skus.filter(is_active=True).order_by("pk"))
    try:
        campaign_entry_submit(
            campaign=upcoming, store=product.store, actor=product.store.merchant,
            product=product, now=now,
            items=[{"sku": sku.pk, "campaign_price": to_money(sku.price * Decimal("0.85"))}
                   for sku in skus if sku.price > Decimal("1")])
    except ApplicationError as exc:  # the demo store no longer meets a requirement
        if settings.DEBUG:
            print(f"demo campaign sign-up skipped: {exc}")
