"""Qualification event reasons stored as text become codes with parameters where the
text is one of the catalogue's messages."""

from django.db import migrations

from common.reasons import backfill


def forwards(apps, schema_editor):
    backfill(apps.get_model("compliance", "QualificationEvent"))


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0007_reason_codes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
