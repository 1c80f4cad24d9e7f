"""Reasons compliance writes on qualification timelines (see `common.reasons`)."""

from django.utils.translation import gettext_lazy as _

from common.reasons import Catalogue

R = Catalogue("compliance", {
    "superseded_by_newer": _("Replaced by a newer qualification of the same type."),
    "superseded_by_longer": _(
        "An approved qualification of the same type is valid for longer."),
    "restored": _("A new qualification “%(type)s” was approved."),
    "expiry_warning": _("Your qualification expires soon: upload a renewed one in time."),
    "expired": _("The qualification expired."),
    "delisted_expired": _(
        "Qualification “%(type)s” expired on %(date)s; relisted once a new one is approved."),
    # --- enforcement: violations, credit score, restrictions, sampling -------------------
    "violation_recorded": _("Violation recorded: %(type)s, %(points)s points"),
    "violation_appealed": _("The merchant appealed"),
    "violation_upheld": _("Appeal refused: the violation stands"),
    "violation_revoked": _("Violation revoked; %(points)s points restored"),
    "late_shipment": _("Order %(order)s was not shipped by its deadline"),
    "late_pickup": _("Order %(order)s was not picked up by the courier by its deadline"),
    "aftersale_ruling_merchant_fault": _(
        "After-sale request %(request)s: the ruling found the merchant at fault"),
    "aftersale_contact_missed": _(
        "After-sale request %(request)s: the merchant did not contact the buyer in time"),
    "aftersale_reship_overdue": _(
        "After-sale request %(request)s: the replacement was not shipped in time"),
    "credit_deducted": _("%(points)s points deducted for a violation (%(type)s)"),
    "credit_restored": _("%(points)s points restored: the violation was revoked"),
    "credit_reset": _("Deductions reset for %(year)s"),
    "node_reached": _("Credit score fell to %(score)s: node %(node)s reached"),
    "restriction_ended": _("The restriction ran its course"),
    "restriction_superseded": _("Replaced by the heavier node %(node)s"),
    "restriction_lifted_revoked": _("Lifted: the score is back above node %(node)s"),
    "sampling_failed": _("Sampling inspection failed: %(product)s"),
    "sampling_fee_due": _("Re-inspection accepted: prepay the fee within %(days)s working days"),
    "sampling_refused": _("Re-inspection refused: %(why)s"),
    "sampling_fee_paid": _("Re-inspection fee paid"),
    "sampling_fee_late": _("Re-inspection fee paid after the appeal lapsed: send it back"),
    "sampling_retest_failed": _("Re-inspection failed: the result is upheld and the merchant "
                                "bears the fee"),
    "sampling_retest_passed": _("Re-inspection passed: the product is relisted, the penalty "
                                "revoked and the lab refunds the fee"),
    "sampling_stands": _("No valid appeal in time: the result stands"),
    "sampling_lapsed": _("The re-inspection fee was not paid in time: the appeal lapsed"),
    "notice_confirmed": _("Notice confirmed: %(n)s products delisted"),
    "credit_zero_forfeit": _("Credit score reached 0: the remaining balance is deducted"),
    "sampling_fee_refunded": _("The re-inspection fee of %(amount)s arrived when it was no "
                               "longer due and was refunded to the merchant"),
})
