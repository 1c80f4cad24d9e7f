"""Paid promotion (推广): submit an order, review it (approve charges the budget from the
store account, reject keeps the reviewer's reason), cancel before review, extend a running
order (追投), the end clock (what was not spent goes back), and the ingestion of delivery
results from the ad-delivery system (signed batches, each taken once, spend capped at
the budget).

Locks are taken in one order: the promotion order rows (by pk) → the store account (and
its deposits, shop.services.deposits.accounts_lock). Every money movement is a store
account entry keyed by its cause, so it happens once."""

import json
import random
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.idempotency import once
from common.money import to_money
from common.reasons import reason_fields
from common.signing import derived_secret, hmac_signature, signature_matches
from common.workflows import transition_apply
from payments.providers import sandbox_enabled
from promotions.models import (
    LiveCartItem,
    LiveSession,
    PromotionExtension,
    PromotionOrder,
    PromotionOrderEvent,
    PromotionResult,
    PromotionResultBatch,
    ShortVideo,
    ShortVideoProduct,
)
from promotions.notifications import notify_ad_session_ended
from promotions.reasons import R
from promotions.rules import ads as rules
from shop.models import DepositAccount, Product, Store
from shop.services.accounts import store_account_charge_promotion, store_account_refund_promotion

Status = PromotionOrder.Status
CAUSE_ORDER = "promotion_order"
CAUSE_EXTENSION = "promotion_extension"


# --- the transition writer --------------------------------------------------------------
def promotion_order_lock(order: PromotionOrder | int) -> PromotionOrder:
    pk = order.pk if isinstance(order, PromotionOrder) else order
    return PromotionOrder.objects.select_for_update().select_related("store").get(pk=pk)


def promotion_order_transition(*, order: PromotionOrder, to: str, actor, reason="",
                               now: datetime, fields: dict | None = None,
                               data: dict | None = None):
    """Move a locked order (see promotion_order_lock) to `to`, with its event row."""
    return transition_apply(order, table=rules.PROMOTION_ORDER_TRANSITIONS, to=to,
                            actor=actor, reason=reason, now=now,
                            event_model=PromotionOrderEvent, event_fk="order", fields=fields,
                            data=data)


def _own(order: PromotionOrder, actor) -> None:
    if actor is None or order.store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your promotion order."), code="not_yours")


# --- submit -----------------------------------------------------------------------------
def _clean_budget(value, *, low_key: str, field: str = "budget") -> Decimal:
    try:
        amount = to_money(str(value).strip())
        if not amount.is_finite():
            raise ValueError
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Enter an amount in CNY."), code="invalid_budget", field=field)
    low, high = config.get(low_key), config.get("paid_promotion.max_budget")
    problem = rules.budget_problem(amount, low=low, high=high)
    if problem:
        raise ApplicationError(
            _("The budget must be between %(low)s and %(high)s.") % {"low": low, "high": high},
            code=f"budget_{problem}", field=field)
    return amount


def duration_choices() -> list[int]:
    key = "paid_promotion.duration_hours_choices"
    return rules.duration_choices(config.get(key), config.definitions()[key].default)


def _clean_duration(value) -> int:
    try:
        hours = int(str(value).strip())
    except (TypeError, ValueError):
        hours = None
    if hours not in duration_choices():
        raise ApplicationError(_("Choose one of the offered durations."),
                               code="invalid_duration", field="duration_hours")
    return hours


def _clean_targeting(gender, ages, regions) -> tuple[str, list, list]:
    gender = gender or PromotionOrder.Gender.ANY
    if gender not in PromotionOrder.Gender.values:
        raise ApplicationError(_("Choose a gender."), code="invalid_targeting",
                               field="target_gender")
    ages = list(dict.fromkeys(ages or ()))
    if any(age not in rules.AGE_BANDS for age in ages):
        raise ApplicationError(_("Choose age bands from the list."), code="invalid_targeting",
                               field="target_ages")
    regions = list(dict.fromkeys(regions or ()))
    if any(region not in rules.REGIONS for region in regions):
        raise ApplicationError(_("Choose regions from the list."), code="invalid_targeting",
                               field="target_regions")
    return gender, [a for a in rules.AGE_BANDS if a in ages], [
        r for r in rules.REGIONS if r in regions]


