"""Platform campaigns (营销活动): reviewers create and cancel them; the start and end clocks;
merchants sign products up (提报) and withdraw them; reviewers accept or reject; and the order
extension that prices accepted SKUs at the campaign price while the campaign runs.

A campaign price and a flash sale on the same SKU: the lower price wins, line by line
(`promotions.rules.campaigns.price_with_campaign`). The campaign's extension runs after the
flash sale's: a line the flash sale priced keeps its flash stock and per-buyer limit, and
takes the campaign price only when that is lower."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.money import format_cny, to_money
from common.reasons import Label, Reason, reason_fields
from common.uploads import validate_image_upload
from common.workflows import can_move, transition_apply
from promotions.models import (
    Campaign,
    CampaignEntry,
    CampaignEntryEvent,
    CampaignEntryItem,
    CampaignEvent,
)
from promotions.reasons import R
from promotions.rules.campaigns import (
    CAMPAIGN_TRANSITIONS,
    DECIDING,
    ENTRY_TRANSITIONS,
    LIVE_ENTRY,
    highest_allowed_price,
    price_problem,
    price_with_campaign,
)
from promotions.selectors.campaigns import (
    campaign_requirements,
    product_in_campaign_categories,
)
from promotions.selectors.flash_sales import order_promotion_reads_for
from shop.models import Product, Store

Status = Campaign.Status
EntryStatus = CampaignEntry.Status

# The reviewer's rejection reasons (codes of promotions.reasons).
REJECT_CODES = ("campaign_reject_price", "campaign_reject_quality", "campaign_reject_stock",
                "campaign_reject_quota", "campaign_reject_other")


# --- the transition writers -------------------------------------------------------------
def campaign_lock(campaign: Campaign | int) -> Campaign:
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    return Campaign.objects.select_for_update().get(pk=pk)


def campaign_transition(*, campaign: Campaign, to: str, actor, reason="", now: datetime,
                        fields: dict | None = None, data: dict | None = None):
    """Move a locked campaign to `to`, with its event row."""
    return transition_apply(campaign, table=CAMPAIGN_TRANSITIONS, to=to, actor=actor,
                            reason=reason, now=now, event_model=CampaignEvent,
                            event_fk="campaign", fields=fields, data=data)


def campaign_entry_lock(entry: CampaignEntry | int) -> CampaignEntry:
    pk = entry.pk if isinstance(entry, CampaignEntry) else entry
    return (CampaignEntry.objects.select_for_update(of=("self",))
            .select_related("campaign", "store", "product").get(pk=pk))


def campaign_entry_transition(*, entry: CampaignEntry, to: str, actor, reason="",
                              now: datetime, fields: dict | None = None):
    """Move a locked sign-up to `to`, with its event row."""
    return transition_apply(entry, table=ENTRY_TRANSITIONS, to=to, actor=actor, reason=reason,
                            now=now, event_model=CampaignEntryEvent, event_fk="entry",
                            fields=fields)


# --- campaigns (reviewers) --------------------------------------------------------------
def campaign_clean(*, name, starts_at, ends_at, min_dsr=None, max_price_percent=None,
                   now: datetime, check_start: bool = True) -> dict:
    """The campaign's own fields, checked; each refusal names its field."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the campaign a name."), code="required", field="name")
    if starts_at is None:
        raise ApplicationError(_("Choose when the campaign starts."), code="required",
                               field="starts_at")
    if ends_at is None:
        raise ApplicationError(_("Choose when the campaign ends."), code="required",
                               field="ends_at")
    if check_start and starts_at <= now:
        raise ApplicationError(_("The start must be in the future."), code="invalid_start",
                               field="starts_at")
    if ends_at <= starts_at:
        raise ApplicationError(_("The end must be after the start."), code="invalid_end",
                               field="ends_at")
    days = config.get("campaign.max_duration_days")
    if ends_at - starts_at > timedelta(days=days):
        raise ApplicationError(_("A campaign lasts at most %(days)s days.") % {"days": days},
                               code="invalid_end", field="ends_at")
    if min_dsr is not None:
        try:
            min_dsr = Decimal(str(min_dsr))
        except (InvalidOperation, ValueError):
            raise ApplicationError(_("Enter the minimum DSR as a number from 0 to 5."),
                                   code="invalid_min_dsr", field="min_dsr")
        if not min_dsr.is_finite() or not Decimal("0") <= min_dsr <= Decimal("5"):
            raise ApplicationError(_("Enter the minimum DSR as a number from 0 to 5."),
                                   code="invalid_min_dsr", field="min_dsr")
        min_dsr = to_money(min_dsr)  # two places, like the DSR it is compared with
    if max_price_percent is not None:
        if (isinstance(max_price_percent, bool) or not isinstance(max_price_percent, int)
                or not 1 <= max_price_percent <= 99):
            raise ApplicationError(
                _("The campaign price limit is a whole percentage from 1 to 99."),
                code="invalid_percent", field="max_price_percent")
    return {"name": name[:60], "starts_at": starts_at, "ends_at": ends_at, "min_dsr": min_dsr,
            "max_price_percent": max_price_percent}


