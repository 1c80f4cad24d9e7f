"""Demo data of notifications (站内信): the services of the other loaders already told
merchant_a what concerned them (products approved, orders settled, after-sale requests);
here a product of theirs is rejected with the reviewer's reason, so the inbox has an
unread rejection on top, the older notifications are read, and e-mails are on for
rejections. Idempotent: skipped once the rejected product exists."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from common import demo

REJECTED_TITLE = "冰感速干T恤 买一送三"
REJECTION = "标题“买一送三”与详情页赠品不符，请修改标题或补充赠品说明后重新提交。"


@demo.register(90, "notifications")
def load_notifications():
    from common.models import Notification, NotificationPreference
    from compliance.models import Category
    from shop.models import Product, Store
    from shop.notifications import N
    from shop.services import products as svc

    users = get_user_model().objects
    reviewer = users.filter(username="reviewer").first()
    store = Store.objects.filter(merchant__username="merchant_a").first()
    tshirt = Category.objects.filter(code="apparel.womens.tshirts").first()
    if None in (reviewer, store, tshirt):
        return
    if Product.objects.filter(store=store, title=REJECTED_TITLE).exists():
        return
    merchant = store.merchant
    Notification.objects.filter(recipient=merchant, read_at__isnull=True).update(
        read_at=timezone.now())
    product = svc.product_create(
        store=store, actor=merchant, kind=Product.Kind.OWN,
        data={"title": REJECTED_TITLE, "category_id": tshirt.pk,
              "description": "冰丝面料，速干透气。"},
        skus=[{"attributes": {"颜色": "浅灰", "尺码": "M"}, "price": "49.00", "stock": 40}],
    )
    revision = svc.product_submit(product=product, actor=merchant)
    svc.product_revision_reject(revision=revision, actor=reviewer, reason=REJECTION)
    NotificationPreference.objects.get_or_create(
        user=merchant, defaults={"email_kinds": [N("product_rejected")]})
