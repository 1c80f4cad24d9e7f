"""Live sessions, carts and short videos made through the real services."""

from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from promotions.services import live as services
from shop.models import DepositAccount


def png(name="cover.png", colour="red"):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def selling_session(store, *products, title="今晚上新"):
    """A live session with selling on and `products` in its cart, in that order."""
    session = services.live_session_start(store=store, actor=store.merchant, title=title)
    services.live_cart_set_enabled(session=session, enabled=True, actor=store.merchant)
    for product in products:
        services.live_cart_add(session=session, product_id=product.pk, actor=store.merchant)
    return session


def video(store, *products, title="开箱视频"):
    return services.short_video_publish(store=store, actor=store.merchant, title=title,
                                        cover=png(), product_ids=[p.pk for p in products])


def deposit_shortfall(store, since):
    account, _created = DepositAccount.objects.update_or_create(
        store=store, kind="store",
        defaults={"shortfall": Decimal("100"), "required_amount": Decimal("500"),
                  "balance": Decimal("400"), "restricted_since": since})
    return account