def _banner(banner):
    try:
        _info, content = validate_image_upload(banner, max_bytes=settings.UPLOAD_MAX_BYTES)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="image_invalid", field="banner")
    return content


def campaign_create(*, actor, name, banner, starts_at: datetime, ends_at: datetime,
                    description: str = "", categories=(), min_dsr=None,
                    max_price_percent=None, require_no_restriction: bool = True,
                    require_deposit_paid: bool = True,
                    now: datetime | None = None) -> Campaign:
    """A reviewer creates a campaign (scheduled until its start clock). The banner is an
    uploaded image, checked and re-encoded before the transaction."""
    now = now or timezone.now()
    data = campaign_clean(name=name, starts_at=starts_at, ends_at=ends_at, min_dsr=min_dsr,
                          max_price_percent=max_price_percent, now=now)
    if banner is None:
        raise ApplicationError(_("Upload a banner image."), code="required", field="banner")
    content = _banner(banner)
    with transaction.atomic():
        campaign = Campaign(**data, description=(description or "").strip()[:2000],
                            require_no_restriction=bool(require_no_restriction),
                            require_deposit_paid=bool(require_deposit_paid),
                            status=Status.SCHEDULED, created_by=actor, created_at=now)
        campaign.banner = content
        campaign.save()
        campaign.categories.set(list(categories or ()))
        CampaignEvent.objects.create(campaign=campaign, from_status="",
                                     to_status=Status.SCHEDULED, actor=actor, at=now,
                                     **reason_fields(R("campaign_created")))
    return campaign


def campaign_update(*, campaign: Campaign, actor, name, starts_at: datetime,
                    ends_at: datetime, description: str = "", banner=None, categories=(),
                    min_dsr=None, max_price_percent=None, require_no_restriction: bool = True,
                    require_deposit_paid: bool = True,
                    now: datetime | None = None) -> Campaign:
    """A reviewer changes a campaign that has not started (a new banner is optional)."""
    now = now or timezone.now()
    data = campaign_clean(name=name, starts_at=starts_at, ends_at=ends_at, min_dsr=min_dsr,
                          max_price_percent=max_price_percent, now=now)
    content = _banner(banner) if banner is not None else None
    with transaction.atomic():
        campaign = campaign_lock(campaign)
        if campaign.status != Status.SCHEDULED:
            raise ApplicationError(_("Only a campaign that has not started can be changed."),
                                   code="bad_state")
        for key, value in data.items():
            setattr(campaign, key, value)
        campaign.description = (description or "").strip()[:2000]
        campaign.require_no_restriction = bool(require_no_restriction)
        campaign.require_deposit_paid = bool(require_deposit_paid)
        if content is not None:
            campaign.banner = content
        campaign.save()
        campaign.categories.set(list(categories or ()))
    return campaign


def campaign_entries_transition_batch(*, entry_ids: list[int], frm: str, to: str, reason,
                                      now: datetime, actor=None) -> int:
    """Move many sign-ups (rows the caller locked, all in `frm`) to `to` in one update with
    bulk-created events: the batch variant of `campaign_entry_transition`."""
    if not can_move(ENTRY_TRANSITIONS, frm, to):
        raise ApplicationError(_("This cannot be done now."), code="bad_state")
    if not entry_ids:
        return 0
    moved = CampaignEntry.objects.filter(pk__in=entry_ids, status=frm).update(
        status=to, updated_at=now)
    CampaignEntryEvent.objects.bulk_create(
        CampaignEntryEvent(entry_id=pk, from_status=frm, to_status=to, actor=actor, at=now,
                           **reason_fields(reason))
        for pk in entry_ids)
    return moved


