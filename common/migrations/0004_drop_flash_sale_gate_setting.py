"""The per-flash-SKU admission setting gave way to one for every SKU
(order.max_in_flight_per_sku, declared with its default): a row left for the old key would
be a setting nobody reads, which the admin could not save."""

from django.db import migrations

OLD_KEY = "flash_sale.max_waiting_per_sku"


def drop(apps, schema_editor):
    apps.get_model("common", "PlatformSetting").objects.filter(key=OLD_KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("common", "0003_notifications")]

    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
