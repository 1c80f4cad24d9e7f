"""Reasons stored as text (in the language active when they were written) become codes
with parameters where the text is one of the catalogue's messages."""

from django.db import migrations

from common.reasons import backfill

MODELS = ["OrderEvent", "ProductEvent", "MerchantApplicationEvent", "StoreEvent",
          "WithdrawalEvent", "ClosureEvent", "DepositPayInEvent", "DepositEntry",
          "StoreAccountEntry"]


def forwards(apps, schema_editor):
    for name in MODELS:
        backfill(apps.get_model("shop", name))


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0017_category_invitations"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
