"""Payments get an owner that is not a foreign key: `purpose` (who handles its settlement)
and `subject_id`, plus `reference` (the label the owner lists its payments under) and
`data` (what the owner needs to settle it); 0008 backfills them from the idempotency keys
every payment was created with, 0009 drops the order foreign key. Deposit pay-ins become
ordinary payments with the purpose ``deposit.payin``. The table then moves to the
payments app (payments.0001, shop.0010)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0006_product_delisted_cause"),
    ]

    operations = [
        # A pay-in of a deposit concerns no order.
        migrations.RemoveConstraint(model_name="payment", name="payment_has_order"),
        migrations.AddField(
            model_name="payment", name="purpose",
            field=models.CharField(db_index=True, default="", max_length=40,
                                   verbose_name="purpose"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment", name="subject_id",
            field=models.CharField(default="", max_length=40, verbose_name="subject"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment", name="reference",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64,
                                   verbose_name="reference"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="payment", name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="details"),
        ),
        migrations.AlterField(
            model_name="payment", name="status",
            field=models.CharField(choices=[("pending", "Pending"), ("succeeded", "Succeeded"),
                                            ("failed", "Failed")],
                                   db_index=True, default="pending", max_length=10,
                                   verbose_name="status"),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["purpose", "subject_id"], name="payment_purpose_subject"),
        ),
        migrations.AddField(
            model_name="depositpayin", name="payment",
            field=models.OneToOneField(blank=True, null=True,
                                       on_delete=django.db.models.deletion.PROTECT,
                                       related_name="+", to="shop.payment",
                                       verbose_name="payment"),
        ),
    ]
