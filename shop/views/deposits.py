"""Merchant pages: deposits (保证金), the store account (货款) with withdrawals, and
closing the store (关店退保证金). Each page validates, calls one service, redirects."""

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import merchant_required
from common.errors import ApplicationError
from common.money import CENT
from compliance.selectors import sellable_leaf_choices
from payments.providers import sandbox_enabled
from shop.models import DepositAccount, DepositEntry, StoreAccountEntry
from shop.rules import deposits as rules
from shop.selectors import deposits as selectors
from shop.selectors.stores import store_abilities, store_for_merchant
from shop.services import accounts as account_services
from shop.services import closure as closure_services
from shop.services import deposits as deposit_services

PAGE_SIZE = 20
MAX_PAGE = 500  # no deep OFFSET pages: narrow the filters instead


def _page(request, qs):
    try:
        number = min(int(request.GET.get("page", 1)), MAX_PAGE)
    except ValueError:
        number = 1
    return Paginator(qs, PAGE_SIZE).get_page(number)


def _store_or_none_page(request):
    store = store_for_merchant(request.user)
    if store is None:
        return None, render(request, "seller/deposits/no_store.html", status=404)
    return store, None


def _errors_to_messages(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# --- deposit --------------------------------------------------------------------------------
class EntryFilterForm(forms.Form):
    account = forms.ChoiceField(label=_("Deposit"), required=False,
                                choices=[("", _("All"))] + list(DepositAccount.Kind.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All"))] + list(DepositEntry.Kind.choices))
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


class WhatIfForm(forms.Form):
    """The deposit page's what-if: last month's sales and/or one more category."""

    sales = forms.DecimalField(label=_("If last month's sales were (CNY)"), required=False,
                               min_value=0, max_value=10**12, max_digits=15, decimal_places=2)
    category = forms.TypedChoiceField(label=_("If I add the category"), coerce=int,
                                      required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="whatif", **kwargs)
        self.fields["category"].choices = [("", "---------"), *sellable_leaf_choices()]

    def clean(self):
        data = super().clean()
        if data.get("sales") is None and data.get("category") is None:
            raise forms.ValidationError(_("Enter a sales figure or choose a category."))
        return data


def _what_if(request, store, states):
    """The what-if form and, when it is valid, each deposit's explanation under it, by
    the same rule function as the page's own explanation."""
    bound = any(key.startswith("whatif-") for key in request.GET)
    form = WhatIfForm(request.GET if bound else None)
    if not bound or not form.is_valid():
        return form, None
    extra = []
    category_name = ""
    if form.cleaned_data["category"] is not None:
        category = selectors.category_deposit(form.cleaned_data["category"])
        if category is not None:
            extra.append(category)
            category_name = category.name
    explanations = selectors.deposit_explanations(
        store, sales=form.cleaned_data["sales"], extra_categories=extra)
    now = {state.account.kind: state.live_required for state in states}
    return form, {
        "sales": form.cleaned_data["sales"], "category": category_name,
        "results": [{
            "kind": kind, "label": DepositAccount.Kind(kind).label, "amount": e.amount,
            "now": now.get(kind), "applies": e.applies,
            "rows": selectors.explanation_rows(e), "verdict": selectors.explanation_verdict(e),
        } for kind, e in explanations.items()],
    }


class PayForm(forms.Form):
    kind = forms.ChoiceField(label=_("Deposit"), choices=DepositAccount.Kind.choices)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2,
                                min_value=CENT)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


@merchant_required
def deposit_page(request):
    store, response = _store_or_none_page(request)
    if response:
        return response
    states = selectors.deposit_states(store)
    explanations = selectors.deposit_explanations(store)
    for state in states:
        state.series = selectors.balance_series(state.account)
        state.chart = rules.balance_chart(state.series)
        explanation = explanations[state.account.kind]
        state.rules = selectors.explanation_rows(explanation)
        state.verdict = selectors.explanation_verdict(explanation)
        state.pay_form = PayForm(auto_id=f"id_pay_{state.account.kind}_%s", initial={
            "kind": state.account.kind, "amount": state.to_pay or None,
            "token": uuid.uuid4().hex,
        })
    ledger_query = {k: v for k, v in request.GET.items() if not k.startswith("whatif-")}
    form = EntryFilterForm(ledger_query or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.deposit_entries_for_merchant(
        request.user, account_kind=filters.get("account", ""), kind=filters.get("kind", ""),
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
    )
    what_if_form, what_if = _what_if(request, store, states)
    return render(request, "seller/deposits/deposit.html", {
        "store": store, "states": states, "form": form, "page": _page(request, entries),
        "what_if_form": what_if_form, "what_if": what_if,
        "abilities": store_abilities(store),
        "adjustments": selectors.latest_adjustments(store),
        "pending_payins": selectors.payins_for_merchant(request.user).filter(status="pending")[:5],
    })


@merchant_required
@require_POST
def deposit_pay(request):
    store, response = _store_or_none_page(request)
    if response:
        return response
    form = PayForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("seller:deposit")
    try:
        payin, _info = deposit_services.deposit_payin_start(
            store=store, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("seller:deposit")
    return redirect("seller:deposit_payin", pk=payin.pk)


@merchant_required
def deposit_payin(request, pk):
    payin = get_object_or_404(selectors.payins_for_merchant(request.user), pk=pk)
    return render(request, "seller/deposits/payin.html", {
        "payin": payin,
        "sandbox": payin.payment is not None and payin.payment.provider == "sandbox"
        and sandbox_enabled(),
    })


@merchant_required
@require_POST
def deposit_payin_confirm(request, pk):
    """Sandbox cashier: the sandbox posts its signed callback, as a real provider would.
    Only where the sandbox is enabled (never in production): elsewhere there is no such
    page, so a merchant cannot credit a deposit without paying."""
    if not sandbox_enabled():
        raise Http404
    payin = get_object_or_404(selectors.payins_for_merchant(request.user), pk=pk)
    try:
        deposit_services.deposit_payin_sandbox_confirm(payin)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("seller:deposit_payin", pk=pk)
    messages.success(request, _("Payment received. Thank you."))
    return redirect("seller:deposit")


# --- store account ------------------------------------------------------------------------------
class AccountFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All"))] + list(StoreAccountEntry.Kind.choices))
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


class WithdrawForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2,
                                min_value=CENT)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("I confirm: pay this amount out of the store account"),
        error_messages={"required": _("Tick “I confirm” to request the withdrawal.")},
    )


@merchant_required
def account_page(request):
    store, response = _store_or_none_page(request)
    if response:
        return response
    account = selectors.store_account_or_blank(store)
    series = selectors.balance_series(account)
    form = AccountFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.store_account_entries_for_merchant(
        request.user, kind=filters.get("kind", ""), date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return render(request, "seller/deposits/account.html", {
        "store": store, "account": account, "form": form, "page": _page(request, entries),
        "abilities": store_abilities(store),
        "withdraw_form": WithdrawForm(initial={"token": uuid.uuid4().hex}),
        "withdrawals": selectors.withdrawals_for_merchant(request.user)[:10],
        "chart": rules.balance_chart(series), "series": series,
    })


@merchant_required
@require_POST
def account_withdraw(request):
    store, response = _store_or_none_page(request)
    if response:
        return response
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        _errors_to_messages(request, form)
        return redirect("seller:account")
    try:
        withdrawal = account_services.withdrawal_request(
            store=store, actor=request.user, amount=form.cleaned_data["amount"],
            token=form.cleaned_data["token"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if withdrawal.status == withdrawal.Status.PAID:
            messages.success(request, _("Withdrawal paid out."))
        elif withdrawal.status == withdrawal.Status.PAYING:
            messages.success(request, _("Withdrawal approved; the payment provider is paying "
                                        "it out."))
        elif withdrawal.status == withdrawal.Status.FAILED:
            messages.error(request, _("The payout failed; the money is back on your account."))
        else:
            messages.success(request, _("Withdrawal requested; a reviewer will pay it out."))
    return redirect("seller:account")


# --- closure ------------------------------------------------------------------------------------
class ClosureForm(forms.Form):
    refund_store_deposit = forms.BooleanField(
        label=_("Refund the store deposit (closes own-product selling)"), required=False)
    refund_promotion_deposit = forms.BooleanField(
        label=_("Refund the promotion deposit (closes other-platform products)"), required=False)
    reason = forms.CharField(label=_("Why are you closing? (optional)"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if not (data.get("refund_store_deposit") or data.get("refund_promotion_deposit")):
            raise forms.ValidationError(_("Choose at least one deposit to refund."))
        return data

    def kinds(self):
        data = self.cleaned_data
        kinds = []
        if data.get("refund_store_deposit"):
            kinds.append(DepositAccount.Kind.STORE)
        if data.get("refund_promotion_deposit"):
            kinds.append(DepositAccount.Kind.PROMOTION)
        return kinds


def _closure_context(request, store, form):
    pending = selectors.closure_pending(store)
    if pending is not None:
        kinds = pending.deposit_kinds
    elif form.is_bound and form.is_valid():
        kinds = form.kinds()
    else:
        kinds = [DepositAccount.Kind.STORE, DepositAccount.Kind.PROMOTION]
    conditions = selectors.closure_checklist(store, kinds=kinds, application=pending)
    states = [(c.code, c.state) for c in conditions]
    return {
        "store": store, "form": form, "pending": pending, "conditions": conditions,
        "refunding": pending is not None and pending.status == pending.Status.REFUNDING,
        "may_apply": pending is None and rules.closure_may_apply(states),
        "applications": selectors.closure_application_for_merchant(request.user)
        .prefetch_related("events")[:5],
        "now": timezone.now(),
    }


@merchant_required
def closure_page(request):
    store, response = _store_or_none_page(request)
    if response:
        return response
    form = ClosureForm(request.GET or None, initial={
        "refund_store_deposit": True, "refund_promotion_deposit": True})
    return render(request, "seller/deposits/closure.html", _closure_context(request, store, form))


@merchant_required
@require_POST
def closure_apply(request):
    """Two steps: the first post shows what will happen; the second (confirm=yes) applies."""
    store, response = _store_or_none_page(request)
    if response:
        return response
    form = ClosureForm(request.POST)
    if not form.is_valid():
        context = _closure_context(request, store, form)
        return render(request, "seller/deposits/closure.html", context, status=400)
    if request.POST.get("confirm") != "yes":
        context = _closure_context(request, store, form)
        if not context["may_apply"]:
            messages.error(request, _("Some conditions still block the closure."))
            return render(request, "seller/deposits/closure.html", context, status=400)
        context["kinds"] = form.kinds()
        context["balances"] = {a.kind: a for a in store.deposit_accounts.all()}
        return render(request, "seller/deposits/closure_confirm.html", context)
    try:
        closure_services.closure_apply(store=store, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Closure applied for. The notice is now on your store page."))
    return redirect("seller:closure")


@merchant_required
@require_POST
def closure_withdraw(request, pk):
    application = get_object_or_404(
        selectors.closure_application_for_merchant(request.user), pk=pk)
    try:
        closure_services.closure_withdraw(application=application, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Closure application withdrawn; your store is open again."))
    return redirect("seller:closure")




urlpatterns = [
    path("deposit/", deposit_page, name="deposit"),
    path("deposit/pay/", deposit_pay, name="deposit_pay"),
    path("deposit/payments/<int:pk>/", deposit_payin, name="deposit_payin"),
    path("deposit/payments/<int:pk>/sandbox-pay/", deposit_payin_confirm,
         name="deposit_payin_confirm"),
    path("account/", account_page, name="account"),
    path("account/withdraw/", account_withdraw, name="account_withdraw"),
    path("closure/", closure_page, name="closure"),
    path("closure/apply/", closure_apply, name="closure_apply"),
    path("closure/<int:pk>/withdraw/", closure_withdraw, name="closure_withdraw"),
]