def _expire_pending(campaign: Campaign, now: datetime, status: str) -> int:
    """Sign-ups still waiting when the campaign is over expire."""
    ids = list(CampaignEntry.objects.select_for_update()
               .filter(campaign=campaign, status=EntryStatus.PENDING)
               .order_by("pk").values_list("pk", flat=True))
    return campaign_entries_transition_batch(
        entry_ids=ids, frm=EntryStatus.PENDING, to=EntryStatus.EXPIRED, now=now,
        reason=R("campaign_entry_expired",
                 status=Label("promotions.Campaign.status", status)))


def campaign_start(*, campaign: Campaign | int, now: datetime | None = None) -> Campaign:
    """scheduled → running (the start clock). Once: a campaign no longer scheduled is left
    alone."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = campaign_lock(campaign)
        if campaign.status != Status.SCHEDULED:
            return campaign
        accepted = campaign.entries.filter(status=EntryStatus.ACCEPTED).count()
        campaign_transition(campaign=campaign, to=Status.RUNNING, actor=None, now=now,
                            reason=R("campaign_started"), fields={"started_at": now},
                            data={"accepted": accepted})
    return campaign


def campaign_end(*, campaign: Campaign | int, now: datetime | None = None) -> Campaign:
    """running → ended (the end clock); sign-ups still waiting expire. Once."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = campaign_lock(campaign)
        if campaign.status != Status.RUNNING:
            return campaign
        expired = _expire_pending(campaign, now, Status.ENDED)
        campaign_transition(campaign=campaign, to=Status.ENDED, actor=None, now=now,
                            reason=R("campaign_ended"), fields={"ended_at": now},
                            data={"expired": expired})
    return campaign


def campaign_cancel(*, campaign: Campaign, actor, reason: str | Reason = "",
                    now: datetime | None = None) -> Campaign:
    """A reviewer cancels a campaign before it starts; sign-ups still waiting expire."""
    now = now or timezone.now()
    words = reason.strip() if isinstance(reason, str) else ""
    with transaction.atomic():
        campaign = campaign_lock(campaign)
        if campaign.status != Status.SCHEDULED:
            raise ApplicationError(_("Only a campaign that has not started can be "
                                     "cancelled."), code="bad_state")
        campaign_transition(
            campaign=campaign, to=Status.CANCELLED, actor=actor, now=now,
            reason=reason if isinstance(reason, Reason) else R("campaign_cancelled").noting(
                words), fields={"ended_at": now})
        _expire_pending(campaign, now, Status.CANCELLED)
    return campaign


# --- sign-ups (merchants) ---------------------------------------------------------------
def _clean_entry_items(product: Product, items, max_percent: int | None):
    """The SKUs signed up and their campaign prices: a blank price leaves a SKU out; at
    least one is needed. Returns (rows, input errors by cell, discount errors by cell)."""
    skus = list(product.skus.filter(is_active=True).order_by("pk"))
    if not skus:
        raise ApplicationError(_("This product has no SKU on sale."), code="no_skus",
                               field="product")
    given = {}
    for item in items or ():
        try:
            given[int(item["sku"])] = item
        except (KeyError, TypeError, ValueError):
            raise ApplicationError(_("Each row needs a SKU."), code="invalid_items",
                                   field="items")
    if set(given) - {sku.pk for sku in skus}:
        raise ApplicationError(_("A SKU is not an active SKU of this product."),
                               code="unknown_sku", field="items")
    errors: dict[str, str] = {}
    discount_errors: dict[str, str] = {}
    rows = []
    for sku in skus:
        raw = str((given.get(sku.pk) or {}).get("campaign_price", "") or "").strip()
        if not raw:
            continue
        key = f"sku-{sku.pk}-price"
        try:
            price = to_money(raw)
            if not price.is_finite():
                raise ValueError
        except (InvalidOperation, ValueError, TypeError):
            errors[key] = _("Enter the campaign price as an amount in CNY.")
            continue
        problem = price_problem(price, sku.price, max_percent)
        if problem == "not_positive":
            errors[key] = _("The campaign price must be above zero.")
        elif problem == "not_below_regular":
            errors[key] = _("The campaign price must be below the regular price "
                            "(%(price)s).") % {"price": format_cny(sku.price)}
        elif problem == "discount_too_small":
            discount_errors[key] = _("At most %(max)s (%(pct)s%% of %(price)s).") % {
                "max": format_cny(highest_allowed_price(sku.price, max_percent)),
                "pct": max_percent, "price": format_cny(sku.price)}
        rows.append({"sku": sku, "campaign_price": price})
    limit = config.get("campaign.max_skus_per_entry")
    if errors:
        raise ApplicationError(_("Check the campaign prices."), code="invalid_items",
                               field="items", extra={"fields": errors})
    if not rows:
        raise ApplicationError(_("Give at least one SKU a campaign price."),
                               code="no_items", field="items")
    if len(rows) > limit:
        raise ApplicationError(_("A sign-up holds at most %(n)s SKUs.") % {"n": limit},
                               code="too_many_skus", field="items")
    return rows, discount_errors


