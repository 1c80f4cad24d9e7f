"""A lightning product that waited in the review queue and is rejected takes its listing
down: the listing's timeline says why, it leaves the live cart, and the merchant is told."""

import pytest

from common.models import Notification
from compliance.models import ProductReview
from compliance.screening.runtime import forget_compiled
from promotions.models import LightningListing, LightningListingEvent, LiveCartItem
from shop.models import Product
from shop.services.products import product_revision_reject
from tests.promotions.lightning_factories import (
    eligible_store,
    lightning_session,
    load_reference_data,
    quick_listing,
)
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    load_reference_data()
    yield
    forget_compiled()


def test_a_rejected_review_takes_the_listing_down(merchant, reviewer):
    session = lightning_session(eligible_store(merchant))
    listing = quick_listing(session, title="全网第一 加我微信")
    kept = quick_listing(session, title="纯棉短袖")
    product = Product.objects.get(pk=listing.product_id)
    review = ProductReview.objects.get(product=product, status="in_review")
    product_revision_reject(revision=review, actor=reviewer, reason="极限用语")
    listing.refresh_from_db()
    assert listing.status == LightningListing.Status.TAKEN_DOWN
    event = LightningListingEvent.objects.filter(listing=listing).latest("pk")
    assert (event.from_status, event.to_status) == ("active", "taken_down")
    assert event.actor == reviewer
    assert event.reason_code == "promotions.lightning_review_rejected"
    assert "极限用语" in event.reason_display
    assert not LiveCartItem.objects.filter(session=session, product=product).exists()
    note = Notification.objects.get(recipient=merchant,
                                    kind="promotions.lightning_review_rejected")
    assert note.text == "极限用语" and note.params["product"] == product.title
    # another listing of the session is untouched
    kept.refresh_from_db()
    assert kept.status == LightningListing.Status.ACTIVE
    assert LiveCartItem.objects.filter(session=session, product_id=kept.product_id).exists()


def test_a_rejected_review_of_an_ended_listing_changes_nothing(merchant, reviewer):
    from promotions.services.lightning import lightning_listing_end

    session = lightning_session(eligible_store(merchant))
    listing = quick_listing(session, title="全网第一 加我微信")
    lightning_listing_end(listing=listing, actor=merchant)
    review = ProductReview.objects.get(product_id=listing.product_id, status="in_review")
    product_revision_reject(revision=review, actor=reviewer, reason="极限用语")
    listing.refresh_from_db()
    assert listing.status == LightningListing.Status.ENDED
    assert not Notification.objects.filter(kind="promotions.lightning_review_rejected").exists()
