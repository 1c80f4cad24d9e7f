"""A purpose stored in the database with no registered handler could never settle."""

from django.core import checks
from django.db import DatabaseError

from payments import purposes


@checks.register(checks.Tags.database)
def payment_purposes_have_handlers(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from payments.models import Payment

    errors = []
    for alias in databases:
        try:
            stored = set(Payment.objects.using(alias).values_list("purpose", flat=True)
                         .distinct())
        except DatabaseError:
            continue  # not migrated yet
        for name in sorted(stored - set(purposes.registered())):
            errors.append(checks.Error(
                f"Payments with purpose {name!r} exist but no app registers a handler for it.",
                hint="Register it in the owning app's AppConfig.ready() with "
                     "payments.purposes.register().",
                id="payments.E001",
            ))
    return errors
