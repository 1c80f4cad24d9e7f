"""django-q2 entry points of the promotions app: take now, call one service."""

from django.utils import timezone

from promotions.services.ads import ad_sandbox_enabled, ad_sandbox_feed_run


def ad_sandbox_feed():
    """The sandbox delivery feed: while sandbox mode is on, post plausible results for the
    running promotion orders (signed like the real feed). Off: does nothing."""
    if not ad_sandbox_enabled():
        return {"enabled": False}
    batch = ad_sandbox_feed_run(now=timezone.now())
    return {"enabled": True, "batch": batch.batch_id if batch else None}
