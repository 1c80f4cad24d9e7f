"""The payment purposes compliance owns, with the handler told when each settles."""

from django.utils.translation import gettext_lazy as _

from compliance.enforcement import sampling
from payments import purposes

purposes.register(sampling.REINSPECTION_FEE, label=_("Re-inspection fee"),
                  on_settled=sampling.reinspection_fee_settled)
purposes.register(sampling.REINSPECTION_FEE_REFUND, label=_("Re-inspection fee refunded"),
                  on_settled=sampling.reinspection_fee_refund_settled)
