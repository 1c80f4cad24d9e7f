"""Backfill the owner of every payment from the idempotency key it was created with, and
turn each deposit pay-in into an ordinary payment (purpose ``deposit.payin``). Data only:
on PostgreSQL a migration that changes rows and then the schema of the same table fails
("pending trigger events"), so the schema changes are in 0007 and 0009."""

import re

from django.db import migrations

KEYS = [
    (re.compile(r"^order:(\d+):pay:\d+$"), "order.payment"),
    (re.compile(r"^aftersale:order:(\d+):postage$"), "order.refund"),
    (re.compile(r"^aftersale:(\d+):refund$"), "aftersale.refund"),
    (re.compile(r"^aftersale:(\d+):payout$"), "aftersale.payout"),
    (re.compile(r"^withdrawal:(\d+)$"), "store_account.withdrawal"),
    (re.compile(r"^closure:(\d+):\w+$"), "deposit.closure_refund"),
    (re.compile(r"^payin:(\d+):refund$"), "deposit.payin_refund"),
]


def _purpose(key: str, order_id, kind: str):
    key = re.sub(r"^(failed:\d+:)+", "", key)
    for pattern, purpose in KEYS:
        m = pattern.match(key)
        if m:
            return purpose, m.group(1)
    # Any other refund of an order (e.g. money arriving after cancelling, "auto-refund:")
    if order_id is not None:
        return ("order.payment" if kind == "payment" else "order.refund"), str(order_id)
    return "unknown", ""


def backfill(apps, schema_editor):
    Payment = apps.get_model("shop", "Payment")
    for p in Payment.objects.all().iterator():
        p.purpose, p.subject_id = _purpose(p.idempotency_key, p.order_id, p.kind)
        data = {}
        if p.order_id is not None:
            p.reference = f"order:{p.order_id}"
            data["order"] = p.order_id
        line = (p.raw or {}).get("line")
        if line:
            data["line"] = line
        p.data = data
        p.save(update_fields=["purpose", "subject_id", "reference", "data"])


def payins_to_payments(apps, schema_editor):
    Payment = apps.get_model("shop", "Payment")
    DepositPayIn = apps.get_model("shop", "DepositPayIn")
    for payin in DepositPayIn.objects.select_related("account").iterator():
        status = "succeeded" if payin.status in ("succeeded", "refunded") else payin.status
        payment = Payment.objects.create(
            purpose="deposit.payin", subject_id=str(payin.pk),
            reference=f"store:{payin.account.store_id}", kind="payment",
            provider=payin.provider, provider_ref=payin.provider_ref,
            idempotency_key=f"deposit.payin:{payin.pk}", amount=payin.amount, status=status,
            created_at=payin.created_at, confirmed_at=payin.confirmed_at, raw=payin.raw or {},
            data={},
        )
        payin.payment_id = payment.pk
        payin.save(update_fields=["payment"])


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0007_payment_purposes"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(payins_to_payments, migrations.RunPython.noop),
    ]
