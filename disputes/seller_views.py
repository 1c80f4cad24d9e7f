"""Merchant after-sale pages (/seller/after-sales/): the list ordered by the nearest clock,
a request with its timeline, countdowns and the allowed actions only (a disabled one says
why), and the return address. Another store's request is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.access import merchant_required
from common.errors import ApplicationError
from common.keyset import CappedCount, keyset_page
from disputes import forms, presentation, rules, selectors, services
from disputes.api.views import serve_attachment
from disputes.models import AfterSaleAttachment, AfterSaleRequest
from shop.rules.orders import buyer_masked
from shop.selectors.orders import LIST_COUNT_CAP, merchant_store_ids
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20


def _list_selection(request, store_ids, counts):
    """The list's filters and view from the query string: (form, view, rows, keys)."""
    form = forms.RequestFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    view = request.GET.get("view", "")
    if filters.get("status") in rules.FINAL_STATUSES:
        view = "all"  # a finished status is not among the open requests
    if view not in ("open", "all"):
        # what needs the merchant first: the open requests by their clock, if any
        view = "open" if any(counts.values()) and not any(filters.values()) else "all"
    qs, keys = selectors.merchant_request_view(selectors.merchant_requests(store_ids), view)
    if filters:
        qs = selectors.request_filter(qs, **filters)
    return form, view, qs, keys


@merchant_required
def request_list(request):
    store_ids = merchant_store_ids(request.user)
    counts = selectors.merchant_request_counts(store_ids, selectors.LIST_COUNTED,
                                               cap=LIST_COUNT_CAP)
    form, view, qs, keys = _list_selection(request, store_ids, counts)
    page = keyset_page(qs, keys=keys, size=PAGE_SIZE, after=request.GET.get("after", ""),
                       before=request.GET.get("before", ""),
                       nullable=selectors.NULLABLE_KEYS)
    for row in page.object_list:
        row.buyer_masked = buyer_masked(row.buyer.get_username())
    return render(request, "seller/aftersales/list.html", {
        "form": form, "page": page, "view": view,
        "counts": {status: CappedCount(n, LIST_COUNT_CAP) for status, n in counts.items()},
        "query": {k: v for k, v in request.GET.items() if k not in ("after", "before")},
        "now": timezone.now(),
        "has_address": selectors.stores_have_return_address(store_ids),
    })


def _load(request, pk) -> AfterSaleRequest:
    try:
        return selectors.request_detail_for_merchant(request.user, pk)
    except AfterSaleRequest.DoesNotExist:
        raise Http404


@merchant_required
def request_detail(request, pk):
    obj = _load(request, pk)
    return render(request, "seller/aftersales/detail.html", {
        "r": obj,
        "deadlines": presentation.deadline_rows(obj),
        "actions": presentation.merchant_action_rows(obj),
        "ruling": next((x for x in obj.rulings.all() if x.reopened_at is None), None),
        "has_address": selectors.merchant_return_address(obj.store) is not None,
        # One page holds several forms: distinct ids, same field names.
        "contact_form": forms.ContactForm(auto_id="contact-%s"),
        "reason_form": forms.ReasonForm(auto_id="reject-%s"),
        "escalate_form": forms.ReasonForm(auto_id="escalate-%s"),
        "offline_form": forms.OfflineForm(auto_id="offline-%s"),
        "ship_form": forms.ShipForm(auto_id="reship-%s"),
        "message_form": forms.MessageForm(auto_id="message-%s"),
        "evidence_form": forms.EvidenceForm(auto_id="evidence-%s"),
        "attachment_url": "seller_aftersales:attachment", "now": timezone.now(),
        "refund_confirm_label": _("I confirm: refund the buyer now (this cannot be undone)"),
        "receipt_confirm_label": (
            _("I confirm: the returned goods arrived; the replacement is shipped next")
            if obj.resolution == obj.Resolution.EXCHANGE else
            _("I confirm: the returned goods arrived; refund the buyer now (this cannot be "
              "undone)")),
    })


