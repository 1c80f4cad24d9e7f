"""What the academy recommends to a merchant from their store: the deposit lesson while a
deposit is short."""

from academy import recommendations
from shop.models import DepositAccount


def deposit_shortfall_hits(user, *, since, now):
    short = (DepositAccount.objects.filter(store__merchant=user, shortfall__gt=0,
                                           closed_at__isnull=True)
             .order_by("-updated_at").values_list("updated_at", flat=True).first())
    if short is not None:
        yield ("deposit_page", "", short)


recommendations.register(deposit_shortfall_hits)
