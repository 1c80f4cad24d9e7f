"""Market-management measures (市场管理措施): a reviewer applies one with a reason and an
optional end date, and lifts it with a reason; each move leaves an event row. Restricting
measures hold restrictions (read by `restrictions_for`); delisting measures ask shop to
take the products off sale."""

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import config
from common.errors import ApplicationError
from common.reasons import reason_fields
from common.workflows import transition_apply
from compliance import hooks
from compliance.enforcement import rules
from compliance.enforcement.conf import BAN_STEP_COUNT
from compliance.enforcement.models import Measure, MeasureEvent, Restriction
from compliance.enforcement.services import (
    due_batches,
    restriction_start,
    restriction_transition,
)
from compliance.notifications import notify_measure_applied
from compliance.reasons import R

PROBLEMS = {
    "unknown_kind": gettext_lazy("Unknown measure."),
    "product_missing": gettext_lazy("Choose the product to delist."),
    "end_from_ladder": gettext_lazy(
        "An account ban in steps lasts as its step says: leave the end date empty."),
    "end_not_allowed": gettext_lazy("A permanent ban has no end date."),
    "end_in_past": gettext_lazy("The end date must be in the future."),
}
PROBLEM_FIELDS = {"product_missing": "product", "end_from_ladder": "ends_at",
                  "end_not_allowed": "ends_at", "end_in_past": "ends_at", "unknown_kind": "kind"}


def measure_transition(measure: Measure, to: str, *, actor, reason, now: datetime,
                       fields: dict | None = None):
    """The one writer of a measure's status (the row is locked by the caller)."""
    return transition_apply(measure, table=rules.MEASURE_TRANSITIONS, to=to, actor=actor,
                            reason=reason, now=now, event_model=MeasureEvent,
                            event_fk="measure", fields=fields)


def ban_ladder() -> tuple[int, ...]:
    """The configured durations of the account ban in steps, in days (0: permanent)."""
    return tuple(config.get(f"measure.ban_step{i}.days") for i in range(1, BAN_STEP_COUNT + 1))


def _ban_step_next(store_id: int) -> int:
    """The step a new account ban of the store's merchant (one store per merchant) takes:
    every earlier ban counts, whether it ran its course or was lifted. The earlier bans are
    locked so two reviewers banning at once do not both take the same step."""
    earlier = Measure.objects.filter(kind=rules.M_ACCOUNT_BAN_STEP, store_id=store_id)
    list(earlier.select_for_update().values_list("pk", flat=True))
    previous = earlier.aggregate(step=Max("ban_step"))["step"]
    return rules.ban_step_next(previous, ban_ladder())


def _reason_or_raise(reason: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(message, code="no_reason", field="reason")
    return reason


@transaction.atomic
def measure_apply(*, store, kind: str, reason: str, actor, ends_at: datetime | None = None,
                  product=None, now: datetime | None = None) -> Measure:
    now = now or timezone.now()
    reason = _reason_or_raise(reason, _("A measure needs a reason."))
    problem = rules.measure_problem(kind, has_product=product is not None, ends_at=ends_at,
                                    now=now)
    if problem:
        raise ApplicationError(str(PROBLEMS[problem]), code=problem, field=PROBLEM_FIELDS[problem])
    store_id = getattr(store, "pk", store)
    if product is not None and product.store_id != store_id:
        raise ApplicationError(_("The product is not one of this store's."),
                               code="product_not_of_store", field="product")
    ban_step, data = None, {}
    if kind == rules.M_ACCOUNT_BAN_STEP:
        ban_step = _ban_step_next(store_id)
        ends_at = rules.ban_step_ends_at(ban_step, ban_ladder(), now)
        data = {"ban_step": ban_step, "days": ban_ladder()[ban_step - 1]}
    measure = Measure.objects.create(store_id=store_id, kind=kind, product=product,
                                     starts_at=now, ends_at=ends_at, ban_step=ban_step,
                                     applied_by=actor, status=Measure.Status.ACTIVE,
                                     **reason_fields(reason))
    MeasureEvent.objects.create(measure=measure, from_status="", to_status=measure.status,
                                actor=actor, at=now, data=data, **reason_fields(reason))
    for kind_restricted in rules.MEASURE_RESTRICTS[kind]:
        restriction_start(store_id=store_id, kind=kind_restricted, starts_at=now,
                          ends_at=ends_at, actor=actor, reason=reason, measure=measure)
    if kind in (rules.M_DELIST_PRODUCT, rules.M_DELIST_STORE):
        hooks.announce(hooks.PRODUCTS_DELIST, store_id=store_id,
                       product_ids=[product.pk] if product is not None else None,
                       reason=reason, actor=actor, now=now)
    notify_measure_applied(measure, now=now)
    return measure


def _end_restrictions(measure: Measure, to: str, *, actor, reason, now: datetime) -> None:
    rows = Restriction.objects.select_for_update().filter(
        measure=measure, status=Restriction.Status.ACTIVE).order_by("pk")
    for restriction in rows:
        restriction_transition(restriction, to, actor=actor, reason=reason, now=now)


@transaction.atomic
def measure_lift(*, measure: Measure, reason: str, actor, now: datetime | None = None
                 ) -> Measure:
    """Lift a measure once the risk is gone (the reason is required)."""
    now = now or timezone.now()
    reason = _reason_or_raise(reason, _("Lifting a measure needs a reason."))
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    measure_transition(measure, Measure.Status.LIFTED, actor=actor, reason=reason, now=now,
                       fields={"lifted_by": actor, "lifted_at": now, "lift_reason": reason})
    _end_restrictions(measure, Restriction.Status.LIFTED, actor=actor, reason=reason, now=now)
    return measure


def measures_end_due(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Measures whose end date came end by themselves, with their restrictions."""
    now = now or timezone.now()

    def end(measure):
        measure_transition(measure, Measure.Status.ENDED, actor=None, now=now,
                           reason=R("restriction_ended"))
        _end_restrictions(measure, Restriction.Status.ENDED, actor=None, now=now,
                          reason=R("restriction_ended"))

    due = Measure.objects.filter(status=Measure.Status.ACTIVE, ends_at__lte=now)
    return due_batches(due, end, batch_size, order=("ends_at",))