def _subject(store: Store, subject_type: str, subject_id) -> tuple:
    """The store's own live session on air or published short video, with its product
    ids. Another store's is refused like one that does not exist."""
    try:
        pk = int(subject_id)
    except (TypeError, ValueError):
        pk = None
    if subject_type == rules.LIVE and pk:
        session = LiveSession.objects.filter(pk=pk, store=store,
                                             status=LiveSession.Status.LIVE).first()
        if session is not None:
            return session, None, list(LiveCartItem.objects.filter(session=session)
                                       .values_list("product_id", flat=True))
    elif subject_type == rules.VIDEO and pk:
        video = ShortVideo.objects.filter(pk=pk, store=store,
                                          status=ShortVideo.Status.PUBLISHED).first()
        if video is not None:
            return None, video, list(ShortVideoProduct.objects.filter(video=video)
                                     .values_list("product_id", flat=True))
    raise ApplicationError(_("Choose one of your live sessions on air or published short "
                             "videos."), code="invalid_subject", field="subject")


def promotion_deposit_balance(store: Store) -> Decimal:
    return (DepositAccount.objects.filter(store=store, kind=DepositAccount.Kind.PROMOTION,
                                          closed_at__isnull=True)
            .values_list("balance", flat=True).first() or Decimal("0.00"))


def _refuse_without_deposit(store: Store, promotes_other_platform: bool) -> None:
    required = config.get("paid_promotion.other_platform_deposit")
    problem = rules.deposit_problem(promotes_other_platform=promotes_other_platform,
                                    deposit_balance=promotion_deposit_balance(store),
                                    required=required)
    if problem:
        raise ApplicationError(
            _("Promoting other-platform products needs a promotion deposit (推广保证金) of at "
              "least %(amount)s.") % {"amount": required},
            code="promotion_deposit_missing", field="promotes_other_platform")


def promotion_order_create(*, store: Store, actor, subject_type: str, subject_id, kind: str,
                           goal: str, budget, duration_hours, target_gender="",
                           target_ages=(), target_regions=(),
                           promotes_other_platform: bool = False,
                           now: datetime | None = None) -> PromotionOrder:
    """The merchant submits a promotion order for review. Nothing is charged yet: the
    budget leaves the store account when a reviewer approves."""
    now = now or timezone.now()
    if actor is None or store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your store."), code="not_yours")
    if store.status != Store.Status.OPEN:
        raise ApplicationError(_("Your store is not open."), code="store_not_open")
    session, video, product_ids = _subject(store, subject_type, subject_id)
    if goal not in PromotionOrder.Goal.values:
        raise ApplicationError(_("Choose a goal."), code="invalid_goal", field="goal")
    problem = rules.kind_problem(subject=subject_type, has_products=bool(product_ids),
                                 kind=kind)
    if problem == "needs_shop_work":
        raise ApplicationError(_("A short video with products is promoted as 小店作品推广."),
                               code="kind_mismatch", field="kind")
    if problem:
        raise ApplicationError(_("小店作品推广 is for short videos linked to products; "
                                 "choose 粉丝头条."), code="kind_mismatch", field="kind")
    amount = _clean_budget(budget, low_key="paid_promotion.min_budget")
    hours = _clean_duration(duration_hours)
    gender, ages, regions = _clean_targeting(target_gender, target_ages, target_regions)
    other = bool(promotes_other_platform) or Product.objects.filter(
        pk__in=product_ids, kind=Product.Kind.OTHER_PLATFORM).exists()
    _refuse_without_deposit(store, other)
    with transaction.atomic():
        order = PromotionOrder.objects.create(
            store=store, session=session, video=video, kind=kind, goal=goal, budget=amount,
            duration_hours=hours, target_gender=gender, target_ages=ages,
            target_regions=regions, promotes_other_platform=other, submitted_by=actor,
            created_at=now)
        PromotionOrderEvent.objects.create(order=order, from_status="", to_status=Status.PENDING,
                                           actor=actor, at=now, **reason_fields(R("ad_submitted")))
    return order


def promotion_order_cancel(*, order: PromotionOrder, actor,
                           now: datetime | None = None) -> PromotionOrder:
    """The merchant withdraws an order that has not been reviewed (nothing was charged)."""
    now = now or timezone.now()
    with transaction.atomic():
        order = promotion_order_lock(order)
        _own(order, actor)
        if order.status != Status.PENDING:
            raise ApplicationError(_("Only an order awaiting review can be cancelled."),
                                   code="bad_state")
        promotion_order_transition(order=order, to=Status.CANCELLED, actor=actor, now=now,
                                   reason=R("ad_cancelled"), fields={"ended_at": now})
    return order


