"""Payment event reasons were bare words ("started", "provider_failed"); they become the
codes of payments' catalogue, and any other stored text a code where it matches one."""

from django.db import migrations

from common.reasons import backfill

WORDS = ["started", "requested", "provider_confirmed", "provider_failed"]


def forwards(apps, schema_editor):
    PaymentEvent = apps.get_model("payments", "PaymentEvent")
    for word in WORDS:
        PaymentEvent.objects.filter(reason_code="", reason=word).update(
            reason_code=f"payments.{word}", reason_params={}, reason="")
    backfill(PaymentEvent)


class Migration(migrations.Migration):

    dependencies = [
        ("payments", "0002_reason_codes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
