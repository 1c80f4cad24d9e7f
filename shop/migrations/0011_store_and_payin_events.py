"""Timelines for the two workflows that had none: a store's status (StoreEvent) and a
deposit pay-in's (DepositPayInEvent). Rows are written by their one transition writer."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _event_fields():
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                   verbose_name="ID")),
        ("from_status", models.CharField(blank=True, max_length=32, verbose_name="from")),
        ("to_status", models.CharField(blank=True, max_length=32, verbose_name="to")),
        ("reason", models.TextField(blank=True, verbose_name="reason")),
        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now,
                                    verbose_name="at")),
        ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
        ("actor", models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="actor")),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0010_payment_moves_to_payments"),
        ("payments", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StoreEvent",
            fields=[
                *_event_fields(),
                ("store", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                            related_name="events", to="shop.store",
                                            verbose_name="store")),
            ],
            options={
                "verbose_name": "store event",
                "verbose_name_plural": "store events",
                "ordering": ["at", "pk"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="DepositPayInEvent",
            fields=[
                *_event_fields(),
                ("payin", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                            related_name="events", to="shop.depositpayin",
                                            verbose_name="deposit payment")),
            ],
            options={
                "verbose_name": "deposit payment event",
                "verbose_name_plural": "deposit payment events",
                "ordering": ["at", "pk"],
                "abstract": False,
            },
        ),
    ]
