"""After-sale event reasons stored as text become codes with parameters where the text is
one of the catalogue's messages (the shop's too: a courier's name is one)."""

from django.db import migrations

from common.reasons import backfill


def forwards(apps, schema_editor):
    backfill(apps.get_model("disputes", "AfterSaleEvent"))


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0006_reason_codes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
