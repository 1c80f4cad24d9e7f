"""The platform's invitations into invitation-only categories (rough jadeite 翡翠原石,
邀请制): a reviewer invites an industry-belt base store, with a reason, or withdraws the
invitation. The invited store may list in the category and its store deposit counts the
category's base amount at once."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.reasons import reason_fields
from common.workflows import transition_apply
from compliance.models import Category
from shop.models import CategoryInvitation, CategoryInvitationEvent, Product, Store
from shop.rules.deposits import INVITATION_TRANSITIONS


def category_invitation_problem(*, store: Store, category: Category) -> str | None:
    """Why `store` cannot be invited into `category` (a message), or None."""
    if not any(node.invitation_only for node in category.ancestors_and_self()):
        return _("“%(name)s” is not an invitation-only category.") % {"name": category.name}
    if store.status != Store.Status.OPEN:
        return _("Only an open store can be invited.")
    if not store.industry_base:
        return _("Only a store inside an industry-belt base can be invited into “%(name)s”.") % {
            "name": category.name}
    return None


def category_invitation_transition(invitation: CategoryInvitation, to: str, *, actor, reason,
                                   now: datetime, fields: dict | None = None):
    """Move a locked invitation to `to`, inside the caller's transaction, with its event."""
    return transition_apply(invitation, table=INVITATION_TRANSITIONS, to=to, actor=actor,
                            reason=reason, now=now, event_model=CategoryInvitationEvent,
                            event_fk="invitation", fields=fields)


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason."), code="reason_required", field="reason")
    return reason


def _deposit_evaluate_on_commit(store, actor):
    from shop.services.deposits import deposit_evaluate

    transaction.on_commit(lambda: deposit_evaluate(store=store, actor=actor))


@transaction.atomic
def category_invite(*, store: Store, category: Category, actor, reason: str,
                    now: datetime | None = None) -> CategoryInvitation:
    """Invite a base store into an invitation-only category."""
    now = now or timezone.now()
    reason = _reason_required(reason)
    store = Store.objects.select_for_update().get(pk=store.pk)
    problem = category_invitation_problem(store=store, category=category)
    if problem:
        raise ApplicationError(problem, code="not_invitable", field="category")
    try:
        with transaction.atomic():
            invitation = CategoryInvitation.objects.create(
                store=store, category=category, invited_by=actor, created_at=now)
    except IntegrityError:
        raise ApplicationError(_("This store is already invited into this category."),
                               code="already_invited", field="category")
    CategoryInvitationEvent.objects.create(
        invitation=invitation, from_status="", to_status=invitation.status, actor=actor, at=now,
        **reason_fields(reason))
    _deposit_evaluate_on_commit(store, actor)
    return invitation


@transaction.atomic
def category_invitation_withdraw(*, invitation: CategoryInvitation, actor, reason: str,
                                 now: datetime | None = None) -> CategoryInvitation:
    """Withdraw a standing invitation: the store's products on sale in the category are
    delisted (by the reviewer, with the same reason), it may no longer submit products there
    (one in review is refused at approval), and its deposit requirement no longer counts
    the category."""
    from shop.services.products import product_delist

    now = now or timezone.now()
    reason = _reason_required(reason)
    invitation = CategoryInvitation.objects.select_for_update().select_related("store").get(
        pk=invitation.pk)
    category_invitation_transition(
        invitation, CategoryInvitation.Status.WITHDRAWN, actor=actor, reason=reason, now=now,
        fields={"withdrawn_at": now})
    category_id = invitation.category_id
    listed = Product.objects.filter(
        Q(category_id=category_id) | Q(category__parent_id=category_id)
        | Q(category__parent__parent_id=category_id),
        store_id=invitation.store_id, status=Product.Status.LISTED,
    ).order_by("pk")
    for product in listed:
        product_delist(product=product, actor=actor, reason=reason,
                       cause=Product.DelistedCause.REVIEWER, now=now)
    _deposit_evaluate_on_commit(invitation.store, actor)
    return invitation
