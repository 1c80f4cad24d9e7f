"""The dashboard's invoice tile: how many invoices wait for the merchant (to issue or to
correct) and when the oldest was requested, linking to the invoice to-do list."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from shop.models import Invoice
from shop.selectors.dashboard import todo_tiles
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    store_for,
)
from tests.shop.test_dashboard import _order, _tiles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(request, settings):
    with translation.override("en"):
        if "merchant_client" in request.fixturenames:
            client = request.getfixturevalue("merchant_client")
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        yield


def _invoice(store, buyer, *, status, requested_at):
    return Invoice.objects.create(order=_order(store, buyer), store=store, buyer=buyer,
                                  title="杭州某某科技有限公司", status=status,
                                  requested_at=requested_at)


def test_the_invoice_tile_counts_what_waits_and_shows_the_oldest_request(
        merchant, merchant_client, other_merchant, buyer):
    store, other = store_for(merchant), store_for(other_merchant)
    now = timezone.now()
    oldest = now - timedelta(days=3)
    _invoice(store, buyer, status=Invoice.Status.REQUESTED, requested_at=now - timedelta(hours=2))
    _invoice(store, buyer, status=Invoice.Status.CORRECTION_NEEDED, requested_at=oldest)
    _invoice(store, buyer, status=Invoice.Status.ISSUED, requested_at=now - timedelta(days=9))
    _invoice(other, buyer, status=Invoice.Status.REQUESTED, requested_at=now - timedelta(days=20))
    [tile] = [t for t in todo_tiles(store, now) if t.key == "invoices"]
    assert tile.count == 2 and tile.since == oldest
    count, href, text = _tiles(merchant_client.get("/seller/").content.decode())["invoices"]
    assert count == "2" and href == "/seller/invoices/?status=to_do"
    assert "Invoices to issue" in text and "Oldest request" in text
    assert timezone.localtime(oldest).strftime("%Y-%m-%d %H:%M") in text


def test_no_invoice_tile_when_nothing_waits(merchant, buyer):
    store = store_for(merchant)
    _invoice(store, buyer, status=Invoice.Status.ISSUED, requested_at=timezone.now())
    assert "invoices" not in [t.key for t in todo_tiles(store)]
