"""Notifications (站内信) compliance writes to merchants (see `common.notifications`), and
the helpers its services call at each point. A store's merchant is reached through the
store foreign key (compliance does not import the shop)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.notifications import Kinds, Note, notification_create, notifications_create_bulk
from common.reasons import Label
from compliance.models import Qualification

N = Kinds("compliance", {
    "qualification_expiring": (
        _("Qualification expiring"),
        _("Your qualification “%(type)s” expires on %(date)s: upload a renewed one in time."),
    ),
    "qualification_expired": (
        _("Qualification expired"),
        _("Your qualification “%(type)s” expired on %(date)s: products that need it are "
          "delisted until a renewed one is approved."),
    ),
    "restriction_started": (
        _("Credit-score restriction"),
        _("%(restriction)s: %(why)s"),
    ),
    "measure_applied": (
        _("Management measure"),
        _("The platform applied a measure to your store: %(measure)s."),
    ),
})


def _notify_qualifications(ids, kind: str, *, now) -> None:
    """A sweep batch's notifications, written together (one insert, not one per row)."""
    rows = (Qualification.objects.filter(pk__in=ids).order_by("pk")
            .values_list("pk", "store__merchant_id", "type__name", "expires_at"))
    notifications_create_bulk(kind=N(kind), now=now, notes=[
        Note(recipient_id=merchant_id,
             params={"type": type_name,
                     "date": str(timezone.localdate(expires_at)) if expires_at else ""},
             link=("seller_compliance:qualification", [pk]), key=f"qualification:{pk}")
        for pk, merchant_id, type_name, expires_at in rows])


def notify_qualifications_expiring(ids, *, now) -> None:
    """The expiry warnings of a sweep's batch, once per qualification."""
    _notify_qualifications(ids, "qualification_expiring", now=now)


def notify_qualifications_expired(ids, *, now) -> None:
    _notify_qualifications(ids, "qualification_expired", now=now)


def notify_restriction_started(restriction, *, reason, now) -> None:
    """A credit-score node restriction (a measure's restrictions are told with the
    measure)."""
    if restriction.measure_id is not None:
        return
    notification_create(
        recipient=restriction.store.merchant_id, kind=N("restriction_started"),
        params={"restriction": Label("compliance.Restriction.kind", restriction.kind),
                "why": reason},
        link=("seller_compliance:credit", []), now=now)


def notify_measure_applied(measure, *, now) -> None:
    notification_create(
        recipient=measure.store.merchant_id, kind=N("measure_applied"),
        params={"measure": Label("compliance.Measure.kind", measure.kind)},
        text=measure.reason, link=("seller_compliance:credit", []), now=now)
