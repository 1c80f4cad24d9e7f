"""Platform-campaign reads: the requirements a store meets or not, the merchant's campaigns
and sign-ups (scoped), and what buyers see (running campaigns, a product's badge and price)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from common import config
from common.money import format_cny
from compliance.enforcement import rules as enforcement_rules
from compliance.enforcement.selectors import restriction_message, restrictions_for
from promotions.models import Campaign, CampaignEntry, CampaignEntryItem
from promotions.rules.campaigns import (
    ACCEPTED,
    RUNNING,
    SCHEDULED,
    category_eligible,
    dsr_shortfalls,
)
from shop.models import Product, Store
from shop.rules.orders import DSR_DIMENSIONS
from shop.selectors.deposits import deposits_paid
from shop.selectors.orders import store_dsr

Status = Campaign.Status


@dataclass
class Requirement:
    """One requirement of a campaign as a store stands against it: `label` says what is
    required, `detail` why it is not met (empty when met or not yet known)."""

    code: str
    label: str
    met: bool | None  # None: decided per product at sign-up (category, discount)
    detail: str = ""
    lines: list = field(default_factory=list)


def _dsr_label(name: str) -> str:
    return {"description": _("description"), "service": _("service"),
            "logistics": _("logistics")}[name]


def campaign_category_names(campaign: Campaign) -> list[str]:
    return [c.name for c in campaign.categories.all()]


def campaign_requirements(campaign: Campaign, store: Store | None,
                          now: datetime) -> list[Requirement]:
    """The campaign's requirements, each with whether the store meets it now. The category
    and the discount depend on the product and the prices: they are listed (met=None) and
    checked at sign-up. Without a store, only what is required."""
    out = [Requirement("store_open", _("The store is open"),
                       None if store is None else store.status == Store.Status.OPEN)]
    if store is not None and not out[0].met:
        out[0].detail = _("The store is not open.")
    names = campaign_category_names(campaign)
    out.append(Requirement(
        "category", _("Products in: %(names)s") % {"names": "、".join(names)} if names
        else _("Products of any category"), None))
    if campaign.min_dsr is not None:
        req = Requirement("min_dsr", _("DSR at least %(min)s in description, service and "
                                       "logistics") % {"min": campaign.min_dsr}, None)
        if store is not None:
            dsr = store_dsr(store, now)
            min_ratings = config.get("campaign.dsr_min_ratings")
            short = dsr_shortfalls(dsr, campaign.min_dsr, DSR_DIMENSIONS, min_ratings)
            req.met = not short
            if short and (dsr.get("count") or 0) < min_ratings:
                req.detail = _("Your store has %(count)s ratings in the last %(days)s days; "
                               "a DSR needs at least %(min)s.") % {
                    "count": dsr.get("count") or 0, "days": dsr["window_days"],
                    "min": min_ratings}
            elif short:
                req.detail = _("Your DSR is below %(min)s in: %(dims)s.") % {
                    "min": campaign.min_dsr,
                    "dims": "、".join(f"{_dsr_label(n)} {dsr[n] if dsr[n] is not None else '—'}"
                                     for n in short)}
        out.append(req)
    if campaign.max_price_percent is not None:
        out.append(Requirement(
            "discount", _("Campaign price at most %(pct)s%% of the regular price")
            % {"pct": campaign.max_price_percent}, None))
    else:
        out.append(Requirement("discount", _("Campaign price below the regular price"), None))
    if campaign.require_no_restriction:
        req = Requirement("campaign_restriction",
                          _("No restriction on campaign sign-ups (credit score, measures)"),
                          None)
        if store is not None:
            found = restrictions_for(store, enforcement_rules.CAMPAIGN, now)
            req.met = not found
            req.detail = " ".join(restriction_message(r) for r in found)
        out.append(req)
    if campaign.require_deposit_paid:
        req = Requirement("deposit", _("Deposit fully paid"), None)
        if store is not None:
            state = deposits_paid(store)
            req.met = state.paid
            if not req.met:
                if not state.has_store_deposit:
                    req.detail = _("No store deposit has been paid yet.")
                else:
                    req.detail = _("Your deposit is short by %(amount)s.") % {
                        "amount": format_cny(state.missing)}
        out.append(req)
    return out


def product_category_chain(product: Product) -> list[int]:
    if product.category_id is None:
        return []
    return [c.pk for c in product.category.ancestors_and_self()]


def product_in_campaign_categories(campaign: Campaign, product: Product) -> bool:
    return category_eligible(product_category_chain(product),
                             [c.pk for c in campaign.categories.all()])


# --- merchants --------------------------------------------------------------------------
def campaigns_for_merchants(now: datetime) -> QuerySet[Campaign]:
    """Upcoming campaigns (open for sign-ups) and running ones, by start (index status,
    starts_at, id)."""
    return (Campaign.objects.filter(status__in=[SCHEDULED, RUNNING], ends_at__gt=now)
            .prefetch_related("categories").order_by("starts_at", "pk"))


def campaign_for_merchants(pk: int) -> Campaign:
    """A campaign merchants may look at (not a cancelled one)."""
    return (Campaign.objects.exclude(status=Status.CANCELLED).prefetch_related("categories")
            .get(pk=pk))


def _entry_items():
    return Prefetch("items", queryset=CampaignEntryItem.objects.select_related("sku")
                    .order_by("pk"))


def campaign_entries_for_merchant(user, *, campaign: Campaign | None = None,
                                  status: str = "") -> QuerySet[CampaignEntry]:
    """The merchant's sign-ups, newest first (index store, -created_at, -id)."""
    qs = CampaignEntry.objects.for_merchant(user)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if status in CampaignEntry.Status.values:
        qs = qs.filter(status=status)
    return (qs.select_related("campaign", "product").prefetch_related(_entry_items())
            .order_by("-created_at", "-pk"))


