"""Payment moves from shop to payments with its table kept (shop_payment): the state
changes hands here and in shop.0008, the database is untouched. PaymentEvent is new."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

PAYMENT_FIELDS = [
    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                               verbose_name="ID")),
    ("purpose", models.CharField(db_index=True, max_length=40, verbose_name="purpose")),
    ("subject_id", models.CharField(max_length=40, verbose_name="subject")),
    ("reference", models.CharField(blank=True, db_index=True, max_length=64,
                                   verbose_name="reference")),
    ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
    ("kind", models.CharField(choices=[("payment", "Payment"), ("refund", "Refund"),
                                       ("payout", "Payout")],
                              default="payment", max_length=10, verbose_name="kind")),
    ("provider", models.CharField(max_length=20, verbose_name="provider")),
    ("provider_ref", models.CharField(max_length=64, unique=True,
                                      verbose_name="provider reference")),
    ("idempotency_key", models.CharField(max_length=80, unique=True)),
    ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="amount")),
    ("status", models.CharField(choices=[("pending", "Pending"), ("succeeded", "Succeeded"),
                                         ("failed", "Failed")],
                                db_index=True, default="pending", max_length=10,
                                verbose_name="status")),
    ("created_at", models.DateTimeField(default=django.utils.timezone.now,
                                        verbose_name="created at")),
    ("confirmed_at", models.DateTimeField(blank=True, null=True, verbose_name="confirmed at")),
    ("raw", models.JSONField(blank=True, default=dict, verbose_name="provider data")),
    ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
    ("payee", models.ForeignKey(blank=True, null=True,
                                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                to=settings.AUTH_USER_MODEL, verbose_name="payee")),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("shop", "0009_payment_drop_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Payment",
                    fields=PAYMENT_FIELDS,
                    options={
                        "verbose_name": "payment",
                        "verbose_name_plural": "payments",
                        "db_table": "shop_payment",
                        "ordering": ["created_at"],
                        "indexes": [models.Index(fields=["purpose", "subject_id"],
                                                 name="payment_purpose_subject")],
                        "constraints": [models.CheckConstraint(
                            condition=models.Q(("amount__gt", 0)),
                            name="payment_amount_positive")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="PaymentEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
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
                ("payment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="events", to="payments.payment",
                                              verbose_name="payment")),
            ],
            options={
                "verbose_name": "payment event",
                "verbose_name_plural": "payment events",
                "ordering": ["at", "pk"],
                "abstract": False,
            },
        ),
    ]
