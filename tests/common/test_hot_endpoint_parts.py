"""The parts the buying endpoint reuses on every request: serializers whose fields are
built once per thread (common.serializers.Reused) and the token lookup built once
(common.authentication) answer exactly as DRF's own do."""

import threading

import pytest
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from common.serializers import Reused
from shop.api import serializers as s
from shop.api.buyer import _PlacedOrderOut
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db


def test_a_reused_serializer_represents_as_a_new_one_does(merchant, buyer):
    order = place(buyer, listed_sku(store_for(merchant), stock=5), 2)
    request = Request(APIRequestFactory().post("/api/buyer/orders/"))
    reused = Reused(_PlacedOrderOut)
    for _ in range(2):
        assert reused.represent(order, {"request": request}) == \
            _PlacedOrderOut(order, context={"request": request}).data
    assert reused._local.serializer._context == {}  # no request kept after the call


@pytest.mark.parametrize("data", [
    {"items": [], "address": ADDRESS},
    {"items": [{"sku": "x", "quantity": 0}], "address": {**ADDRESS, "phone": ""}},
    {"items": [{"sku": 1, "quantity": 1}], "address": ADDRESS, "note": 5},
    "not an object",
    None,
])
def test_a_reused_serializer_refuses_as_a_new_one_does(data):
    fresh = s.OrderPlaceIn(data=data)
    assert not fresh.is_valid()
    reused = Reused(s.OrderPlaceIn)
    with pytest.raises(ValidationError) as refused:
        reused.validate(data)
    if data is None:  # DRF words a null body in English only; the same code, translated
        assert refused.value.get_codes() == {"non_field_errors": ["null"]}
        assert fresh.errors["non_field_errors"][0].code == "null"
    else:
        assert refused.value.detail == fresh.errors


def test_a_reused_serializer_accepts_as_a_new_one_does():
    data = {"items": [{"sku": 3, "quantity": 2}], "address": ADDRESS, "coupon": 0}
    fresh = s.OrderPlaceIn(data=data)
    assert fresh.is_valid()
    assert Reused(s.OrderPlaceIn).validate(data) == fresh.validated_data


def test_each_thread_has_its_own_instance():
    class Out(serializers.Serializer):
        who = serializers.SerializerMethodField()

        def get_who(self, obj):
            return self.context["who"]

    reused, seen, barrier = Reused(Out), {}, threading.Barrier(4)

    def work(name):
        barrier.wait()
        for _ in range(200):
            assert reused.represent(object(), {"who": name}) == {"who": name}
        seen[name] = id(reused._local.serializer)

    threads = [threading.Thread(target=work, args=(n,)) for n in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and len(set(seen.values())) == 4


def test_token_authentication_answers_as_drfs(buyer):
    token = Token.objects.create(user=buyer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/buyer/orders/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    unknown = client.get("/api/buyer/orders/")
    assert unknown.status_code == 401 and unknown.json()["detail"]
    buyer.is_active = False
    buyer.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    inactive = client.get("/api/buyer/orders/")
    assert inactive.status_code == 401 and inactive.json()["detail"] != unknown.json()["detail"]
