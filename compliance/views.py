"""Merchant pages of compliance: the qualification center (what my categories need,
status, expiry countdown, upload), one qualification with its timeline, its files, and the
review status of my product submissions."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common import roles
from common.access import get_owned_or_404, merchant_required
from common.errors import ApplicationError
from common.uploads import private_file_response
from compliance import presentation, selectors, services
from compliance.forms import QualificationTypeForm, QualificationUploadForm
from compliance.models import Qualification, QualificationFile, QualificationType, ScreeningRule
from compliance.presentation import highlighted_listing
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20


def _store(request):
    return store_for_merchant(request.user)


def _no_store(request):
    messages.info(request, _("Open your store first: send an application."))
    return redirect("seller:dashboard")


@merchant_required
def center(request):
    store = _store(request)
    if store is None:
        return _no_store(request)
    now = timezone.now()
    qualifications = list(selectors.merchant_qualifications(request.user).order_by("-submitted_at"))
    for q in qualifications:
        q.details_summary = presentation.qualification_details_summary(q.type.code, q.details)
    expiring = [
        q for q in qualifications
        if q.status == Qualification.Status.APPROVED and q.warned_at is not None
    ]
    return render(
        request,
        "seller/compliance/center.html",
        {
            "store": store,
            "requirements": selectors.store_requirements(store, now=now),
            "qualifications": qualifications,
            "expiring": expiring,
            "type_rows": selectors.qualification_types_with_categories(),
            "now": now,
        },
    )


def _chosen_type(request):
    raw = request.POST.get("type") if request.method == "POST" else None
    raw = raw or request.GET.get("type")
    if not raw or not str(raw).isdigit():
        return None, raw
    return QualificationType.objects.filter(pk=raw).first(), raw


@merchant_required
def qualification_upload(request):
    """Two steps without scripts: choose the type (a GET form), then fill in the form of
    that type, with its own details (the chain of a brand authorisation, both customs
    papers ...)."""
    store = _store(request)
    if store is None:
        return _no_store(request)
    qualification_type, raw = _chosen_type(request)
    if qualification_type is None:
        chooser = QualificationTypeForm({"type": raw} if raw else None)
        if raw:
            chooser.is_valid()  # names the unknown type
        return render(request, "seller/compliance/upload_type.html", {
            "form": chooser, "types": QualificationType.objects.order_by("code"),
        })
    form = QualificationUploadForm(
        request.POST or None, request.FILES or None, qualification_type=qualification_type
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            qualification = services.qualification_submit(
                store=store, type=qualification_type, number=data.get("number", ""),
                issuer=data["issuer"], valid_from=data.get("valid_from"),
                valid_until=data.get("valid_until"), details=form.details(),
                files=data["files"], actor=request.user,
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, _("Qualification submitted for review."))
            return redirect("seller_compliance:qualification", pk=qualification.pk)
    return render(request, "seller/compliance/upload.html", {
        "form": form, "qtype": qualification_type,
        "registered_name": store.application.registered_name,
    })


@merchant_required
def qualification_detail(request, pk):
    qualification = get_owned_or_404(selectors.merchant_qualifications(request.user), pk=pk)
    return render(
        request,
        "seller/compliance/qualification.html",
        {
            "q": qualification,
            "detail_rows": presentation.qualification_detail_rows(
                qualification.type.code, qualification.details
            ),
            "chain": presentation.qualification_chain(
                qualification.details, today=timezone.localdate()
            ),
            "events": selectors.merchant_qualification_events(request.user, qualification),
            "now": timezone.now(),
        },
    )


def merchant_or_reviewer_file(request, files, pk, *, perm, merchant_lookup):
    """The stored file `pk` of `files` (rows with `file`, `content_type` and
    `original_name`) as a download: reviewers (staff with `perm`) get any; a merchant only
    their own (`merchant_lookup` leads from the row to its store's merchant); anyone else
    gets 404, and a visitor not logged in goes to the login page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("seller:login"))
    user = request.user
    if not (user.is_staff and user.has_perm(perm)):
        if not roles.has_role(user, roles.MERCHANT):
            raise Http404
        files = files.filter(**{merchant_lookup: user})
    row = get_owned_or_404(files, pk=pk)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return private_file_response(
        handle,
        content_type=row.content_type,
        filename=row.original_name or row.file.name.rsplit("/", 1)[-1],
    )


def qualification_file(request, pk):
    """A qualification's file, for its merchant and for reviewers; anyone else gets 404."""
    return merchant_or_reviewer_file(
        request, QualificationFile.objects.select_related("qualification__store"), pk,
        perm="compliance.view_qualification", merchant_lookup="qualification__store__merchant")


@merchant_required
def product_reviews(request):
    page = Paginator(selectors.merchant_product_revisions(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    academy = dict(
        ScreeningRule.objects.exclude(academy_url="").values_list("code", "academy_url")
    )
    rows = []
    for revision in page.object_list:
        hits = [{**h, "academy_url": academy.get(h.get("rule"), "")} for h in revision.screening_hits]
        rows.append(
            {
                "revision": revision,
                "hits": hits,
                "fields": [f for f in highlighted_listing(revision.payload, hits) if f.hits],
            }
        )
    return render(request, "seller/compliance/reviews.html", {"page": page, "rows": rows})
