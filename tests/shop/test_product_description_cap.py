"""A product description is capped by one configured number (product.description_max_length),
enforced by the product service (so every caller, not only the web form, is held to it) and
by the form with the same value."""

import pytest
from django.core.exceptions import ValidationError

from common import config
from common.errors import ApplicationError
from shop.forms import product_description_field
from shop.services import products as svc
from tests.factories import StoreFactory, leaf_category

pytestmark = pytest.mark.django_db

SKUS = [{"attributes": {"颜色": "白"}, "price": "59.00", "stock": 1, "code": ""}]


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def leaf():
    return leaf_category(code="t_root.mid.tee", name="T恤")


def _create(store, leaf, description):
    return svc.product_create(
        store=store, actor=store.merchant, kind="own",
        data={"title": "纯棉T恤", "category_id": leaf.pk, "description": description},
        skus=SKUS,
    )


def test_the_default_cap_is_what_the_web_form_always_allowed():
    assert config.get("product.description_max_length") == 5000


def test_the_service_refuses_a_description_over_the_cap(store, leaf):
    limit = config.get("product.description_max_length")
    assert _create(store, leaf, "好" * limit).description == "好" * limit
    with pytest.raises(ApplicationError) as info:
        _create(store, leaf, "好" * 700_000)
    assert info.value.code == "description_long"
    assert info.value.field == "description"


def test_the_service_and_the_form_follow_the_configured_cap(store, leaf):
    config.set_value("product.description_max_length", 10)
    _create(store, leaf, "好" * 10)
    with pytest.raises(ApplicationError):
        _create(store, leaf, "好" * 11)
    field = product_description_field()
    assert field.clean("好" * 10) == "好" * 10
    with pytest.raises(ValidationError) as info:
        field.clean("好" * 11)
    assert "10" in str(info.value)


def test_editing_a_product_is_held_to_the_cap_too(store, leaf):
    product = _create(store, leaf, "短")
    config.set_value("product.description_max_length", 10)
    with pytest.raises(ApplicationError) as info:
        svc.product_update(product=product, actor=store.merchant, skus=SKUS,
                           data={"title": "纯棉T恤", "category_id": leaf.pk,
                                 "description": "好" * 11})
    assert info.value.code == "description_long"
