"""Demo data of deposits and store accounts: merchant_a has paid what its deposits
require; merchant_b paid its store deposit, had a compensation (先行赔付) deducted, which
restricted the store, and paid the difference, which lifted it — so its ledger shows the
whole cycle while the store stays usable for the other demos. Idempotent: payments and
deductions carry fixed tokens and causes."""

from decimal import Decimal

from common import demo


@demo.register(45, "deposits")
def load_deposits():
    from payments.services import sandbox_pay
    from shop.models import DepositAccount, DepositPayIn, Store
    from shop.services.deposits import (
        deposit_deduct,
        deposit_evaluate,
        deposit_payin_start,
    )

    def pay(store, kind, amount, token):
        amount = Decimal(amount)
        if amount <= 0:
            return
        payin, _info = deposit_payin_start(store=store, kind=kind, amount=amount,
                                           actor=store.merchant, token=token)
        if payin.status == DepositPayIn.Status.PENDING:
            sandbox_pay(payin)

    def missing(store, kind):
        account = DepositAccount.objects.get(store=store, kind=kind)
        return account.required_amount - account.balance

    a = Store.objects.filter(merchant__username="merchant_a").first()
    if a is not None:
        deposit_evaluate(store=a)
        pay(a, DepositAccount.Kind.STORE, missing(a, DepositAccount.Kind.STORE), "demo-a-store")
        pay(a, DepositAccount.Kind.PROMOTION, missing(a, DepositAccount.Kind.PROMOTION),
            "demo-a-promotion")
    b = Store.objects.filter(merchant__username="merchant_b").first()
    if b is not None:
        deposit_evaluate(store=b)
        pay(b, DepositAccount.Kind.STORE, missing(b, DepositAccount.Kind.STORE), "demo-b-store")
        deposit_deduct(store=b, amount=Decimal("120"), cause_type="demo", cause_id="b-1",
                       actor=None, reason="演示：售后先行赔付（质量问题）")
        pay(b, DepositAccount.Kind.STORE, missing(b, DepositAccount.Kind.STORE), "demo-b-top-up")
