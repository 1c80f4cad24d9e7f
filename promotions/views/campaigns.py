"""Merchant pages of platform campaigns (/seller/promotions/campaigns/): upcoming and running
campaigns with their requirements and where the store stands, one campaign with the
sign-up form (提报: a campaign price per SKU), the merchant's sign-ups, one sign-up with its
timeline, and withdrawing one (with a confirmation step)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.access import merchant_required
from common.errors import ApplicationError
from promotions.models import Campaign, CampaignEntry
from promotions.rules.campaigns import highest_allowed_price
from promotions.selectors.campaigns import (
    campaign_entries_for_merchant,
    campaign_entry_for_merchant,
    campaign_for_merchants,
    campaign_requirements,
    campaign_signup_products_for_merchant,
    campaigns_for_merchants,
)
from promotions.services import campaigns as services
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20


def _store(request):
    store = store_for_merchant(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
    return store


@merchant_required
def campaign_list(request):
    store = _store(request)
    if store is None:
        return redirect("seller:apply")
    now = timezone.now()
    campaigns = list(campaigns_for_merchants(now)[:50])
    rows = [{"campaign": c, "requirements": campaign_requirements(c, store, now)}
            for c in campaigns]
    status = request.GET.get("status", "")
    page = Paginator(campaign_entries_for_merchant(request.user, status=status),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "seller/promotions/campaigns/list.html", {
        "rows": rows, "page": page, "status": status,
        "statuses": CampaignEntry.Status.choices,
    })


def _grid(product, campaign, post=None, errors=None):
    errors = errors or {}
    rows = []
    for sku in product.skus.filter(is_active=True).order_by("pk"):
        key = f"sku-{sku.pk}-price"
        rows.append({"sku": sku, "name": key, "value": (post or {}).get(key, ""),
                     "error": errors.get(key, ""),
                     "max": highest_allowed_price(sku.price, campaign.max_price_percent)})
    return rows


def _campaign(pk) -> Campaign:
    try:
        return campaign_for_merchants(pk)
    except Campaign.DoesNotExist:
        raise Http404


@merchant_required
def campaign_detail(request, pk):
    """The campaign, where the store stands against each requirement, its sign-ups for it,
    and the sign-up form (choose a product, then a campaign price per SKU)."""
    store = _store(request)
    if store is None:
        return redirect("seller:apply")
    campaign = _campaign(pk)
    now = timezone.now()
    products = campaign_signup_products_for_merchant(request.user)
    product = None
    product_id = request.POST.get("product") or request.GET.get("product")
    if product_id:
        try:
            product = products.get(pk=int(product_id))
        except (ValueError, products.model.DoesNotExist):
            raise Http404
    open_ = campaign.status == Campaign.Status.SCHEDULED and campaign.starts_at > now
    grid = _grid(product, campaign, request.POST) if product else []
    error, failed = "", []
    if request.method == "POST" and product is not None and open_:
        items = [{"sku": row["sku"].pk, "campaign_price": row["value"]} for row in grid]
        try:
            entry = services.campaign_entry_submit(
                campaign=campaign, store=store, actor=request.user, product=product,
                items=items)
        except ApplicationError as exc:
            error = str(exc.message)
            failed = exc.extra.get("messages", [])
            if exc.extra.get("fields"):
                grid = _grid(product, campaign, request.POST, exc.extra["fields"])
        else:
            messages.success(request, _("Signed up. A reviewer will accept or reject it."))
            return redirect("seller_promotions:campaigns_entry", entry.pk)
    elif request.method == "POST":
        error = str(_("Sign-ups for this campaign are closed.")) if not open_ else str(
            _("Choose a product."))
    return render(request, "seller/promotions/campaigns/detail.html", {
        "campaign": campaign, "requirements": campaign_requirements(campaign, store, now),
        "open": open_, "products": products[:200], "product": product, "grid": grid,
        "error": error, "failed": failed,
        "entries": campaign_entries_for_merchant(request.user, campaign=campaign)[:50],
    }, status=400 if error else 200)


def _own_entry(request, pk) -> CampaignEntry:
    try:
        return campaign_entry_for_merchant(request.user, pk)
    except CampaignEntry.DoesNotExist:
        raise Http404


def _withdrawable(entry: CampaignEntry) -> bool:
    return entry.status == CampaignEntry.Status.PENDING or (
        entry.status == CampaignEntry.Status.ACCEPTED
        and entry.campaign.status == Campaign.Status.SCHEDULED)


@merchant_required
def campaign_entry_detail(request, pk):
    entry = _own_entry(request, pk)
    return render(request, "seller/promotions/campaigns/entry.html", {
        "entry": entry, "campaign": entry.campaign, "items": entry.items.all(),
        "events": entry.events.all(), "withdrawable": _withdrawable(entry),
    })


@merchant_required
def campaign_entry_withdraw(request, pk):
    """GET shows what will happen; POST with confirm=yes does it."""
    entry = _own_entry(request, pk)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(request, "seller/promotions/campaigns/withdraw_confirm.html",
                      {"entry": entry})
    try:
        services.campaign_entry_withdraw(entry=entry, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sign-up withdrawn."))
    return redirect("seller_promotions:campaigns_entry", entry.pk)


urlpatterns = [
    path("", campaign_list, name="campaigns"),
    path("<int:pk>/", campaign_detail, name="campaigns_detail"),
    path("entries/<int:pk>/", campaign_entry_detail, name="campaigns_entry"),
    path("entries/<int:pk>/withdraw/", campaign_entry_withdraw,
         name="campaigns_entry_withdraw"),
]