# --- review -----------------------------------------------------------------------------
def _pending_or_raise(order: PromotionOrder) -> None:
    if order.status != Status.PENDING:
        raise ApplicationError(_("This promotion order was already decided."), code="bad_state")


def promotion_order_approve(*, order: PromotionOrder, actor,
                            now: datetime | None = None) -> PromotionOrder:
    """A reviewer approves: the budget is charged from the store account (refused, with
    nothing written, when the available balance is short) and the order runs for its
    duration from now."""
    now = now or timezone.now()
    with transaction.atomic():
        order = promotion_order_lock(order)
        _pending_or_raise(order)
        if order.promotes_other_platform:
            _refuse_without_deposit(order.store, True)
        store_account_charge_promotion(
            store=order.store, amount=order.budget, cause_type=CAUSE_ORDER, cause_id=order.pk,
            actor=actor, reason=R("ad_charged", order=order.pk), now=now)
        promotion_order_transition(
            order=order, to=Status.RUNNING, actor=actor, now=now,
            reason=R("ad_approved", amount=str(order.budget)),
            fields={"reviewer": actor, "reviewed_at": now, "started_at": now,
                    "ends_at": now + timedelta(hours=order.duration_hours)})
    return order


def promotion_order_reject(*, order: PromotionOrder, actor, reason: str,
                           now: datetime | None = None) -> PromotionOrder:
    """A reviewer rejects with the reason the merchant is shown (nothing was charged)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the rejection."), code="no_reason",
                               field="reason")
    with transaction.atomic():
        order = promotion_order_lock(order)
        _pending_or_raise(order)
        promotion_order_transition(
            order=order, to=Status.REJECTED, actor=actor, reason=reason, now=now,
            fields={"reviewer": actor, "reviewed_at": now, "rejection_reason": reason,
                    "ended_at": now})
    return order


# --- extend (追投) ------------------------------------------------------------------------
def promotion_order_extend(*, order: PromotionOrder, actor, added_budget="0", added_hours=0,
                           token: str, now: datetime | None = None) -> PromotionExtension:
    """The merchant adds budget (charged at once) and/or time to a running order. Once per
    form token: a form sent twice extends once."""
    now = now or timezone.now()
    _own(order, actor)
    if not token:
        raise ApplicationError(_("The form has expired; open it again."), code="no_token")
    text = str(added_budget if added_budget not in (None, "") else "0").strip()
    try:
        amount = to_money(text)
        if not amount.is_finite():
            raise ValueError
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Enter an amount in CNY."), code="invalid_budget",
                               field="added_budget")
    if amount:
        amount = _clean_budget(amount, low_key="paid_promotion.min_extension_budget",
                               field="added_budget")
    try:
        hours = int(str(added_hours or 0).strip())
    except (TypeError, ValueError):
        hours = -1
    if hours and hours not in duration_choices():
        raise ApplicationError(_("Choose one of the offered durations."),
                               code="invalid_duration", field="added_hours")
    if amount <= 0 and hours <= 0:
        raise ApplicationError(_("Add budget, time or both."), code="nothing_added",
                               field="added_budget")

    def find():
        return PromotionExtension.objects.filter(order_id=order.pk, token=token).first()

    def create():
        locked = promotion_order_lock(order)
        _own(locked, actor)
        if locked.status != Status.RUNNING or locked.ends_at <= now:
            raise ApplicationError(_("Only a running promotion order can be extended."),
                                   code="bad_state")
        total = locked.duration_hours + hours
        if total > config.get("paid_promotion.max_total_hours"):
            raise ApplicationError(
                _("A promotion order runs at most %(hours)d hours in all.")
                % {"hours": config.get("paid_promotion.max_total_hours")},
                code="too_long", field="added_hours")
        if locked.budget + amount > config.get("paid_promotion.max_budget"):
            raise ApplicationError(_("The budget would pass the largest allowed."),
                                   code="budget_too_high", field="added_budget")
        extension = PromotionExtension.objects.create(
            order=locked, added_budget=amount, added_hours=hours, token=token, actor=actor,
            at=now)
        if amount:
            store_account_charge_promotion(
                store=locked.store, amount=amount, cause_type=CAUSE_EXTENSION,
                cause_id=extension.pk, actor=actor,
                reason=R("ad_extension_charged", order=locked.pk), now=now)
        promotion_order_transition(
            order=locked, to=Status.RUNNING, actor=actor, now=now,
            reason=R("ad_extended", amount=str(amount), hours=hours),
            fields={"budget": locked.budget + amount, "duration_hours": total,
                    "ends_at": locked.ends_at + timedelta(hours=hours)},
            data={"extension": extension.pk})
        return extension

    return once(find, create)[0]


# --- the end clock ----------------------------------------------------------------------
def promotion_order_end(*, order: PromotionOrder | int,
                        now: datetime | None = None) -> PromotionOrder:
    """running → ended once its time is up: the unspent budget goes back to the store
    account. Once: an order no longer running, or whose end was moved by an extension, is
    left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        order = promotion_order_lock(order)
        if order.status != Status.RUNNING or order.ends_at > now:
            return order
        _end_running(order, actor=None, reason_code="ad_ended", now=now)
    return order