def _call(request, obj, form_class, call, done):
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    try:
        call(obj, form.cleaned_data if form else {})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


ACTIONS = {
    "contact": (forms.ContactForm, lambda r, o, d: services.after_sale_request_contact(
        request=o, actor=r.user, message=d["message"]), _("Marked as contacted.")),
    "approve_return": (None, lambda r, o, d: services.after_sale_request_approve(
        request=o, actor=r.user, return_required=True),
        _("Approved: the buyer has your return address.")),
    "approve_refund": (None, lambda r, o, d: services.after_sale_request_approve(
        request=o, actor=r.user, return_required=False), _("Approved and refunded.")),
    "reject": (forms.ReasonForm, lambda r, o, d: services.after_sale_request_reject(
        request=o, actor=r.user, reason=d["reason"]), _("Rejected.")),
    "confirm_receipt": (None, lambda r, o, d: services.after_sale_request_confirm_receipt(
        request=o, actor=r.user), _("Receipt confirmed.")),
    "reship": (forms.ShipForm, lambda r, o, d: services.after_sale_request_reship(
        request=o, actor=r.user, **d), _("Replacement shipped.")),
    "agree_cancel": (forms.OfflineForm, lambda r, o, d:
                     services.after_sale_request_propose_offline(request=o, actor=r.user,
                                                                 reason=d["reason"]),
                     _("Proposed to the buyer; the request is cancelled when they agree.")),
    "accept_ruling": (None, lambda r, o, d: services.after_sale_request_accept_ruling(
        request=o, actor=r.user), _("Ruling accepted: the buyer has your return address.")),
    "escalate": (forms.ReasonForm, lambda r, o, d: services.after_sale_request_escalate(
        request=o, actor=r.user, reason=d["reason"]), _("Platform support will step in.")),
    "message": (forms.MessageForm, lambda r, o, d: services.after_sale_message_post(
        request=o, actor=r.user, text=d["text"], files=d["images"]), _("Message sent.")),
    "evidence": (forms.EvidenceForm, lambda r, o, d: services.after_sale_evidence_add(
        request=o, actor=r.user, kind=d["kind"], note=d["note"], files=d["files"]),
        _("Evidence added.")),
}


# Actions that pay the buyer (confirming receipt of a return refunds it): done only with
# the "I confirm" box ticked (checked here, so it holds without JavaScript).
CONFIRMED_ACTIONS = {
    "approve_refund": gettext_lazy("Tick “I confirm” to refund the buyer."),
    "confirm_receipt": gettext_lazy(
        "Tick “I confirm” to confirm that the returned goods arrived."),
}


@merchant_required
@require_POST
def request_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    obj = _load(request, pk)
    if action in CONFIRMED_ACTIONS and request.POST.get("confirm") != "1":
        messages.error(request, CONFIRMED_ACTIONS[action])
        return redirect("seller_aftersales:detail", pk=pk)
    form_class, call, done = ACTIONS[action]
    _call(request, obj, form_class, lambda o, d: call(request, o, d), done)
    return redirect("seller_aftersales:detail", pk=pk)


@merchant_required
def attachment(request, pk):
    try:
        row = selectors.attachment_for_merchant(request.user, pk)
    except AfterSaleAttachment.DoesNotExist:
        raise Http404
    return serve_attachment(row)


@merchant_required
def return_address(request):
    store = store_for_merchant(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
        return redirect("seller:dashboard")
    current = selectors.merchant_return_address(store)
    form = forms.ReturnAddressForm(request.POST or None,
                                   initial=current.as_dict() if current else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.merchant_return_address_set(store=store, actor=request.user,
                                                 address=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Return address saved."))
            return redirect("seller_aftersales:return_address")
    return render(request, "seller/aftersales/return_address.html",
                  {"form": form, "current": current})
