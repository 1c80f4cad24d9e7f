"""Property: whatever sequence of payments, deductions (repeated causes included),
adjustments, store-account movements and withdrawals happens, every ledger's balance is
the sum of its entries, each balance_after is the running sum, and entries already
written never change (history is only appended to)."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from common import config
from common.errors import ApplicationError
from shop.models import DepositAccount, DepositEntry, StoreAccount, StoreAccountEntry
from shop.selectors.deposits import ledgers_reconcile
from shop.selectors.stores import store_abilities
from shop.services.accounts import store_account_adjust, withdrawal_reject, withdrawal_request
from shop.services.deposits import deposit_adjust, deposit_deduct
from tests.factories import UserFactory
from tests.shop.test_deposits_fixtures import opened_store, pay_deposit

cents = st.integers(min_value=1, max_value=200_000).map(lambda n: Decimal(n) / 100)
kind = st.sampled_from(["store", "promotion"])
operation = st.one_of(
    st.tuples(st.just("pay"), kind, cents),
    st.tuples(st.just("deduct"), kind, cents, st.integers(min_value=1, max_value=4)),
    st.tuples(st.just("adjust"), kind, cents, st.booleans()),
    st.tuples(st.just("account"), cents, st.booleans()),
    st.tuples(st.just("withdraw"), cents, st.booleans()),
)


def history():
    return (
        list(DepositEntry.objects.order_by("pk").values_list("pk", "account_id", "kind", "amount",
                                                            "balance_after")),
        list(StoreAccountEntry.objects.order_by("pk").values_list("pk", "account_id", "kind",
                                                                 "amount", "balance_after")),
    )


class LedgerPropertyTests(TestCase):
    @settings(max_examples=30, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(ops=st.lists(operation, min_size=1, max_size=12),
           floor=st.sampled_from(["0", "100"]))
    def test_balance_is_the_sum_and_history_is_only_appended(self, ops, floor):
        config.set_value("deposit.max_negative_balance", floor)
        config.set_value("account.withdrawal_auto_max", "50")
        reviewer = UserFactory(role="reviewer")
        store = opened_store(UserFactory(role="merchant"))
        n = succeeded = 0
        for op in ops:
            before = history()
            n += 1
            refused = None
            # What the rules say before the move: only a withdrawal may be refused, and
            # only for a reason that holds right now.
            expected_refusal = None
            if op[0] == "withdraw":
                if not store_abilities(store).may_withdraw:
                    expected_refusal = "withdrawal_blocked"
                elif op[1] > StoreAccount.objects.get(store=store).available:
                    expected_refusal = "insufficient_balance"
            try:
                if op[0] == "pay":
                    pay_deposit(store, op[2], kind=op[1])
                elif op[0] == "deduct":
                    deposit_deduct(store=store, amount=op[2], cause_type="after_sale",
                                   cause_id=str(op[3]), actor=None, reason="赔付", account=op[1])
                elif op[0] == "adjust":
                    amount = op[2] if op[3] else -op[2]
                    deposit_adjust(account=DepositAccount.objects.get(store=store, kind=op[1]),
                                   amount=amount, actor=reviewer, reason="调整", token=f"t{n}")
                elif op[0] == "account":
                    amount = op[1] if op[2] else -op[1]
                    store_account_adjust(store=store, amount=amount, actor=reviewer,
                                         reason="调整", token=f"a{n}")
                else:
                    w = withdrawal_request(store=store, amount=op[1], actor=store.merchant,
                                           token=f"w{n}")
                    # Under the automatic amount it is paid at once; above it waits.
                    self.assertEqual(w.status, "paid" if op[1] <= Decimal("50") else "requested")
                    if op[2] and w.status == "requested":
                        withdrawal_reject(withdrawal=w, actor=reviewer, reason="不符")
            except ApplicationError as exc:
                refused = exc.code
            else:
                succeeded += 1
            # Refused exactly when the rules say so, and for that reason; a refused move
            # moves nothing.
            self.assertEqual(refused, expected_refusal, op)
            after = history()
            if refused:
                self.assertEqual(after, before)
            for old, new in zip(before, after, strict=True):
                self.assertEqual(new[: len(old)], old)  # nothing edited, nothing removed
        # Every payment, deduction and adjustment went through: most of the sequence.
        self.assertGreaterEqual(succeeded, sum(op[0] != "withdraw" for op in ops))
        report = ledgers_reconcile()
        self.assertEqual(report.problems, [])
        for model, entries in ((DepositAccount, DepositEntry), (StoreAccount, StoreAccountEntry)):
            for acc in model.objects.filter(store=store):
                amounts = list(entries.objects.filter(account=acc).values_list("amount", flat=True))
                self.assertEqual(acc.balance, sum(amounts, Decimal("0.00")))
        # Deductions happen once per cause and deposit.
        causes = list(DepositEntry.objects.filter(kind="deduction", account__store=store)
                      .values_list("account_id", "cause_id"))
        self.assertEqual(len(causes), len(set(causes)))
