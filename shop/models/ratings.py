"""Buyers' ratings of stores (DSR)."""


from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.models.orders import (
    Order,
)
from shop.models.stores import (
    Store,
)


class StoreRating(models.Model):
    """DSR rating of one completed order: description, service, logistics (1–5)."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="rating"
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="ratings"
    )
    description = models.PositiveSmallIntegerField(_("description match"))
    service = models.PositiveSmallIntegerField(_("service attitude"))
    logistics = models.PositiveSmallIntegerField(_("logistics"))
    created_at = models.DateTimeField(_("rated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("store rating")
        verbose_name_plural = _("store ratings")
        indexes = [models.Index(fields=["store", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(description__gte=1, description__lte=5)
                & Q(service__gte=1, service__lte=5)
                & Q(logistics__gte=1, logistics__lte=5),
                name="rating_between_1_and_5",
            )
        ]

    def __str__(self):
        return f"{self.order} {self.description}/{self.service}/{self.logistics}"


