"""State only: the refund or payout now lives in the payments app (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0004_refund_in_progress"),
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="aftersalerequest", name="payment",
                    field=models.ForeignKey(blank=True, null=True,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to="payments.payment",
                                            verbose_name="refund or payout"),
                ),
            ],
            database_operations=[],
        ),
    ]