def _requirements_failed(campaign: Campaign, store: Store, product: Product,
                         discount_errors, now: datetime) -> tuple[list[str], list[str]]:
    """The campaign's requirements the store and the product fail now: (codes, what the
    merchant or the reviewer reads for each)."""
    failed, messages = [], []
    for req in campaign_requirements(campaign, store, now):
        if req.met is False:
            failed.append(req.code)
            messages.append(f"{req.label}: {req.detail}" if req.detail else req.label)
        elif req.code == "category" and not product_in_campaign_categories(campaign, product):
            failed.append("category")
            messages.append(_("%(label)s: “%(title)s” is in %(category)s.") % {
                "label": req.label, "title": product.title,
                "category": product.category.name if product.category_id else "—"})
        elif req.code == "discount" and discount_errors:
            failed.append("discount")
            messages.append(_("%(label)s: %(n)s SKUs are priced too high.") % {
                "label": req.label, "n": len(discount_errors)})
    return failed, [str(m) for m in messages]


def _entry_discount_errors(entry: CampaignEntry, max_percent: int | None) -> dict[str, str]:
    """The sign-up's SKUs whose campaign price no longer meets the discount against the
    SKU's price now (a price may have changed since the sign-up), or left sale."""
    errors = {}
    for item in entry.items.select_related("sku").order_by("pk"):
        if not item.sku.is_active or price_problem(item.campaign_price, item.sku.price,
                                                   max_percent):
            errors[f"sku-{item.sku_id}-price"] = str(item.campaign_price)
    return errors


def campaign_entry_submit(*, campaign: Campaign, store: Store, actor, product: Product,
                          items, now: datetime | None = None) -> CampaignEntry:
    """A merchant signs a listed own product up (提报) with a campaign price per SKU. Every
    requirement the store or the product fails is named in the refusal (code
    ``requirements_not_met``, ``extra["failed"]`` the requirement codes)."""
    now = now or timezone.now()
    if store.merchant_id != getattr(actor, "pk", None) or product.store_id != store.pk:
        raise ApplicationError(_("Choose one of your products."), code="not_yours",
                               field="product")
    if campaign.status != Status.SCHEDULED or campaign.starts_at <= now:
        raise ApplicationError(_("Sign-ups for this campaign are closed."),
                               code="signup_closed")
    if product.kind != Product.Kind.OWN or product.status != Product.Status.LISTED:
        raise ApplicationError(_("Only a listed own product can be signed up."),
                               code="not_listed", field="product")
    rows, discount_errors = _clean_entry_items(product, items, campaign.max_price_percent)

    failed, messages = _requirements_failed(campaign, store, product, discount_errors, now)
    if failed:
        raise ApplicationError(
            _("This product cannot be signed up: %(why)s")
            % {"why": "；".join(str(m) for m in messages)},
            code="requirements_not_met", field="items",
            extra={"failed": failed, "messages": [str(m) for m in messages],
                   "fields": discount_errors})

    try:
        with transaction.atomic():
            # Two tabs signing the same product up wait here one after the other.
            Product.objects.select_for_update().filter(pk=product.pk).first()
            if CampaignEntry.objects.filter(campaign=campaign, product=product,
                                            status__in=LIVE_ENTRY).exists():
                raise ApplicationError(_("This product is already signed up for this "
                                         "campaign."), code="already_signed_up",
                                       field="product")
            entry = CampaignEntry.objects.create(campaign=campaign, store=store,
                                                 product=product, created_at=now)
            CampaignEntryItem.objects.bulk_create(
                CampaignEntryItem(entry=entry, sku=row["sku"],
                                  campaign_price=row["campaign_price"],
                                  regular_price=row["sku"].price)
                for row in rows)
            CampaignEntryEvent.objects.create(
                entry=entry, from_status="", to_status=EntryStatus.PENDING, actor=actor,
                at=now, **reason_fields(R("campaign_entry_submitted", skus=len(rows))))
    except IntegrityError:
        raise ApplicationError(_("This product is already signed up for this campaign."),
                               code="already_signed_up", field="product")
    return entry


