"""State only: Payment now belongs to the payments app (table shop_payment kept); the
foreign keys that point at it follow."""

import django.db.models.deletion
from django.db import migrations, models


def _fk(verbose_name, one_to_one=False):
    cls = models.OneToOneField if one_to_one else models.ForeignKey
    return cls(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
               related_name="+", to="payments.payment", verbose_name=verbose_name)


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0009_payment_drop_order"),
        ("payments", "0001_initial"),
        ("disputes", "0005_payment_moves_to_payments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="depositentry", name="payment",
                                      field=_fk("payment")),
                migrations.AlterField(model_name="storeaccountentry", name="payment",
                                      field=_fk("payment")),
                migrations.AlterField(model_name="withdrawal", name="payment",
                                      field=_fk("payout")),
                migrations.AlterField(model_name="depositpayin", name="payment",
                                      field=_fk("payment", one_to_one=True)),
                migrations.DeleteModel(name="Payment"),
            ],
            database_operations=[],
        ),
    ]
