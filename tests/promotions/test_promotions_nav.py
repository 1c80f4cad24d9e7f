"""The menu highlights the one promotions section the merchant is in."""

import re

import pytest

from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "section"), [
    ("/seller/promotions/flash-sales/", "/seller/promotions/flash-sales/"),
    ("/seller/promotions/flash-sales/new/", "/seller/promotions/flash-sales/"),
    ("/seller/promotions/coupons/", "/seller/promotions/coupons/"),
    ("/seller/promotions/coupons/new/", "/seller/promotions/coupons/"),
    ("/seller/promotions/live/", "/seller/promotions/live/"),
    ("/seller/promotions/videos/", "/seller/promotions/videos/"),
    ("/seller/promotions/videos/new/", "/seller/promotions/videos/"),
    ("/seller/promotions/ads/", "/seller/promotions/ads/"),
    ("/seller/promotions/ads/new/", "/seller/promotions/ads/"),
    ("/seller/promotions/ads/compare/", "/seller/promotions/ads/"),
])
def test_only_the_section_of_the_page_is_current(merchant, merchant_client, url, section):
    store_for(merchant)
    html = merchant_client.get(url).content.decode()
    current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', html)
    assert current == [section]
    assert 'aria-disabled="true"' not in html.split('class="sidenav"', 1)[1].split("</nav>")[0]
