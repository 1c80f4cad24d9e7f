"""Merchant actions that move money, end a case or delist are marked for the confirmation
dialog (static/js/confirm.js), which every page loads from static files (no inline
script); without JavaScript the form still submits."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from shop.models import Product
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
)
from tests.shop.test_deposits_fixtures import opened_store

pytestmark = pytest.mark.django_db


def _form(html, action):
    match = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>', html)
    assert match, action
    return match.group(0)


def test_money_and_delisting_forms_ask_first(merchant_client, merchant):
    store = opened_store(merchant)
    sku = listed_sku(store)
    Product.objects.filter(pk=sku.product_id).update(status=Product.Status.LISTED)
    pages = {
        "/seller/deposit/": "/seller/deposit/pay/",
        f"/seller/products/{sku.product_id}/": f"/seller/products/{sku.product_id}/delist/",
        "/seller/products/": "/seller/products/bulk-delist/",
    }
    for url, action in pages.items():
        html = merchant_client.get(url).content.decode()
        form = _form(html, action)
        assert re.search(r'data-confirm="[^"]{10,}"', form), (url, form)


def test_every_page_loads_the_dialog_script_without_inline_script(merchant_client, merchant):
    opened_store(merchant)
    html = merchant_client.get("/seller/deposit/").content.decode()
    assert re.search(r'<script src="/static/js/confirm\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert 'data-confirm-ok="' in html and 'data-confirm-cancel="' in html
    script = Path(django_settings.BASE_DIR, "static/js/confirm.js").read_text()
    assert "showModal" in script and "requestSubmit" in script
