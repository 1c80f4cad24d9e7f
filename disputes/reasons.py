"""Reasons the after-sale flow writes on its timelines (see `common.reasons`).

Where a person's words follow a fixed text (a merchant's rejection, a buyer's escalation),
the code is stored with those words as written. The ``*_said`` messages are how such rows
read before: kept so their old text is recognised and still shown in the reader's
language."""

from django.utils.translation import gettext_lazy as _

from common.reasons import Catalogue

R = Catalogue("disputes", {
    # people's actions
    "opened": _("Request opened: %(kind)s, %(reason)s"),
    "contacted": _("The merchant contacted the buyer"),
    "approved_return": _("Approved by the merchant: return the goods"),
    "approved_refund": _("Approved by the merchant: refund without return"),
    "rejected_by_merchant": _("Rejected by the merchant"),
    "merchant_confirmed_receipt": _("The merchant confirmed receipt of the return"),
    "reshipped": _("Replacement shipped with %(courier)s %(waybill)s"),
    "offline_proposed": _("The merchant proposed to settle offline"),
    "accepted_ruling": _("The merchant accepted the ruling: return the goods"),
    "return_shipped": _("Return shipped with %(courier)s %(waybill)s"),
    "cancelled_offline": _("Cancelled by the buyer, agreeing to settle offline"),
    "withdrawn_by_buyer": _("Withdrawn by the buyer"),
    "escalated": _("Platform support asked to step in"),
    "evidence_added": _("Evidence added: %(kind)s"),
    # support and reviewers
    "taken": _("Taken by %(agent)s"),
    "handed_over": _("Handed over to %(agent)s"),
    "ruling": _("Ruling: %(outcome)s"),
    "merchant_at_fault": _("Ruling: the merchant is at fault (%(fault)s)"),
    "ruling_reopened": _("Ruling reopened by a reviewer"),
    # clocks
    "contact_missed": _("The merchant did not contact the buyer in time"),
    "contact_missed_violation": _("Missed the 36 h contact deadline"),
    "return_reminder": _("Reminder: ship the return and upload the waybill, or the request "
                         "closes automatically"),
    "auto_closed": _("Closed automatically: no return waybill in time"),
    "reship_missed": _("The merchant did not ship the replacement in time"),
    "reship_missed_violation": _("Missed the 48 h reship deadline"),
    "agent_overdue": _("Support has not ruled within its handling time"),
    "auto_approved": _("Approved automatically: the merchant did not review in time"),
    "auto_escalated_signed": _(
        "The merchant did not review in time; the goods were signed for, so platform support "
        "decides instead of an automatic refund"),
    "auto_escalated_no_address": _(
        "Approved automatically, but the merchant has no return address: support will give one"),
    "auto_received": _("Receipt not confirmed in time: treated as received"),
    "refusal_refunded": _("Refused parcel back at the merchant: refunded automatically"),
    "quality_timeout": _(
        "The merchant did not review the ruling in time: the platform gives the return address "
        "and pays the buyer from the deposit once the return is confirmed"),
    "refused_parcel_back": _("Courier: the refused parcel is back at the merchant"),
    "refused_parcel_ruled": _(
        "Courier: the refused parcel is back at the merchant; the ruling stands unless a "
        "reviewer reopens it"),
    "refused_parcel_opened": _("Courier: the refused parcel is back at the merchant; refund due"),
    # money
    "payout_given_back": _(
        "After-sale request #%(id)s: the platform's payout failed, the deduction is given back"),
    "postage_refunded": _("Postage refunded: nothing was shipped"),
    "postage_refund_failed": _(
        "The postage refund failed at the payment provider; support refunds it by hand"),
    "closed_refunded": _("Refunded in full after-sales"),
    "payout_failed": _("The payout failed at the payment provider"),
    "payout_confirmed": _("Payout confirmed by the payment provider"),
    "refund_confirmed": _("The payment provider confirmed the refund"),
    "refund_retry_later": _("The refund failed at the payment provider; it will be tried again"),
    "refund_asked_again": _(
        "The refund was asked for again; the payment provider is processing it"),
    "refund_tried_again": _("The refund is tried again"),
    # how rows with a person's words read before (recognised in stored text)
    "rejected_by_merchant_said": _("Rejected by the merchant: %(reason)s"),
    "offline_proposed_said": _("The merchant proposed to settle offline: %(reason)s"),
    "escalated_said": _("Platform support asked to step in: %(reason)s"),
    "handed_over_said": _("Handed over to %(agent)s: %(why)s"),
    "ruling_said": _("Ruling: %(outcome)s. %(reasoning)s"),
    "ruling_reopened_said": _("Ruling reopened by a reviewer: %(reason)s"),
})