def campaign_entry_for_merchant(user, pk: int) -> CampaignEntry:
    """One of the merchant's sign-ups (DoesNotExist for anyone else's)."""
    return (CampaignEntry.objects.for_merchant(user).select_related("campaign", "product")
            .prefetch_related(_entry_items(), "events__actor").get(pk=pk))


def campaign_signup_products_for_merchant(user) -> QuerySet[Product]:
    """The merchant's products that can be signed up: listed own products."""
    return (Product.objects.for_merchant(user)
            .filter(kind=Product.Kind.OWN, status=Product.Status.LISTED)
            .select_related("category").order_by("-created_at", "-pk"))


def campaign_entry_review_queue() -> QuerySet[CampaignEntry]:
    """Sign-ups waiting for a reviewer in campaigns still being decided (index status,
    created_at, id)."""
    return CampaignEntry.objects.filter(status=CampaignEntry.Status.PENDING,
                                        campaign__status__in=[SCHEDULED, RUNNING])


# --- buyers -----------------------------------------------------------------------------
def campaigns_for_buyers(now: datetime) -> QuerySet[Campaign]:
    """Running campaigns, then upcoming ones, by start."""
    return (Campaign.objects.filter(status__in=[RUNNING, SCHEDULED], ends_at__gt=now)
            .order_by("status", "starts_at", "pk"))


def campaign_for_buyers(pk: int) -> Campaign:
    return Campaign.objects.exclude(status=Status.CANCELLED).get(pk=pk)


def campaign_products_for_buyers(campaign: Campaign) -> QuerySet[CampaignEntry]:
    """The accepted products of a campaign that buyers can order (listed, open store)."""
    return (CampaignEntry.objects
            .filter(campaign=campaign, status=ACCEPTED, product__status=Product.Status.LISTED,
                    store__status=Store.Status.OPEN)
            .select_related("product", "store").prefetch_related(_entry_items())
            .order_by("pk"))


def running_campaign_items(sku_ids, now: datetime) -> dict:
    """{sku id: the accepted campaign SKU with the lowest campaign price} among campaigns
    running at `now` (status running and inside the window: a late end clock changes
    nothing for buyers)."""
    rows = (CampaignEntryItem.objects
            .filter(sku_id__in=list(sku_ids), entry__status=ACCEPTED,
                    entry__campaign__status=RUNNING, entry__campaign__starts_at__lte=now,
                    entry__campaign__ends_at__gt=now)
            .select_related("entry__campaign").order_by("campaign_price", "pk"))
    best: dict = {}
    for item in rows:
        best.setdefault(item.sku_id, item)
    return best


def product_for_buyers(pk: int) -> Product:
    return (Product.objects.filter(status=Product.Status.LISTED,
                                   store__status=Store.Status.OPEN)
            .select_related("store").get(pk=pk))
