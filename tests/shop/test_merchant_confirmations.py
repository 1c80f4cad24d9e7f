"""Merchant actions that move money or take products off sale need the "I confirm" box,
checked on the server: without it nothing happens (bulk delisting, a withdrawal)."""

import re
from decimal import Decimal

import pytest

from shop.models import Product, Withdrawal
from tests.factories import ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_bulk_delisting_needs_the_confirmation(merchant_client, merchant):
    store = StoreFactory(merchant=merchant)
    products = [ProductFactory(store=store, status=Product.Status.LISTED) for _ in range(2)]
    html = merchant_client.get("/seller/products/").content.decode()
    assert re.search(r'<input type="checkbox" name="confirm" value="1" required>', html)
    ids = [p.pk for p in products]
    merchant_client.post("/seller/products/bulk-delist/", {"ids": ids})
    assert Product.objects.filter(pk__in=ids, status=Product.Status.LISTED).count() == 2
    merchant_client.post("/seller/products/bulk-delist/", {"ids": ids, "confirm": "1"})
    assert Product.objects.filter(pk__in=ids, status=Product.Status.DELISTED).count() == 2


def test_a_withdrawal_needs_the_confirmation(merchant_client, merchant, reviewer):
    from shop.services.accounts import store_account_adjust
    from tests.shop.test_deposits_fixtures import opened_store, token

    store = opened_store(merchant)
    store_account_adjust(store=store, amount=Decimal("800"), actor=reviewer, reason="测试",
                         token=token())
    page = merchant_client.get("/seller/account/").content.decode()
    assert 'name="confirm"' in page
    tok = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    merchant_client.post("/seller/account/withdraw/", {"amount": "50", "token": tok})
    assert not Withdrawal.objects.exists()
    merchant_client.post("/seller/account/withdraw/",
                         {"amount": "50", "token": tok, "confirm": "on"})
    assert Withdrawal.objects.filter(token=tok).count() == 1
