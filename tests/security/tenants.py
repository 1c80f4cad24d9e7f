"""Two of everything for the security suite: merchant A and B with a store each, buyer A and
B, and A's objects of every kind that a URL takes an id of, built lazily through the real
services (only what a test asks for is made)."""

from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.core.files.base import ContentFile
from django.utils import timezone

from common import notifications as notes
from common.uploads import validate_upload
from compliance.enforcement import rules, sampling
from compliance.enforcement import services as enforcement
from compliance.enforcement.models import SamplingFile, SamplingInspection
from compliance.models import Qualification, QualificationFile, QualificationType
from disputes import services as disputes
from promotions.services import live
from shop.models import ClosureApplication, Invoice, Store
from shop.notifications import N
from shop.services.deposits import deposit_payin_start
from shop.services.invoices import invoice_issue
from tests.disputes.aftersale_factories import RETURN_ADDRESS, signed_order
from tests.factories import PDF_BYTES, ProductFactory, SkuFactory, StoreFactory
from tests.promotions import ad_factories, campaign_factories, lightning_factories
from tests.promotions.coupon_factories import make_coupon
from tests.promotions.flash_factories import make_sale
from tests.promotions.live_factories import png
from tests.promotions.selection_factories import offer
from tests.shop.order_factories import pay, place


def _pdf_triple(name="evidence.pdf"):
    content = ContentFile(PDF_BYTES, name=name)
    info = validate_upload(content, allowed=("pdf",), max_bytes=1024 * 1024)
    return (content, info, name)


