"""Demo data of enforcement (seed_demo): merchant_c's application is approved, and its
store shows the rules biting: a sampling inspection whose failure waits for the merchant's
appeal (the product delisted, the sampling violation recorded) and a violation a reviewer
recorded, whose points take the credit score past the first node, so the credit page has
restrictions with their countdowns. merchant_a stays clean. Everything goes through the
services; idempotent (each step is skipped once it exists)."""

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from common import demo
from shop.demo.stores import DEMO_PDF

PRODUCT_TITLE = "川味火锅鸳鸯锅 32cm"
LAB_NAME = "国家日用金属制品质量检验检测中心"
RECORDED_TYPE = "private_trade"


def _report():
    from common.uploads import validate_upload

    upload = SimpleUploadedFile("检测报告.pdf", DEMO_PDF, content_type="application/pdf")
    return (upload, validate_upload(upload, max_bytes=10_000_000), "检测报告.pdf")


@demo.register(46, "enforcement")
def load_enforcement():
    from compliance.enforcement import sampling
    from compliance.enforcement.models import Lab, SamplingInspection, Violation
    from compliance.enforcement.services import violation_record
    from compliance.models import Category
    from payments.services import sandbox_pay
    from shop.demo.orders import DEMO_ADDRESS
    from shop.models import MerchantApplication, Product, Store
    from shop.services import onboarding
    from shop.services import products as product_services
    from shop.services.order_payments import order_payment_start
    from shop.services.orders import order_place

    users = get_user_model().objects
    reviewer = users.filter(username="reviewer").first()
    merchant = users.filter(username="merchant_c").first()
    buyer = users.filter(username="buyer_b").first()
    pots = Category.objects.filter(code="home.kitchenware.pots").first()
    if None in (reviewer, merchant, buyer, pots):
        return
    store = Store.objects.filter(merchant=merchant).first()
    if store is None:
        application = MerchantApplication.objects.filter(
            applicant=merchant, status="pending").first()
        if application is None:
            return
        store = onboarding.application_approve(application=application, actor=reviewer)

    product = Product.objects.filter(store=store, title=PRODUCT_TITLE).first()
    if product is None:
        product = product_services.product_create(
            store=store, actor=merchant, kind=Product.Kind.OWN,
            data={"title": PRODUCT_TITLE, "category_id": pots.pk,
                  "description": "304不锈钢，电磁炉燃气灶通用。"},
            skus=[{"attributes": {"尺寸": "32cm"}, "price": "129.00", "stock": 40,
                   "code": "POT-32"}])
        revision = product_services.product_submit(product=product, actor=merchant)
        product_services.product_revision_approve(revision=revision, actor=reviewer)
        product.refresh_from_db()

    if not SamplingInspection.objects.filter(store=store).exists():
        lab, _created = Lab.objects.get_or_create(
            name=LAB_NAME, defaults={"accreditation": "CMA 2026-118 / CNAS L0000",
                                     "contact": "010-00000000"})
        inspection = sampling.inspection_plan(product=product, actor=reviewer)
        sku = product.skus.order_by("pk").first()
        order = order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}],
                            address=DEMO_ADDRESS)
        payment, _info = order_payment_start(order=order, actor=buyer)
        sandbox_pay(payment)
        sampling.inspection_sample_ordered(inspection=inspection, order=order, actor=reviewer)
        sampling.inspection_send_to_lab(inspection=inspection, lab=lab, actor=reviewer)
        sampling.inspection_result(inspection=inspection, passed=False, report=_report(),
                                   failed_items=["mandatory_standard"], actor=reviewer)

    if not Violation.objects.filter(store=store, type__code=RECORDED_TYPE).exists():
        violation_record(store=store, type=RECORDED_TYPE, source_kind="complaint",
                         reason="直播间口播“加我微信私下下单更便宜”，买家投诉并提供录屏。",
                         actor=reviewer)
