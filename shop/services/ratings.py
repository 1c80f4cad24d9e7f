"""DSR (店铺评分): a buyer rates a completed order once on description match, service
attitude and logistics, 1 to 5 each."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from shop.models import Order, StoreRating
from shop.rules.orders import DSR_DIMENSIONS, rating_value_valid
from shop.services.orders import order_lock


def store_rating_create(
    *, order: Order, actor, description, service, logistics, now: datetime | None = None
) -> StoreRating:
    now = now or timezone.now()
    values = {"description": description, "service": service, "logistics": logistics}
    for name in DSR_DIMENSIONS:
        if not rating_value_valid(values[name]):
            raise ApplicationError(
                _("Each score is a whole number from 1 to 5."), code="invalid_rating", field=name
            )
    try:
        with transaction.atomic():
            order = order_lock(order)
            if order.buyer_id != actor.pk:
                raise ApplicationError(_("This is not your order."), code="not_yours")
            if order.status != Order.Status.COMPLETED:
                raise ApplicationError(_("An order can be rated once it is completed."),
                                       code="not_completed")
            if StoreRating.objects.filter(order=order).exists():
                raise ApplicationError(_("This order has already been rated."),
                                       code="already_rated")
            return StoreRating.objects.create(
                order=order, store_id=order.store_id, created_at=now, **values
            )
    except IntegrityError:
        # Two ratings at once: the unique order column let only one in.
        raise ApplicationError(_("This order has already been rated."), code="already_rated")