def _end_running(order: PromotionOrder, *, actor, reason_code: str, now: datetime) -> Decimal:
    """End a locked running order: refund what was not spent through the store account
    (the entry keyed by the order, so once), then the ended event. Returns the refund."""
    back = rules.unspent(order.budget, order.spent)
    store_account_refund_promotion(
        store=order.store, amount=back, cause_type=CAUSE_ORDER, cause_id=order.pk,
        actor=None, reason=R("ad_refunded", order=order.pk), now=now)
    promotion_order_transition(order=order, to=Status.ENDED, actor=actor, now=now,
                               reason=R(reason_code, amount=str(back)),
                               fields={"refunded": back, "ended_at": now})
    return back


def promotion_orders_end_for_session(*, session: LiveSession, actor, now: datetime) -> int:
    """A live session ended (inside the caller's transaction, the session locked): the
    promotion orders bought for it end with it, since there is nothing left to show. A
    running order ends at once with its unspent budget refunded, and the merchant is told;
    one still awaiting review is cancelled (nothing was charged). Returns how many."""
    count = 0
    for order in (PromotionOrder.objects.select_for_update().select_related("store")
                  .filter(session=session, status__in=[Status.RUNNING, Status.PENDING])
                  .order_by("pk")):
        if order.status == Status.PENDING:
            promotion_order_transition(order=order, to=Status.CANCELLED, actor=actor, now=now,
                                       reason=R("ad_cancelled_session_ended"),
                                       fields={"ended_at": now})
        else:
            back = _end_running(order, actor=actor, reason_code="ad_ended_session_ended",
                                now=now)
            notify_ad_session_ended(order, amount=back, now=now)
        count += 1
    return count


# --- delivery results (signed ingestion) ------------------------------------------------
def ad_delivery_secret() -> str:
    return derived_secret("AD_DELIVERY_SECRET", "ad-delivery")


def ad_delivery_sign(body: bytes) -> str:
    return hmac_signature(ad_delivery_secret(), body)


COUNTERS = ("exposures", "plays", "new_fans", "clicks")
# What a row may carry and still fit the columns once added up (bigint on every database).
MAX_COUNT = 10**12
MAX_ORDER_ID = 2**63 - 1


def _bad_body(message=None) -> ApplicationError:
    return ApplicationError(message or _("The results body is not understood."),
                            code="bad_results")


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise _bad_body()
    return value


def _parse_results(body: bytes) -> dict:
    try:
        data = json.loads(body)
        batch_id = str(data["batch_id"]).strip()
        rows = data["results"]
    except (ValueError, KeyError, TypeError):
        raise _bad_body()
    if not batch_id or len(batch_id) > 64 or not isinstance(rows, list) or not rows:
        raise _bad_body()
    if len(rows) > config.get("paid_promotion.max_results_per_batch"):
        raise _bad_body(_("Too many rows in one batch."))
    parsed, seen = [], set()
    for row in rows:
        if not isinstance(row, dict):
            raise _bad_body()
        order_id = row.get("order")
        if (isinstance(order_id, bool) or not isinstance(order_id, int)
                or not 0 < order_id <= MAX_ORDER_ID or order_id in seen):
            raise _bad_body()
        seen.add(order_id)
        try:
            spend = Decimal(str(row.get("spend", "0")))
        except (InvalidOperation, ValueError):
            raise _bad_body()
        if (not spend.is_finite() or spend < 0 or spend != to_money(spend)
                or spend > config.get("paid_promotion.max_budget")):
            raise _bad_body()
        parsed.append({"order": order_id, "spend": to_money(spend),
                       **{name: _count(row.get(name, 0)) for name in COUNTERS}})
    return {"batch_id": batch_id, "rows": parsed, "sandbox": data.get("sandbox") is True}


