"""The support agents' arbitration workbench (/support/): the queue of escalated cases by
their handling clock, and a case with the order, items, payments, tracking, the whole
timeline, both sides' evidence and messages, the handbook standards checked against the
facts, and the ruling form (fee payers suggested by the rules, override with a reason)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import roles
from common.access import agent_required
from common.errors import ApplicationError
from common.keyset import keyset_page
from disputes import forms, presentation, rules, selectors, services
from disputes.api.views import serve_attachment
from disputes.models import AfterSaleAttachment, AfterSaleRequest
from shop.models import Store

PAGE_SIZE = 25


@agent_required
def queue(request):
    form = forms.CaseFilterForm(request.GET or None)
    filters = {"state": "open", "assigned": "", "store": None}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters["state"] = data["state"] or "open"
        filters["assigned"] = data["assigned"]
        if data["store"]:
            store_id = (Store.objects.filter(slug=data["store"].strip())
                        .values_list("pk", flat=True).first())
            filters["store"] = store_id or -1
    qs = selectors.cases_for_agent(request.user, **filters)
    keys, nullable = selectors.agent_queue_keys(filters["state"])
    page = keyset_page(qs, keys=keys, size=PAGE_SIZE, after=request.GET.get("after", ""),
                       before=request.GET.get("before", ""), nullable=nullable)
    return render(request, "support/queue.html", {
        "form": form, "page": page, "now": timezone.now(),
        "query": {k: v for k, v in request.GET.items() if k not in ("after", "before")},
    })


def _load(request, pk) -> AfterSaleRequest:
    try:
        return selectors.case_detail_for_agent(request.user, pk)
    except AfterSaleRequest.DoesNotExist:
        raise Http404


def _case_page(request, case, *, ruling_form=None, status=200):
    now = timezone.now()
    order = selectors.case_order(case)
    facts = selectors.case_facts(case, order, now=now)
    fee = services.fee_suggestion(case, fault=rules.implied_fault(case.reason))
    return render(request, "support/case.html", {
        "r": case, "order": order, "now": now,
        "checks": [(rules.TOPICS[c.topic], c) for c in rules.handbook_checks(facts)],
        "fee": fee, "fee_basis": rules.FEE_BASIS_LABELS[fee.basis],
        "fee_rule_line": presentation.fee_rule_line(case, fee),
        "fee_table": rules.FEE_BASIS_LABELS,
        "deadlines": presentation.deadline_rows(case),
        "ruling": next((x for x in case.rulings.all() if x.reopened_at is None), None),
        "past_rulings": [x for x in case.rulings.all() if x.reopened_at is not None],
        "refundable": selectors.line_refundable_amount(case.line),
        "ruling_form": selectors.ruling_form_gift_cap(
            ruling_form or forms.RulingForm(initial=selectors.ruling_initial(case)), case),
        "assign_form": forms.AssignForm(agents=selectors.agents()),
        "message_form": forms.MessageForm(auto_id="message-%s"),
        "attachment_url": "support:attachment",
        "is_mine": case.agent_id == request.user.pk,
        "may_hand_over": case.agent_id == request.user.pk
        or roles.has_role(request.user, roles.SUPPORT_LEAD),
    }, status=status)


@agent_required
def case_detail(request, pk):
    return _case_page(request, _load(request, pk))


def _done(request, pk, call, success):
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("support:case", pk=pk)


@agent_required
@require_POST
def case_take(request, pk):
    case = _load(request, pk)
    return _done(request, pk, lambda: services.after_sale_case_take(request=case,
                                                                    actor=request.user),
                 _("The case is yours."))


@agent_required
@require_POST
def case_assign(request, pk):
    case = _load(request, pk)
    form = forms.AssignForm(request.POST, agents=selectors.agents())
    if not form.is_valid():
        messages.error(request, _("Choose a support agent and say why you hand the case "
                                  "over."))
        return redirect("support:case", pk=pk)
    return _done(request, pk, lambda: services.after_sale_case_assign(
        request=case, actor=request.user, agent=form.cleaned_data["agent"],
        reason=form.cleaned_data["reason"]),
        _("The case was handed over."))


@agent_required
@require_POST
def case_message(request, pk):
    case = _load(request, pk)
    form = forms.MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The message could not be sent."))
        return redirect("support:case", pk=pk)
    return _done(request, pk, lambda: services.after_sale_message_post(
        request=case, actor=request.user, text=form.cleaned_data["text"],
        files=form.cleaned_data["images"]), _("Message sent to both sides."))


@agent_required
@require_POST
def case_rule(request, pk):
    case = _load(request, pk)
    form = forms.RulingForm(request.POST)
    if form.is_valid() and request.POST.get("confirm") != "1":
        # A ruling moves money and ends the case: issued only with "I confirm" ticked.
        form.add_error(None, _("Tick “I confirm” to issue the ruling."))
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.ruling_issue(
                request=case, actor=request.user, outcome=data["outcome"], fault=data["fault"],
                reasoning=data["reasoning"], return_required=data["return_required"],
                amount=data["amount"], gift_deduction=data["gift_deduction"] or 0,
                postage_deduction=data["postage_deduction"] or 0,
                refusal_has_reason=data["refusal_has_reason"],
                agreed_payer=data["agreed_payer"], outbound_payer=data["outbound_payer"],
                return_payer=data["return_payer"],
                fee_override_reason=data["fee_override_reason"],
                platform_pays_first=data["platform_pays_first"])
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Ruling issued; both sides can see it."))
            return redirect("support:case", pk=pk)
    return _case_page(request, _load(request, pk), ruling_form=form, status=400)


@agent_required
def case_next(request):
    """The agent's next case by the clock (their own first), after the one just ruled."""
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        after = None
    case = selectors.next_case_for_agent(request.user, after=after)
    if case is None:
        messages.info(request, _("No other case is waiting for you."))
        return redirect("support:queue")
    return redirect("support:case", pk=case.pk)


@agent_required
def attachment(request, pk):
    try:
        row = selectors.attachment_for_agent(request.user, pk)
    except AfterSaleAttachment.DoesNotExist:
        raise Http404
    return serve_attachment(row)
