"""Paid promotion orders made through the real services."""

import json
import uuid
from decimal import Decimal

from promotions.services import ads as services
from shop.models import StoreAccount
from shop.services.accounts import store_account_adjust


def fund(store, amount, actor):
    store_account_adjust(store=store, amount=Decimal(amount), actor=actor, reason="测试充值",
                         token=uuid.uuid4().hex)


def balance(store) -> Decimal:
    return StoreAccount.objects.get(store=store).balance


def submit(store, clip, *, budget="100.00", hours=24, kind=None, now=None, **kw):
    kind = kind or ("shop_work" if clip.links.exists() else "fans_headline")
    return services.promotion_order_create(
        store=store, actor=store.merchant, subject_type="video", subject_id=clip.pk,
        kind=kind, goal=kw.pop("goal", "fans"), budget=budget, duration_hours=hours, now=now,
        **kw)


def results_body(batch_id, *rows) -> bytes:
    return json.dumps({"batch_id": batch_id, "results": list(rows)}).encode()


def row(order, *, exposures=0, plays=0, new_fans=0, clicks=0, spend="0.00"):
    return {"order": order.pk, "exposures": exposures, "plays": plays, "new_fans": new_fans,
            "clicks": clicks, "spend": spend}


def ingest(batch_id, *rows, now=None):
    body = results_body(batch_id, *rows)
    return services.promotion_results_ingest(body=body, signature=services.ad_delivery_sign(body),
                                             now=now)
