"""Demo stores and products (seed_demo). Everything goes through the services, so the
timelines look like real use. Idempotent: skips what exists."""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from common import demo
from shop.identity import make_credit_code, make_resident_id

DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

STORES = {
    "merchant_a": {
        "real_name": "张伟",
        "birth": (1988, 5, 12),
        "entity_type": "enterprise",
        "credit_body": "91330106MA2B3C4D5",
        "registered_name": "杭州阿宝服饰有限公司",
        "business_scope": "服装、鞋帽、日用百货的销售",
        "contact_phone": "13800138001",
        "store_name": "阿宝服饰旗舰店",
    },
    "merchant_b": {
        "real_name": "赵敏",
        "birth": (1992, 11, 3),
        "entity_type": "individual",
        "credit_body": "92440300MA5F6G7H8",
        "registered_name": "深圳市南山区小赵百货店",
        "business_scope": "日用百货、服装零售",
        "contact_phone": "13900139002",
        "store_name": "小赵百货",
    },
}


def _application_data(spec):
    from datetime import date

    return {
        "real_name": spec["real_name"],
        "id_number": make_resident_id(date(*spec["birth"])),
        "entity_type": spec["entity_type"],
        "credit_code": make_credit_code(spec["credit_body"]),
        "registered_name": spec["registered_name"],
        "business_scope": spec["business_scope"],
        "contact_phone": spec["contact_phone"],
        "store_name": spec["store_name"],
    }


@demo.register(20, "stores")
def load_stores():
    from shop.models import MerchantApplication, Store
    from shop.services import onboarding

    users = get_user_model().objects
    reviewer = users.get(username="reviewer")
    for username, spec in STORES.items():
        merchant = users.get(username=username)
        if Store.objects.filter(merchant=merchant).exists():
            continue
        application = MerchantApplication.objects.filter(applicant=merchant).first()
        if application is None:
            application = onboarding.application_submit(
                applicant=merchant,
                data=_application_data(spec),
                licence_file=ContentFile(DEMO_PDF, name="licence.pdf"),
            )
        store = onboarding.application_approve(application=application, actor=reviewer)
        store.introduction = f"{spec['store_name']}：正品保障，48小时内发货。"
        store.save(update_fields=["introduction"])


@demo.register(21, "store applications")
def load_pending_application():
    """A merchant who has applied and waits for review (`merchant_c`), so the reviewers'
    queue is not empty."""
    from shop.models import MerchantApplication
    from shop.services import onboarding

    user = get_user_model().objects.get(username="merchant_c")
    if MerchantApplication.objects.filter(applicant=user).exists():
        return
    onboarding.application_submit(
        applicant=user,
        data=_application_data({
            "real_name": "孙悦",
            "birth": (1995, 7, 21),
            "entity_type": "individual",
            "credit_body": "92510104MA6C7D8E9",
            "registered_name": "成都市锦江区孙记食品店",
            "business_scope": "预包装食品销售",
            "contact_phone": "13600136003",
            "store_name": "孙记川味小吃",
        }),
        licence_file=ContentFile(DEMO_PDF, name="licence.pdf"),
    )


@demo.register(25, "products")
def load_products():
    from compliance.models import Category
    from shop.models import Product, Store
    from shop.services import products as svc

    users = get_user_model().objects
    reviewer = users.get(username="reviewer")
    tshirt = Category.objects.filter(code="apparel.womens.tshirts").first()
    socks = Category.objects.filter(code="apparel.underwear.socks").first()
    if tshirt is None or socks is None:
        return  # categories are loaded by the compliance loader, which runs first
    a = Store.objects.get(merchant__username="merchant_a")
    b = Store.objects.get(merchant__username="merchant_b")

    def own(store, title, category, skus, *, listed=True, submit=False, description="", **extra):
        if Product.objects.filter(store=store, title=title).exists():
            return
        product = svc.product_create(
            store=store, actor=store.merchant, kind=Product.Kind.OWN,
            data={"title": title, "category_id": category.pk, "description": description, **extra},
            skus=skus,
        )
        if listed or submit:
            revision = svc.product_submit(product=product, actor=store.merchant)
            if listed:
                svc.product_revision_approve(revision=revision, actor=reviewer)

    own(a, "纯棉宽松短袖T恤 女款", tshirt, [
        {"attributes": {"颜色": "白色", "尺码": "M"}, "price": "59.00", "stock": 120, "code": "TS-W-M"},
        {"attributes": {"颜色": "白色", "尺码": "L"}, "price": "59.00", "stock": 80, "code": "TS-W-L"},
        {"attributes": {"颜色": "黑色", "尺码": "M"}, "price": "62.00", "stock": 60, "code": "TS-B-M"},
    ], description="100%新疆长绒棉，透气不闷汗。", gifts="赠送收纳袋", gift_value="5.00")
    own(a, "夏季薄款运动船袜 5双装", socks, [
        {"attributes": {"颜色": "混色"}, "price": "19.90", "stock": 500, "code": "SOCK-5"},
    ], free_shipping=False, shipping_fee="6.00")
    own(a, "冰丝防晒T恤（草稿）", tshirt, [
        {"attributes": {"颜色": "蓝色", "尺码": "M"}, "price": "79.00", "stock": 30},
    ], listed=False)
    own(a, "全网第一爆款T恤 加我vx领券", tshirt, [
        {"attributes": {"颜色": "红色", "尺码": "S"}, "price": "39.00", "stock": 50},
    ], listed=False, submit=True, description="好评返现5元，私信我拿更低价")
    own(b, "居家棉袜 10双装", socks, [
        {"attributes": {"颜色": "灰色"}, "price": "29.90", "stock": 200, "code": "B-SOCK-10"},
    ])
    if not Product.objects.filter(store=a, kind=Product.Kind.OTHER_PLATFORM).exists():
        product = svc.product_create(
            store=a, actor=a.merchant, kind=Product.Kind.OTHER_PLATFORM,
            data={
                "title": "阿宝天猫店 同款牛仔外套",
                "category_id": tshirt.pk,
                "link": "https://detail.tmall.com/item.htm?id=623456789012",
                "external_price": "199.00",
            },
        )
        revision = svc.product_submit(product=product, actor=a.merchant)
        svc.product_revision_approve(revision=revision, actor=reviewer)