class World:
    """`a_…` belongs to merchant A (or buyer A); B is the one who asks."""

    def __init__(self, merchant, other_merchant, buyer, other_buyer, reviewer, agent):
        self.merchant, self.other_merchant = merchant, other_merchant
        self.buyer, self.other_buyer = buyer, other_buyer
        self.reviewer, self.agent = reviewer, agent

    # --- stores ---------------------------------------------------------------------------
    @cached_property
    def a_store(self):
        store = StoreFactory(merchant=self.merchant)
        disputes.merchant_return_address_set(store=store, actor=self.merchant,
                                             address=RETURN_ADDRESS)
        return store

    @cached_property
    def b_store(self):
        # B runs a store of its own: B is a real merchant, only not A.
        return StoreFactory(merchant=self.other_merchant)

    @cached_property
    def a_application(self):
        return self.a_store.application

    # --- catalogue ------------------------------------------------------------------------
    @cached_property
    def a_product(self):
        return ProductFactory(store=self.a_store)

    @cached_property
    def a_sku(self):
        return SkuFactory(product=self.a_product, price=Decimal("100.00"), stock=50)

    @cached_property
    def b_product(self):
        return ProductFactory(store=self.b_store)

    # --- orders and after-sales -----------------------------------------------------------
    @cached_property
    def a_order(self):
        """Buyer A's paid order from store A (not shipped: ship and pay are both open)."""
        return pay(place(self.buyer, self.a_sku))

    @cached_property
    def a_unpaid_order(self):
        return place(self.buyer, self.a_sku)

    @cached_property
    def a_after_sale(self):
        order = signed_order(self.buyer, self.a_sku)
        line = order.lines.get()
        return disputes.after_sale_request_open(
            line=line, actor=self.buyer, kind="return_refund", reason="quality",
            amount=None, description="坏了")

    @cached_property
    def a_attachment(self):
        disputes.after_sale_message_post(request=self.a_after_sale, actor=self.buyer,
                                         text="看图", files=[png("photo.png")])
        return self.a_after_sale.attachments.get()

    @cached_property
    def a_escalated_case(self):
        request = self.a_after_sale
        disputes.after_sale_request_escalate(request=request, actor=self.buyer,
                                             reason="协商不成")
        return request

    # --- compliance -----------------------------------------------------------------------
    @cached_property
    def a_qualification(self):
        qtype = QualificationType.objects.order_by("pk").first()
        if qtype is None:
            from compliance import loaders

            loaders.load_categories()
            qtype = QualificationType.objects.order_by("pk").first()
        qualification = Qualification.objects.create(
            store=self.a_store, type=qtype, number="JY13301020000001", issuer="市场监管局",
            valid_from=timezone.localdate() - timedelta(days=30),
            valid_until=timezone.localdate() + timedelta(days=300),
            status=Qualification.Status.PENDING)
        QualificationFile.objects.create(
            qualification=qualification, file=ContentFile(PDF_BYTES, name="scan.pdf"),
            original_name="scan.pdf", content_type="application/pdf", size=len(PDF_BYTES))
        return qualification

    @cached_property
    def a_qualification_file(self):
        return self.a_qualification.files.get()

    @cached_property
    def a_violation(self):
        return enforcement.violation_record(
            store=self.a_store, type="false_advertising", source_kind="complaint", points=2,
            reason="夸大功效", evidence=[_pdf_triple()], actor=self.reviewer)

    @cached_property
    def a_violation_file(self):
        return self.a_violation.files.get()

    @cached_property
    def a_inspection(self):
        inspection = sampling.inspection_plan(product=self.a_product, actor=self.reviewer)
        content, info, name = _pdf_triple("report.pdf")
        row = SamplingFile(inspection=inspection, side=SamplingFile.Side.REPORT,
                           content_type=info.mime, size=info.size, original_name=name)
        row.file.save(info.safe_name, content, save=False)
        row.save()
        # Merchants see an inspection once it has a result; the lab steps in between are
        # the sampling tests' business, so the row is moved there directly.
        SamplingInspection.objects.filter(pk=inspection.pk).update(
            status=rules.S_FAILED, notified_at=timezone.now(),
            appeal_by=timezone.now() + timedelta(days=3))
        return SamplingInspection.objects.get(pk=inspection.pk)

    @cached_property
    def a_inspection_file(self):
        return self.a_inspection.files.get()

    # --- money ----------------------------------------------------------------------------
    @cached_property
    def a_payin(self):
        payin, _info = deposit_payin_start(store=self.a_store, kind="store", amount="500.00",
                                           actor=self.merchant, token="sec-sweep")
        return payin

    @cached_property
    def a_closure(self):
        now = timezone.now()
        return ClosureApplication.objects.create(
            store=self.a_store, applied_by=self.merchant, applied_at=now,
            notice_until=now + timedelta(days=15), review_by=now + timedelta(days=20),
            status=ClosureApplication.Status.PENDING)

    # --- promotions -----------------------------------------------------------------------
    @cached_property
    def a_coupon(self):
        return make_coupon(self.a_store)

    @cached_property
    def a_flash_sale(self):
        now = timezone.now()
        return make_sale(self.a_store, self.a_product, [self.a_sku],
                         starts_at=now + timedelta(hours=2), now=now)

    @cached_property
    def a_live(self):
        self.a_sku  # noqa: B018 - a listed product with stock for the cart
        session = live.live_session_start(store=self.a_store, actor=self.merchant,
                                          title="今晚上新")
        live.live_cart_set_enabled(session=session, enabled=True, actor=self.merchant)
        live.live_cart_add(session=session, product_id=self.a_product.pk, actor=self.merchant)
        return session

    @cached_property
    def a_live_item(self):
        return self.a_live.cart_items.get()

    @cached_property
    def b_live(self):
        SkuFactory(product=self.b_product, price=Decimal("80.00"), stock=5)
        session = live.live_session_start(store=self.b_store, actor=self.other_merchant,
                                          title="B 的直播")
        live.live_cart_set_enabled(session=session, enabled=True, actor=self.other_merchant)
        return session

    @cached_property
    def a_video(self):
        return live.short_video_publish(store=self.a_store, actor=self.merchant, title="开箱",
                                        cover=png(), product_ids=[self.a_product.pk])

    @cached_property
    def a_lightning_listing(self):
        """A quick listing in A's live session: the store old enough, its deposit paid and
        switched on."""
        lightning_factories.load_reference_data()
        Store.objects.filter(pk=self.a_store.pk).update(
            opened_at=timezone.now() - timedelta(days=60))
        self.a_store.refresh_from_db()
        lightning_factories.deposit_paid(self.a_store)
        lightning_factories.switched_on(self.a_store)
        return lightning_factories.quick_listing(self.a_live)

    @cached_property
    def a_offer(self):
        """A's product offered in the selection center."""
        return offer(self.a_product)

    @cached_property
    def a_promotion_order(self):
        """A paid promotion of A's short video, waiting for review."""
        ad_factories.fund(self.a_store, "1000.00", self.reviewer)
        return ad_factories.submit(self.a_store, self.a_video, budget="100.00")

    @cached_property
    def a_campaign_entry(self):
        """A's product signed up for a platform campaign."""
        campaign = campaign_factories.make_campaign(self.reviewer, require_deposit_paid=False)
        product, skus = campaign_factories.product_with_skus(self.a_store)
        return campaign_factories.sign_up(campaign, self.a_store, product, skus)

    # --- notifications and invoices -------------------------------------------------------
    @cached_property
    def a_notification(self):
        return notes.notification_create(recipient=self.merchant, kind=N("product_approved"),
                                         params={"product": "纯棉T恤"})

    @cached_property
    def a_invoice(self):
        """Buyer A's invoice for an order from store A, issued with its PDF."""
        pay(place(self.buyer, self.a_sku, invoice_title="杭州某某科技有限公司",
                  invoice_tax_number="91330106MA2B3C4D5E"))
        invoice = Invoice.objects.get(order__store=self.a_store)
        return invoice_issue(invoice=invoice, actor=self.merchant,
                             file=ContentFile(PDF_BYTES, name="发票.pdf"))
