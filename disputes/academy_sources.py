"""What the academy recommends to a merchant from their after-sale cases: the lesson on a
clock the merchant let pass (the 36-hour contact, the reship deadline)."""

from academy import recommendations
from disputes.models import AfterSaleRequest

MISSED_CLOCKS = (("contact_missed", "contact_by"), ("reship_overdue", "reship_by"))


def missed_aftersale_clocks(user, *, since, now):
    for flag, clock in MISSED_CLOCKS:
        at = (AfterSaleRequest.objects.filter(store__merchant=user, updated_at__gte=since,
                                               **{flag: True})
              .order_by("-updated_at").values_list("updated_at", flat=True).first())
        if at is not None:
            yield ("aftersale_clock", clock, at)


recommendations.register(missed_aftersale_clocks)
