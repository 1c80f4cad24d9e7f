"""Payments no longer point at an order (the owner is its purpose and subject), and deposit
pay-ins no longer carry a provider reference of their own (their payment does)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0008_payment_purposes_backfill"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="payment", name="shop_paymen_order_i_bfaf37_idx"),
        migrations.RemoveField(model_name="payment", name="order"),
        migrations.RemoveField(model_name="depositpayin", name="provider"),
        migrations.RemoveField(model_name="depositpayin", name="provider_ref"),
        migrations.RemoveField(model_name="depositpayin", name="raw"),
    ]
