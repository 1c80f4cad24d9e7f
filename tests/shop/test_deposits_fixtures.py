"""Shared helpers of the deposit, account and closure tests (no tests here)."""

import uuid
from decimal import Decimal

from payments.services import sandbox_pay
from shop.models import DepositAccount
from shop.services.deposits import deposit_accounts_open, deposit_payin_start
from tests.factories import StoreFactory

D = Decimal


def token() -> str:
    return uuid.uuid4().hex


def new_store(merchant=None, **kw):
    if merchant is not None:
        kw["merchant"] = merchant
    return StoreFactory(**kw)


def pay_deposit(store, amount, kind=DepositAccount.Kind.STORE, now=None):
    """The merchant pays into a deposit: the provider (the sandbox, played by the test)
    posts its signed success callback. Works whether or not the sandbox's "pay now" page
    is enabled, as a real provider's callback would."""
    payin, _info = deposit_payin_start(store=store, kind=kind, amount=D(str(amount)),
                                       actor=store.merchant, token=token(), now=now)
    sandbox_pay(payin, now=now)
    return DepositAccount.objects.get(store=store, kind=kind)


def account(store, kind=DepositAccount.Kind.STORE) -> DepositAccount:
    return DepositAccount.objects.get(store=store, kind=kind)


def opened_store(merchant=None, **kw):
    """A store whose deposit and store accounts exist (the first payment not yet due)."""
    store = new_store(merchant, **kw)
    deposit_accounts_open(store=store)
    return store
