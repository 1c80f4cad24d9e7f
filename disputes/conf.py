"""Configuration keys of after-sales and arbitration (see common.config)."""

from django.utils.translation import gettext_lazy as _

from common.config import define

define("aftersale.contact_hours", 36, _("Merchant contacts the buyer within"), "h")
define("aftersale.review_hours", 72,
       _("Merchant reviews a request within (else approved automatically)"), "h")
define("aftersale.buyer_ship_reminder_days", 3,
       _("Buyer ships the return within (reminder)"), "d")
define("aftersale.buyer_ship_close_days", 10,
       _("Request closes without a return waybill after"), "d")
define("aftersale.receive_days", 10,
       _("Merchant confirms receipt of the return within (else refunded automatically)"), "d")
define("aftersale.reship_hours", 48, _("Merchant reships an exchange within"), "h")
define("aftersale.refusal_refund_hours", 48,
       _("A refused parcel back at the merchant is refunded within"), "h")
define("aftersale.quality_review_hours", 48,
       _("Merchant reviews a quality ruling within"), "h")
define("aftersale.agent_handle_hours", 48, _("Support agents handle an escalated case within"),
       "h")
define("aftersale.refund_retry_minutes", 30,
       _("A refund in progress is checked (or a failed one tried again) every"), "min")
define("aftersale.refusal_intake_lookback_days", 7,
       _("Refused parcels: how late a courier's “returned” event may arrive and still be "
         "handled"), "d")
define("aftersale.seven_day_return_days", 7, _("No-reason return window"), "d")
define("aftersale.max_files_per_upload", 9, _("Files per after-sale message or evidence"), "")
