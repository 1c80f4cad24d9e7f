"""The payment purposes disputes owns: an after-sale request's refund of the line, and the
platform's payout when it pays first (先行赔付)."""

from django.utils.translation import gettext_lazy as _

from disputes import services
from payments import purposes

purposes.register(services.AFTERSALE_REFUND, label=_("After-sale refund"),
                  on_settled=services.after_sale_payment_settled)
purposes.register(services.AFTERSALE_PAYOUT, label=_("After-sale payout by the platform"),
                  on_settled=services.after_sale_payment_settled)
