"""Seed the catalogue of violation types (reviewers edit it in the admin afterwards)."""

from django.db import migrations

from compliance.enforcement.seed import seed_violation_types


def seed(apps, schema_editor):
    seed_violation_types(apps.get_model("compliance", "ViolationType"))


class Migration(migrations.Migration):

    dependencies = [("compliance", "0008_enforcement")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