def promotion_results_ingest(*, body: bytes, signature: str,
                             now: datetime | None = None) -> tuple[PromotionResultBatch, bool]:
    """Take one signed batch of results (exposures, plays, new fans, clicks, spend per
    order). A batch id seen before changes nothing (also when two deliveries arrive at
    once: the unique batch id lets one in). Each order takes the spend its budget still
    allows, under its row lock, so the spend never passes the budget; an ended order takes
    the figures but no spend. Returns (batch, created)."""
    now = now or timezone.now()
    if not signature_matches(ad_delivery_secret(), body, signature or ""):
        raise ApplicationError(_("The results signature is invalid."), code="bad_signature")
    data = _parse_results(body)
    ids = sorted(row["order"] for row in data["rows"])

    def find():
        return PromotionResultBatch.objects.filter(batch_id=data["batch_id"]).first()

    def create():
        batch = PromotionResultBatch.objects.create(batch_id=data["batch_id"], received_at=now,
                                                    sandbox=data["sandbox"])
        orders = {o.pk: o for o in PromotionOrder.objects.select_for_update()
                  .filter(pk__in=ids).order_by("pk")}
        results = []
        for row in sorted(data["rows"], key=lambda r: r["order"]):
            order = orders.get(row["order"])
            if order is None or order.status not in (Status.RUNNING, Status.ENDED):
                raise ApplicationError(
                    _("Order %(order)s is not a running promotion order.")
                    % {"order": row["order"]}, code="unknown_order")
            counted = rules.spend_to_count(row["spend"], budget=order.budget,
                                           spent=order.spent,
                                           running=order.status == Status.RUNNING)
            PromotionOrder.objects.filter(pk=order.pk).update(
                spent=F("spent") + counted,
                **{name: F(name) + row[name] for name in COUNTERS})
            results.append(PromotionResult(batch=batch, order=order, spend=row["spend"],
                                           spend_counted=counted, at=now,
                                           **{name: row[name] for name in COUNTERS}))
        PromotionResult.objects.bulk_create(results)
        return batch

    return once(find, create)


# --- the sandbox delivery feed ----------------------------------------------------------
def ad_sandbox_enabled() -> bool:
    """Sandbox mode of the delivery feed: on with the sandbox payment provider (a
    developer's machine, demos, tests) unless AD_DELIVERY_SANDBOX_ENABLED says otherwise;
    never in production, where the real delivery system reports."""
    value = getattr(settings, "AD_DELIVERY_SANDBOX_ENABLED", None)
    return sandbox_enabled() if value is None else bool(value)


def _sandbox_row(order: PromotionOrder, rng: random.Random) -> dict | None:
    left = rules.unspent(order.budget, order.spent)
    if left <= 0:
        return None
    share = Decimal(config.get("ad_sandbox.max_budget_share_per_run")) / 100
    jitter = Decimal(rng.randint(50, 100)) / 100
    spend = min(to_money(order.budget * share * jitter), left)
    cpm = config.get("ad_sandbox.cost_per_mille")
    exposures = int(spend * 1000 / cpm) if cpm > 0 else 0
    plays = int(exposures * config.get("ad_sandbox.play_rate") * rng.randint(70, 130) / 10000)
    fans = int(plays * config.get("ad_sandbox.fan_rate") * rng.randint(50, 150) / 10000)
    clicks = int(plays * config.get("ad_sandbox.click_rate") * rng.randint(50, 150) / 10000)
    return {"order": order.pk, "exposures": exposures, "plays": plays, "new_fans": fans,
            "clicks": clicks, "spend": str(spend)}


def ad_sandbox_feed_run(*, now: datetime | None = None) -> PromotionResultBatch | None:
    """What the ad-delivery system would report for the running orders since the last run:
    plausible figures, posted through the signed ingestion like the real feed. The batch
    id is the minute, so a run delivered twice counts once."""
    now = now or timezone.now()
    tick = now.strftime("%Y%m%d%H%M")
    rng = random.Random(tick)  # noqa: S311 - demo figures, not secrets
    orders = (PromotionOrder.objects.filter(status=Status.RUNNING, ends_at__gt=now)
              .order_by("pk")[:config.get("paid_promotion.max_results_per_batch")])
    rows = [row for row in (_sandbox_row(order, rng) for order in orders) if row]
    if not rows:
        return None
    body = json.dumps({"batch_id": f"sandbox-{tick}", "sandbox": True, "results": rows},
                      sort_keys=True).encode()
    batch, _created = promotion_results_ingest(body=body, signature=ad_delivery_sign(body),
                                               now=now)
    return batch
