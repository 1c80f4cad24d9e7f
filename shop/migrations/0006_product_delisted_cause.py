"""Product.delisted_cause: who or what took a product off sale. Relisting after a renewed
qualification used to recognise its own delistings by text — a delisted product whose
`delisted_reason` equals the reason of one of its open QualificationDelisting rows — so the
existing delistings recognised that way are backfilled as `qualification_expired`. Other
delistings predate the field and keep it blank (their cause was never recorded)."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def backfill_qualification_delistings(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    QualificationDelisting = apps.get_model("compliance", "QualificationDelisting")
    Product.objects.filter(status="delisted").filter(
        Exists(
            QualificationDelisting.objects.filter(
                product=OuterRef("pk"), relisted_at=None, reason=OuterRef("delisted_reason")
            )
        )
    ).update(delisted_cause="qualification_expired")


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0005_tracking_kind_at_index"),
        ("compliance", "0003_screening_rules_delistings_review_queues"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="delisted_cause",
            field=models.CharField(
                blank=True,
                choices=[
                    ("merchant", "Delisted by the merchant"),
                    ("reviewer", "Delisted by a reviewer"),
                    ("qualification_expired", "A required qualification expired"),
                ],
                default="",
                max_length=32,
                verbose_name="delisting cause",
            ),
        ),
        migrations.RunPython(backfill_qualification_delistings, migrations.RunPython.noop),
    ]
