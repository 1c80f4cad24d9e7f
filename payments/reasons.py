"""Reasons payments writes on a payment's timeline (see `common.reasons`)."""

from django.utils.translation import gettext_lazy as _

from common.reasons import Catalogue

R = Catalogue("payments", {
    "started": _("Payment started"),
    "requested": _("Sent to the payment provider"),
    "provider_confirmed": _("Confirmed by the payment provider"),
    "provider_failed": _("Refused by the payment provider"),
})