def campaign_entry_withdraw(*, entry: CampaignEntry, actor,
                            now: datetime | None = None) -> CampaignEntry:
    """The merchant takes a sign-up back: while it waits, or once accepted as long as the
    campaign has not started."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = campaign_entry_lock(entry)
        if entry.store.merchant_id != getattr(actor, "pk", None):
            raise ApplicationError(_("This is not your sign-up."), code="not_yours")
        if entry.status not in LIVE_ENTRY or (
                entry.status == EntryStatus.ACCEPTED
                and entry.campaign.status != Status.SCHEDULED):
            raise ApplicationError(_("This sign-up can no longer be withdrawn."),
                                   code="bad_state")
        campaign_entry_transition(entry=entry, to=EntryStatus.WITHDRAWN, actor=actor, now=now,
                                  reason=R("campaign_entry_withdrawn"))
    return entry


def _decidable(entry: CampaignEntry) -> None:
    if entry.campaign.status not in DECIDING:
        raise ApplicationError(_("The campaign is over: its sign-ups can no longer be "
                                 "decided."), code="campaign_over")


def campaign_entry_accept(*, entry: CampaignEntry, actor,
                          now: datetime | None = None) -> CampaignEntry:
    """A reviewer accepts a waiting sign-up: its SKUs take the campaign price while the
    campaign runs (at once if it is running). The campaign's requirements are checked
    again first; a sign-up that fails one now is refused with the failing requirement
    named (code ``requirements_not_met``), and stays waiting for a rejection."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = campaign_entry_lock(entry)
        _decidable(entry)
        # What the store and the product met at sign-up may have changed since (a deposit
        # fell short, a restriction started, the product left sale or its price moved).
        product = Product.objects.select_related("category").get(pk=entry.product_id)
        failed, messages = _requirements_failed(
            entry.campaign, entry.store, product,
            _entry_discount_errors(entry, entry.campaign.max_price_percent), now)
        if product.kind != Product.Kind.OWN or product.status != Product.Status.LISTED:
            failed.insert(0, "not_listed")
            messages.insert(0, str(_("The product is no longer listed.")))
        if failed:
            raise ApplicationError(
                _("This sign-up no longer meets the campaign's requirements: %(why)s")
                % {"why": "；".join(messages)},
                code="requirements_not_met", extra={"failed": failed, "messages": messages})
        campaign_entry_transition(entry=entry, to=EntryStatus.ACCEPTED, actor=actor, now=now,
                                  reason=R("campaign_entry_accepted"),
                                  fields={"decided_at": now, "decided_by": actor})
    return entry


def campaign_entry_reject(*, entry: CampaignEntry, actor, reason: Reason | str,
                          now: datetime | None = None) -> CampaignEntry:
    """A reviewer rejects a waiting sign-up with a reason code (and optional words)."""
    now = now or timezone.now()
    if isinstance(reason, str):
        reason = R("campaign_reject_other").noting(reason.strip())
    if reason.code not in {f"promotions.{code}" for code in REJECT_CODES}:
        raise ApplicationError(_("Choose a rejection reason."), code="invalid_reason",
                               field="reason")
    with transaction.atomic():
        entry = campaign_entry_lock(entry)
        _decidable(entry)
        campaign_entry_transition(entry=entry, to=EntryStatus.REJECTED, actor=actor, now=now,
                                  reason=reason,
                                  fields={"decided_at": now, "decided_by": actor})
    return entry


# --- the order path ---------------------------------------------------------------------
class CampaignPricing:
    """The order extension (shop.order_extensions): accepted SKUs of a running campaign at
    the campaign price. Registered after the flash sale's: the lower price wins."""

    def price(self, draft) -> None:
        # read with the flash prices in one statement (order_promotion_reads)
        best = order_promotion_reads_for(draft).campaign
        if not best:
            return
        for line in draft.lines:
            item = best.get(line.sku.pk)
            if item is None:
                continue
            price = price_with_campaign(line.unit_price, item.price)
            if price is None:
                continue
            line.unit_price = price
            line.data = {**line.data, "campaign": {
                "campaign": item.campaign_id, "entry": item.entry_id,
                "name": item.campaign_name, "regular_price": str(line.sku.price)}}


campaign_pricing = CampaignPricing()
