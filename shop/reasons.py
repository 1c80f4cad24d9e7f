"""Reasons the shop writes on its timelines and ledgers (see `common.reasons`)."""

from django.utils.translation import gettext_lazy as _

from common.reasons import Catalogue
from shop.rules.orders import COURIERS

R = Catalogue("shop", {
    # orders
    "cancelled_by_buyer": _("Cancelled by the buyer"),
    "payment_received": _("Payment received"),
    "receipt_confirmed": _("Receipt confirmed by the buyer"),
    "not_paid_in_time": _("Not paid in time"),
    "ship_deadline_missed": _("Shipping deadline missed"),
    "pickup_deadline_missed": _("Courier pickup deadline missed"),
    "auto_completed": _("Completed automatically after delivery"),
    "shipped": _("Shipped with %(courier)s %(waybill)s"),
    "courier_event": _("Courier: %(event)s"),
    "tracking_before_shipping": _("The courier event is dated before the order was shipped."),
    "tracking_in_future": _("The courier event is dated in the future."),
    "late_payment_refunded": _("Payment arrived after the order was cancelled"),
    "refund_failed": _("The refund failed at the payment provider"),
    "refund_confirmed": _("Refund confirmed by the payment provider"),
    # invoices
    "invoice_requested": _("Invoice requested by the buyer"),
    "invoice_refund_after_issue": _(
        "Refund after issue: the invoice was for %(issued)s, %(amount)s is now paid"),
    "invoice_refunded_in_full": _("The order was refunded in full; no invoice is needed"),
    # store account
    "order_completed": _("Order %(number)s completed"),
    "refund_after_settlement": _("Refund on order %(number)s after settlement"),
    "refund_reversed": _("The refund failed at the payment provider; the debit is reversed"),
    "withdrawal_requested": _("Withdrawal requested"),
    "withdrawal_of_store": _("Withdrawal of store %(store)s"),
    "withdrawal_failed": _("The payout failed; the money is back on the account"),
    "paid_out_automatically": _("Paid out automatically"),
    "approved_paid_out": _("Approved and paid out"),
    "approved_paying": _("Approved; waiting for the payment provider to confirm the payout"),
    "payout_confirmed": _("The payment provider confirmed the payout"),
    # deposits
    "shortfall_covered": _("Shortfall covered from the store account"),
    "transferred_to_deposit": _("Transferred to the %(deposit)s to cover a shortfall"),
    "payin_started": _("Deposit payment started"),
    "payin_failed": _("The payment provider reported the payment failed"),
    "payin_after_closed": _("Deposit payment arrived after the deposit was closed"),
    "paid_through": _("Paid through %(provider)s"),
    "sandbox_provider": _("the sandbox payment provider"),
    # closure
    "closure_applied": _("Closure applied for"),
    "store_closing": _("Closure applied for; the store takes no new orders or listings"),
    "closure_withdrawn": _("Withdrawn by the merchant"),
    "closure_withdrawn_store_open": _(
        "The closure application was withdrawn; the store is open again"),
    "closure_rejected_store_open": _(
        "The closure application was rejected; the store is open again"),
    "store_closed": _("Every deposit was refunded; the store is closed"),
    "store_stays_open": _("Only some deposits were refunded; the store stays open"),
    "deposit_refunded_on_closing": _("%(deposit)s refunded on closing the store"),
    "refunded_on_closing": _("Refunded on closing the store"),
    "closure_approved": _("Approved; deposits refunded"),
    "closure_approved_payout_failed": _(
        "Approved, but a refund payout failed; approve again to retry"),
    "closure_refund_confirmed": _(
        "The payment provider confirmed the refund of the %(deposit)s"),
    "closure_refund_returned": _("The refund payout failed; the money is back on the deposit"),
    "closure_refund_failed": _(
        "The refund payout of the %(deposit)s failed; approve again to retry"),
    # products
    "created": _("Product created"),
    "edited": _("Product edited"),
    "change_draft": _("Change saved as a draft"),
    "submitted": _("Submitted for review"),
    "change_submitted": _("Change submitted for review"),
    "approved_listed": _("Approved and listed"),
    "change_approved": _("Change approved"),
    "delisted_by_merchant": _("Delisted by the merchant"),
    # onboarding
    "submitted_application": _("Application submitted"),
    "approved": _("Approved"),
    "resubmitted": _("Corrected and resubmitted"),
    # store profile changes; product revisions
    "store_profile_submitted": _("Store profile change submitted for review"),
    "store_profile_replaced": _("Replaced by a newer change of the store profile"),
    "store_profile_approved": _("Store profile change approved"),
    "revision_withdrawn_resubmitted": _(
        "Draft change withdrawn: the delisted product was submitted again as edited"),
    # a courier's name, as a parameter of the messages above
    **{f"courier.{code}": label for code, label in COURIERS.items()},
})


def courier(code: str):
    """A courier's name as a reason parameter (its code when it is not one of ours)."""
    return R(f"courier.{code}") if code in COURIERS else code
