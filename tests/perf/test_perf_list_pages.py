"""Each long list page reads a fixed number of queries whatever the number of rows, pages
by keyset in both directions (NULL clocks included), and shows bounded counts."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from common.keyset import CappedCount, keyset_page
from common.pagination import EstimatedCountPaginator
from disputes import selectors
from disputes.models import AfterSaleRequest
from tests.perf.bulk import orders, requests, store_with_sku

pytestmark = pytest.mark.django_db

# The queries of each page (session, user, roles, … and the page's own reads): fixed.
MERCHANT_AFTER_SALES_QUERIES = 9
SUPPORT_QUEUE_QUERIES = 6
ADMIN_CHANGELIST_QUERIES = 8


def _queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm: the first request also reads settings into the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries), response.content.decode()


@pytest.fixture
def superuser_client(db):
    user = get_user_model().objects.create_superuser("t_perf_admin", "a@example.com", "x")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/seller/after-sales/", "/seller/after-sales/?view=all",
                                 "/seller/after-sales/?status=closed"])
def test_merchant_after_sale_list_query_count_is_fixed(merchant, merchant_client, buyer, url):
    store, sku = store_with_sku(merchant)
    requests(store, sku, buyer, 6, tag="a")
    few, _html = _queries(merchant_client, url)
    requests(store, sku, buyer, 60, tag="b")
    many, html = _queries(merchant_client, url)
    assert many == few <= MERCHANT_AFTER_SALES_QUERIES
    assert html.count('href="/seller/after-sales/') >= 20
    assert 'rel="next"' in html
    assert sku.product.title in html  # the product of each row, from the same query


def test_merchant_after_sale_pages_walk_every_row_once(merchant, merchant_client, buyer):
    store, sku = store_with_sku(merchant)
    made = requests(store, sku, buyer, 45)
    open_ids = [r.pk for r in made if not r.finished]
    seen, after = [], ""
    for _ in range(10):
        qs, keys = selectors.merchant_request_view(selectors.merchant_requests([store.pk]), "open")
        page = keyset_page(qs, keys=keys, size=4, after=after, nullable=selectors.NULLABLE_KEYS)
        seen += [r.pk for r in page.object_list]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(open_ids) and len(seen) == len(set(seen))
    # the clocks first, nearest first; those without one (refunding) last
    rows = AfterSaleRequest.objects.in_bulk(seen)
    clocks = [rows[pk].next_deadline for pk in seen]
    with_clock = [c for c in clocks if c is not None]
    assert clocks[:len(with_clock)] == sorted(with_clock) and None in clocks
    # and back again from the last page
    back = keyset_page(qs, keys=keys, size=4, before=page.previous_cursor,
                       nullable=selectors.NULLABLE_KEYS)
    assert [r.pk for r in back.object_list] == seen[-len(page.object_list) - 4:
                                                   -len(page.object_list)]


def test_merchant_counts_stop_at_the_cap(merchant, buyer):
    store, sku = store_with_sku(merchant)
    requests(store, sku, buyer, 30, open_every=1)
    counts = selectors.merchant_request_counts([store.pk], ("pending", "refunding", "closed"),
                                               cap=10)
    assert counts == {"pending": 11, "refunding": 11, "closed": 0}
    assert str(CappedCount(counts["pending"], 10)) == "10+"
    assert str(CappedCount(7, 10)) == "7"


def test_support_queue_query_count_is_fixed(agent_client, buyer):
    store, sku = store_with_sku()
    requests(store, sku, buyer, 5, open_every=1, escalated_every=1, tag="a")
    few, _html = _queries(agent_client, "/support/")
    requests(store, sku, buyer, 50, open_every=1, escalated_every=1, tag="b")
    many, html = _queries(agent_client, "/support/")
    assert many == few <= SUPPORT_QUEUE_QUERIES
    assert 'rel="next"' in html
    ruled, _html = _queries(agent_client, "/support/?state=all")
    assert ruled <= SUPPORT_QUEUE_QUERIES


@pytest.mark.parametrize("url", [
    "/admin/shop/order/", "/admin/shop/order/?status__exact=completed",
    "/admin/disputes/aftersalerequest/", "/admin/shop/storeaccountentry/",
    "/admin/shop/depositentry/", "/admin/compliance/productreview/",
    "/admin/compliance/qualificationreview/", "/admin/compliance/violationappeal/",
    "/admin/compliance/samplinginspection/",
])
def test_admin_changelist_query_count_is_fixed(superuser_client, buyer, url):
    store, sku = store_with_sku()
    requests(store, sku, buyer, 3, tag="a")
    few, _html = _queries(superuser_client, url)
    requests(store, sku, buyer, 40, tag="b")
    many, _html = _queries(superuser_client, url)
    assert many == few <= ADMIN_CHANGELIST_QUERIES


def test_admin_count_stops_at_the_cap(buyer):
    store, sku = store_with_sku()
    orders(store, sku, buyer, 30)
    from shop.models import Order

    class Small(EstimatedCountPaginator):
        cap = 10

    everything = Order.objects.order_by("-pk")
    filtered = everything.filter(status="completed")
    assert Small(everything.filter(pk__lt=0), 5).count == 0
    assert Small(everything[:0], 5).count == 0
    assert Small(filtered, 5).count == 11  # past the cap: the pages stop there
    assert Small(Order.objects.filter(store=store).order_by("pk")[:7], 5).count == 7
    # unfiltered, on PostgreSQL the planner's estimate once ANALYZE has run; else cap + 1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE shop_order")
    assert Small(everything, 5).count >= 11
    assert EstimatedCountPaginator(everything, 5).count == 30
