"""Merchant pages of enforcement: the credit page (score, history chart, restrictions in
force with their countdowns, violations) and one violation with its appeal."""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.access import get_owned_or_404, merchant_required
from common.errors import ApplicationError
from compliance.enforcement import rules, sampling, selectors, services
from compliance.enforcement.forms import AppealForm
from compliance.enforcement.models import (
    SamplingFile,
    SamplingInspection,
    Violation,
    ViolationFile,
)
from compliance.views import merchant_or_reviewer_file
from payments.providers import sandbox_enabled

PAGE_SIZE = 20


def _store_or_redirect(request):
    store = selectors.merchant_store(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
    return store


def _appeal(request, may_appeal, appeal, *, refused, page, pk):
    """The appeal form of a merchant's page (a violation, an inspection result) and what a
    POST does with it: where it `may_appeal`, the form goes to `appeal` (text, files and
    actor=request.user); where it may not, `refused` is said. Returns the form (None where
    it may not appeal) and the redirect back to `page` (None: show the page)."""
    form = AppealForm(request.POST or None, request.FILES or None) if may_appeal else None
    if request.method == "POST":
        if form is None:
            messages.error(request, refused)
            return form, redirect(page, pk=pk)
        if form.is_valid():
            try:
                appeal(actor=request.user, text=form.cleaned_data["text"],
                       files=form.cleaned_data["files"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your appeal was sent to the reviewers."))
                return form, redirect(page, pk=pk)
    return form, None


@merchant_required
def credit(request):
    store = _store_or_redirect(request)
    if store is None:
        return redirect("seller:dashboard")
    now = timezone.now()
    year = rules.score_year(now, services.platform_tz())
    history = selectors.credit_history_of_year(store, year)
    points = [(rules.year_start(year, services.platform_tz()), services.initial_score())]
    points += [(e.at, e.score_after) for e in history if e.kind != "reset"]
    page = Paginator(selectors.merchant_violations(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "seller/compliance/credit.html", {
        "score": selectors.credit_score_of(store, now), "year": year,
        "initial": services.initial_score(),
        "chart": rules.score_chart(points + [(now, points[-1][1])],
                                   top=services.initial_score()),
        "history": list(reversed(history)),
        "restrictions": selectors.merchant_restrictions_in_force(request.user, now),
        "page": page, "now": now,
    })


@merchant_required
def violation_detail(request, pk):
    violation = get_owned_or_404(selectors.merchant_violations(request.user), pk=pk)
    now = timezone.now()
    may_appeal = violation.status == Violation.Status.IN_FORCE and now <= violation.appeal_by
    form, response = _appeal(
        request, may_appeal, partial(services.violation_appeal, violation=violation),
        refused=_("This violation cannot be appealed now."),
        page="seller_compliance:violation", pk=pk)
    if response is not None:
        return response
    return render(request, "seller/compliance/violation.html", {
        "v": violation, "form": form, "now": now,
        "events": violation.events.select_related("actor"),
        "files": violation.files.all(),
        "restrictions": violation.restrictions.all(),
    })


def violation_file(request, pk):
    """A violation's file, for its merchant and for reviewers; anyone else gets 404."""
    return merchant_or_reviewer_file(
        request, ViolationFile.objects.select_related("violation__store"), pk,
        perm="compliance.view_violation", merchant_lookup="violation__store__merchant")


# --- sampling inspection notices ---------------------------------------------------------------
@merchant_required
def inspections(request):
    page = Paginator(selectors.merchant_inspections(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "seller/compliance/inspections.html",
                  {"page": page, "now": timezone.now()})


@merchant_required
def inspection_detail(request, pk):
    inspection = get_owned_or_404(selectors.merchant_inspections(request.user), pk=pk)
    now = timezone.now()
    may_appeal = (inspection.status == SamplingInspection.Status.FAILED
                  and now <= inspection.appeal_by)
    form, response = _appeal(
        request, may_appeal, partial(sampling.inspection_appeal, inspection=inspection),
        refused=_("This result cannot be appealed now."),
        page="seller_compliance:inspection", pk=pk)
    if response is not None:
        return response
    return render(request, "seller/compliance/inspection.html", {
        "i": inspection, "form": form, "now": now,
        "events": inspection.events.select_related("actor"),
        "files": inspection.files.all(),
        "fee_due": inspection.status == SamplingInspection.Status.FEE_DUE
        and now <= inspection.fee_due_by,
        "sandbox": sandbox_enabled(),
    })


@merchant_required
@require_POST
def inspection_fee_pay(request, pk):
    """Pay the re-inspection fee (the sandbox cashier where the sandbox is enabled)."""
    inspection = get_owned_or_404(selectors.merchant_inspections(request.user), pk=pk)
    try:
        if sandbox_enabled():
            sampling.inspection_fee_sandbox_confirm(inspection=inspection, actor=request.user)
            messages.success(request, _("Payment received. Thank you."))
        else:
            sampling.inspection_fee_payment_start(inspection=inspection, actor=request.user)
            messages.info(request, _("Payment started: complete it at the payment provider."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("seller_compliance:inspection", pk=pk)


def inspection_file(request, pk):
    """An inspection's file, for its merchant and for reviewers; anyone else gets 404."""
    return merchant_or_reviewer_file(
        request, SamplingFile.objects.select_related("inspection__store"), pk,
        perm="compliance.view_samplinginspection", merchant_lookup="inspection__store__merchant")
