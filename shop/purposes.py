"""The payment purposes shop owns, with the handler told when each settles."""

from django.utils.translation import gettext_lazy as _

from payments import purposes
from shop.services import accounts, closure, deposits, order_payments

purposes.register(order_payments.ORDER_PAYMENT, label=_("Order payment"),
                  on_settled=order_payments.order_payment_settled)
purposes.register(order_payments.ORDER_REFUND, label=_("Order refund"),
                  on_settled=order_payments.order_refund_settled)
purposes.register(accounts.WITHDRAWAL_PAYOUT, label=_("Store account withdrawal"),
                  on_settled=accounts.withdrawal_payout_settled)
purposes.register(closure.CLOSURE_REFUND, label=_("Deposit refunded on closing"),
                  on_settled=closure.closure_payout_settled)
purposes.register(deposits.DEPOSIT_PAYIN, label=_("Deposit payment"),
                  on_settled=deposits.deposit_payin_settled)
purposes.register(deposits.DEPOSIT_PAYIN_REFUND, label=_("Deposit payment sent back"),
                  on_settled=deposits.deposit_payin_refund_settled)
