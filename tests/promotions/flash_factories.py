"""Flash sales built through the real services, for the flash-sale tests."""

from datetime import datetime, timedelta
from decimal import Decimal

from promotions.services.flash_sales import flash_sale_create
from tests.factories import ProductFactory, SkuFactory, StoreFactory

START = datetime.fromisoformat("2026-06-01T10:00:00+08:00")


def product_with_skus(store, prices=("100.00", "120.00"), stock=50):
    product = ProductFactory(store=store)
    skus = [SkuFactory(product=product, price=Decimal(p), stock=stock) for p in prices]
    return product, skus


def make_sale(store, product, skus, *, flash=None, stock=10, limit=2, starts_at=None,
              duration=timedelta(hours=1), now=None):
    starts_at = starts_at or START
    flash = flash or [str(Decimal(s.price) - 10) for s in skus]
    items = [{"sku": s.pk, "flash_price": price, "stock": stock}
             for s, price in zip(skus, flash, strict=True)]
    return flash_sale_create(store=store, actor=store.merchant, product=product, items=items,
                             per_buyer_limit=limit, starts_at=starts_at, duration=duration,
                             now=now or starts_at - timedelta(hours=1))


def store_for(merchant):
    return StoreFactory(merchant=merchant)
