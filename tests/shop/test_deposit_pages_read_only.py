"""A GET of a deposit, store-account or closure page writes nothing: the pages read
through selectors; the accounts are opened by the services that need them (opening the
store, a pay-in, an evaluation)."""

import pytest

from shop.models import (
    ClosureApplication,
    DepositAccount,
    DepositEntry,
    DepositPayIn,
    StoreAccount,
    StoreAccountEntry,
    Withdrawal,
)
from shop.selectors import deposits as selectors
from shop.services.deposits import deposit_payin_start
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)
from tests.shop.test_deposits_fixtures import new_store, opened_store, token

pytestmark = pytest.mark.django_db

MODELS = (DepositAccount, DepositEntry, DepositPayIn, StoreAccount, StoreAccountEntry,
          Withdrawal, ClosureApplication)
PAGES = ("/seller/deposit/", "/seller/account/", "/seller/closure/")


@pytest.fixture(autouse=True)
def _no_open_cases(monkeypatch):
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", ())


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.parametrize("url", PAGES)
def test_a_get_of_a_page_of_a_store_without_accounts_creates_no_row(merchant_client, merchant,
                                                                     url):
    new_store(merchant)  # no deposit or store account yet
    before = _counts()
    response = merchant_client.get(url)
    assert response.status_code == 200
    assert _counts() == before
    assert before["DepositAccount"] == before["StoreAccount"] == 0


@pytest.mark.parametrize("url", PAGES)
def test_a_get_of_a_page_of_an_opened_store_creates_no_row(merchant_client, merchant, url):
    opened_store(merchant)
    before = _counts()
    assert merchant_client.get(url).status_code == 200
    assert _counts() == before


def test_a_get_of_the_payin_page_creates_no_row(merchant_client, merchant):
    store = opened_store(merchant)
    payin, _info = deposit_payin_start(store=store, kind=DepositAccount.Kind.STORE,
                                       amount="500", actor=merchant, token=token())
    before = _counts()
    assert merchant_client.get(f"/seller/deposit/payments/{payin.pk}/").status_code == 200
    assert _counts() == before


def test_the_deposit_page_of_a_store_without_accounts_shows_what_is_required(
        merchant_client, merchant):
    new_store(merchant)
    body = merchant_client.get("/seller/deposit/").content.decode()
    assert "¥500.00" in body  # the configured base amount, still to pay


def test_approving_an_application_opens_the_accounts(reviewer):
    from shop.services.onboarding import application_approve
    from tests.factories import MerchantApplicationFactory

    application = MerchantApplicationFactory(status="pending")
    store = application_approve(application=application, actor=reviewer)
    assert set(DepositAccount.objects.filter(store=store).values_list("kind", flat=True)) == {
        DepositAccount.Kind.STORE, DepositAccount.Kind.PROMOTION}
    assert StoreAccount.objects.filter(store=store).exists()
