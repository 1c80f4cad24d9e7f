"""Cross-tenant sweep, generated from the URL configuration: every merchant page, every
/api/seller/ and /api/buyer/ endpoint with an object in its path is requested by merchant
(or buyer) B with merchant (or buyer) A's object, with every method it takes. The answer is
404 (405 where the route does not take the method), never a success and never a change in
the database.

A route with a parameter must be in OWNED (how to make A's object) or NOT_OWNED (why there
is no owner to cross): a new URL fails `test_every_route_with_a_parameter_is_classified`
until someone says which it is."""

import hashlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from compliance.screening.runtime import forget_compiled
from tests.security.tenants import World
from tests.security.urlmap import routes
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# --- what each parameter of each owned route is, as A's object ---------------------------
OWNED = {
    # merchant pages (/seller/...)
    "seller_compliance:qualification": lambda w: {"pk": w.a_qualification.pk},
    "seller_compliance:qualification_file": lambda w: {"pk": w.a_qualification_file.pk},
    "seller_compliance:violation": lambda w: {"pk": w.a_violation.pk},
    "seller_compliance:violation_file": lambda w: {"pk": w.a_violation_file.pk},
    "seller_compliance:inspection": lambda w: {"pk": w.a_inspection.pk},
    "seller_compliance:inspection_fee_pay": lambda w: {"pk": w.a_inspection.pk},
    "seller_compliance:inspection_file": lambda w: {"pk": w.a_inspection_file.pk},
    "seller_aftersales:attachment": lambda w: {"pk": w.a_attachment.pk},
    "seller_aftersales:detail": lambda w: {"pk": w.a_after_sale.pk},
    "seller_aftersales:action": lambda w: {"pk": w.a_after_sale.pk, "action": "approve_return"},
    "seller_promotions:coupons_detail": lambda w: {"pk": w.a_coupon.pk},
    "seller_promotions:coupons_copy": lambda w: {"pk": w.a_coupon.pk},
    "seller_promotions:coupons_quantity": lambda w: {"pk": w.a_coupon.pk},
    "seller_promotions:coupons_stop": lambda w: {"pk": w.a_coupon.pk},
    "seller_promotions:coupons_drop": lambda w: {"pk": w.a_coupon.pk},
    "seller_promotions:live_end": lambda w: {"pk": w.a_live.pk},
    "seller_promotions:live_session": lambda w: {"pk": w.a_live.pk},
    "seller_promotions:live_session_results": lambda w: {"pk": w.a_live.pk},
    "seller_promotions:live_cart_selling": lambda w: {"pk": w.a_live.pk},
    "seller_promotions:live_cart_add": lambda w: {"pk": w.a_live.pk},
    "seller_promotions:live_cart_present_none": lambda w: {"pk": w.a_live.pk},
    "seller_promotions:live_cart_remove": lambda w: {"pk": w.a_live.pk, "item": w.a_live_item.pk},
    "seller_promotions:live_cart_move": lambda w: {"pk": w.a_live.pk, "item": w.a_live_item.pk},
    "seller_promotions:live_cart_present": lambda w: {"pk": w.a_live.pk,
                                                      "item": w.a_live_item.pk},
    "seller_promotions:videos_detail": lambda w: {"pk": w.a_video.pk},
    "seller_promotions:videos_remove": lambda w: {"pk": w.a_video.pk},
    "seller_promotions:flash_sales_detail": lambda w: {"pk": w.a_flash_sale.pk},
    "seller_promotions:flash_sales_action": lambda w: {"pk": w.a_flash_sale.pk,
                                                       "action": "cancel"},
    "seller_promotions:lightning_session": lambda w: {"pk": w.a_live.pk},
    "seller_promotions:lightning_end": lambda w: {"pk": w.a_lightning_listing.pk},
    "seller_promotions:selection_offers_detail": lambda w: {"pk": w.a_offer.pk},
    "seller_promotions:selection_offers_withdraw": lambda w: {"pk": w.a_offer.pk},
    "seller_promotions:ads_detail": lambda w: {"pk": w.a_promotion_order.pk},
    "seller_promotions:ads_extend": lambda w: {"pk": w.a_promotion_order.pk},
    "seller_promotions:ads_cancel": lambda w: {"pk": w.a_promotion_order.pk},
    "seller_promotions:campaigns_entry": lambda w: {"pk": w.a_campaign_entry.pk},
    "seller_promotions:campaigns_entry_withdraw": lambda w: {"pk": w.a_campaign_entry.pk},
    "seller_notifications:read": lambda w: {"pk": w.a_notification.pk},
    "seller:invoices_detail": lambda w: {"pk": w.a_invoice.pk},
    "seller:invoices_file": lambda w: {"pk": w.a_invoice.pk},
    "seller:application_licence": lambda w: {"pk": w.a_application.pk},
    "seller:products_detail": lambda w: {"pk": w.a_product.pk},
    "seller:products_edit": lambda w: {"pk": w.a_product.pk},
    "seller:products_submit": lambda w: {"pk": w.a_product.pk},
    "seller:products_delist": lambda w: {"pk": w.a_product.pk},
    "seller:products_stock": lambda w: {"pk": w.a_sku.pk},
    "seller:orders_detail": lambda w: {"number": w.a_order.number},
    "seller:orders_ship": lambda w: {"number": w.a_order.number},
    "seller:deposit_payin": lambda w: {"pk": w.a_payin.pk},
    "seller:deposit_payin_confirm": lambda w: {"pk": w.a_payin.pk},
    "seller:closure_withdraw": lambda w: {"pk": w.a_closure.pk},
    # merchant API (/api/seller/...)
    "seller-aftersale": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-contact": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-approve": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-reject": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-confirm-receipt": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-reship": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-propose-offline": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-accept-ruling": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-escalate": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-message": lambda w: {"pk": w.a_after_sale.pk},
    "seller-aftersale-evidence": lambda w: {"pk": w.a_after_sale.pk},
    "merchant-aftersale-attachment": lambda w: {"pk": w.a_after_sale.pk,
                                                "attachment_id": w.a_attachment.pk},
    "seller-order": lambda w: {"number": w.a_order.number},
    "seller-order-ship": lambda w: {"number": w.a_order.number},
    "seller-sku-stock": lambda w: {"pk": w.a_sku.pk},
    "seller-campaign-entry": lambda w: {"pk": w.a_campaign_entry.pk},
    "seller-promotion-order": lambda w: {"pk": w.a_promotion_order.pk},
    # buyer API (/api/buyer/...): buyer A's orders and requests, asked for by buyer B
    "buyer-aftersale": lambda w: {"pk": w.a_after_sale.pk},
    "buyer-aftersale-waybill": lambda w: {"pk": w.a_after_sale.pk},
    "buyer-aftersale-message": lambda w: {"pk": w.a_after_sale.pk},
    "buyer-aftersale-evidence": lambda w: {"pk": w.a_after_sale.pk},
    "buyer-aftersale-escalate": lambda w: {"pk": w.a_after_sale.pk},
    "buyer-aftersale-cancel": lambda w: {"pk": w.a_after_sale.pk},
    "buyer-aftersale-attachment": lambda w: {"pk": w.a_after_sale.pk,
                                             "attachment_id": w.a_attachment.pk},
    "buyer-order": lambda w: {"number": w.a_order.number},
    "buyer-order-pay": lambda w: {"number": w.a_unpaid_order.number},
    "buyer-order-cancel": lambda w: {"number": w.a_unpaid_order.number},
    "buyer-order-confirm": lambda w: {"number": w.a_order.number},
    "buyer-order-rating": lambda w: {"number": w.a_order.number},
    "buyer-invoice": lambda w: {"pk": w.a_invoice.pk},
    "buyer-invoice-file": lambda w: {"pk": w.a_invoice.pk},
}

# Routes whose parameter names something with no owner to cross, and why.
_SELECTION = ("the selection center offers another store's products to every promoter by "
              "design; a store's own or unoffered products are 404 "
              "(tests/promotions/test_selection_center.py)")
_CAMPAIGN = "platform campaigns are the platform's, shown to every merchant and buyer"
NOT_OWNED = {
    "academy:course": "academy content is the same for every merchant",
    "academy:lesson": "academy content is the same for every merchant",
    "academy:topic": "academy content is the same for every merchant",
    "academy:case": "academy cases are published to every merchant",
    "buyer-coupon-claim": "a published coupon is claimable by any buyer (its own rules apply)",
    "buyer-store-products": "a store's listed products are the public catalogue",
    "buyer-flash-sale": "a published flash sale is public",
    "buyer-live-session": "a live session is watched by any buyer",
    "buyer-video": "a published short video is public",
    "webhook-payment": "the provider's signed callback, not a user's object",
    "public:public_store": "a store's public page",
    "public:public_product": "a listed product's public page",
    "seller_promotions:selection_detail": _SELECTION,
    "seller_promotions:selection_add_to_cart": _SELECTION,
    "seller_promotions:selection_link_to_video": _SELECTION,
    "seller_promotions:campaigns_detail": _CAMPAIGN,
    "buyer-campaign-products": _CAMPAIGN,
    "buyer-product-campaign": _CAMPAIGN,
    "seller:orders_export": "the parameter is a file format, not an object (own orders only: "
                            "tests/shop/test_order_export.py)",
    "public:public_media": "public images only (tests/security/test_security_uploads.py)",
    # The support workbench is the platform's: agents see every case. Merchants and buyers
    # are refused the whole area (SUPPORT below), their own cases included.
    "support:case": "support area",
    "support:case_take": "support area",
    "support:case_assign": "support area",
    "support:case_message": "support area",
    "support:case_rule": "support area",
    "support:attachment": "support area",
}
SUPPORT = {
    "support:case": lambda w: {"pk": w.a_escalated_case.pk},
    "support:case_take": lambda w: {"pk": w.a_escalated_case.pk},
    "support:case_assign": lambda w: {"pk": w.a_escalated_case.pk},
    "support:case_message": lambda w: {"pk": w.a_escalated_case.pk},
    "support:case_rule": lambda w: {"pk": w.a_escalated_case.pk},
    "support:attachment": lambda w: {"pk": w.a_attachment.pk},
}

# Nested routes: B's own parent with A's child must not reach A's child either: nothing
# changes, and the answer is the one for a child id that does not exist (no oracle).
MIXED = {
    "seller_promotions:live_cart_remove": lambda w: {"pk": w.b_live.pk, "item": w.a_live_item.pk},
    "seller_promotions:live_cart_move": lambda w: {"pk": w.b_live.pk, "item": w.a_live_item.pk},
    "seller_promotions:live_cart_present": lambda w: {"pk": w.b_live.pk,
                                                      "item": w.a_live_item.pk},
}

# What a form or a JSON body could carry: enough to make a careless view do something.
PAYLOAD = {
    "confirm": "1", "reason": "安全扫描", "text": "安全扫描", "message": "安全扫描",
    "note": "安全扫描", "quantity": "999", "stock": "999", "courier": "SF",
    "waybill_number": "SF0000000001", "direction": "up", "kind": "photo", "score": "5",
    "refusal": "x", "enabled": "on", "product_id": "1",
}

ROUTES = {r.name: r for r in routes()}
PARAMETRISED = [r for r in ROUTES.values() if r.params]


def _fingerprint():
    """Every row of every project table, hashed per table: a request that changes, adds or
    deletes anything shows up (sessions, axes and Django's own tables are not ours)."""
    digests = {}
    for app in ("common", "payments", "compliance", "shop", "promotions", "disputes",
                "academy"):
        for model in apps.get_app_config(app).get_models():
            rows = model._default_manager.order_by("pk").values_list()
            digests[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


@pytest.fixture
def world(merchant, other_merchant, buyer, other_buyer, reviewer, agent, settings):
    # The sandbox cashier pages exist only where the sandbox is on: swept with it on, they
    # are looked at, not skipped by their own 404.
    settings.PAYMENT_SANDBOX_ENABLED = True
    yield World(merchant, other_merchant, buyer, other_buyer, reviewer, agent)
    # The lightning listing loads the screening rules: their compiled form goes with the
    # test's database.
    forget_compiled()


def _asker(route, world):
    """Who asks for A's object: merchant B on merchant pages and the merchant API, buyer B
    on the buyer API."""
    if route.route.startswith("api/"):
        client = APIClient()
        is_buyer = route.route.startswith("api/buyer/")
        client.force_authenticate(world.other_buyer if is_buyer else world.other_merchant)
        return client
    client = Client()
    client.force_login(world.other_merchant)
    return client


def _send(client, method, url, is_api):
    if method == "GET":
        return client.get(url)
    if is_api:
        return getattr(client, method.lower())(url, PAYLOAD, format="json")
    return getattr(client, method.lower())(url, PAYLOAD)


def _sweep(route, kwargs, world, client, allowed):
    url = reverse(route.name, kwargs=kwargs)
    world.b_store  # noqa: B018 - B is a merchant with a store of its own
    before = _fingerprint()
    answers = {}
    for method in route.methods():
        response = _send(client, method, url, route.route.startswith("api/"))
        answers[method] = response.status_code
    assert all(code in allowed for code in answers.values()), (url, answers)
    after = _fingerprint()
    changed = sorted(label for label in before if before[label] != after[label])
    assert changed == [], (url, answers, changed)
    return answers


def test_every_route_with_a_parameter_is_classified():
    unnamed = [str(r) for r in PARAMETRISED if not r.name]
    unknown = [str(r) for r in PARAMETRISED
               if r.name and r.name not in OWNED and r.name not in NOT_OWNED]
    assert unnamed == [], "name these routes so the security sweep can classify them"
    assert unknown == [], (
        "new routes with an object in the path: add them to OWNED (a factory for merchant or "
        "buyer A's object) or NOT_OWNED (why nobody owns it) in this file")


def test_the_tables_name_only_routes_that_exist():
    names = set(ROUTES)
    assert sorted(set(OWNED) - names) == []
    assert sorted(set(NOT_OWNED) - names) == []
    assert sorted(set(MIXED) - set(OWNED)) == []
    assert set(OWNED).isdisjoint(NOT_OWNED)
    # Every owned route is a merchant page or a seller/buyer API route.
    stray = [n for n in OWNED if not ROUTES[n].route.startswith(("seller/", "api/seller/",
                                                                 "api/buyer/"))]
    assert stray == []


@pytest.mark.parametrize("name", sorted(OWNED))
def test_another_tenants_object_is_not_found(name, world):
    route = ROUTES[name]
    kwargs = OWNED[name](world)
    assert set(kwargs) == set(route.params), (name, kwargs, route.params)
    answers = _sweep(route, kwargs, world, _asker(route, world), allowed={404, 405})
    # Each route answers at least one of its methods with a 404: the object was looked up
    # and not found, not merely refused for the method.
    assert 404 in answers.values(), answers


def _messages(response):
    return [str(m) for m in response.wsgi_request._messages] if response.wsgi_request else []


@pytest.mark.parametrize("name", sorted(MIXED))
def test_another_tenants_child_under_ones_own_parent_is_not_reached(name, world):
    route = ROUTES[name]
    kwargs = MIXED[name](world)
    client = _asker(route, world)
    answers = _sweep(route, kwargs, world, client, allowed={404, 405})
    assert 404 in answers.values(), answers  # looked up in one's own cart, and not found
    missing = {**kwargs, "item": 10**9}
    for method in route.methods():
        # A fresh session each: flash messages pile up in one that is never shown a page.
        theirs = _send(_asker(route, world), method, reverse(route.name, kwargs=kwargs), False)
        nothing = _send(_asker(route, world), method, reverse(route.name, kwargs=missing),
                        False)
        assert (theirs.status_code, theirs.get("Location"), _messages(theirs)) == (
            nothing.status_code, nothing.get("Location"), _messages(nothing)), answers


@pytest.mark.parametrize("name", sorted(OWNED))
def test_the_owner_reaches_the_same_url(name, world):
    """The sweep is only worth its 404s if the owner gets past them: A's GET (or, for a
    POST-only route, A's request) is not a 404."""
    route = ROUTES[name]
    kwargs = OWNED[name](world)
    url = reverse(route.name, kwargs=kwargs)
    if route.route.startswith("api/"):
        client = APIClient()
        client.force_authenticate(world.buyer if route.route.startswith("api/buyer/")
                                  else world.merchant)
    else:
        client = Client()
        client.force_login(world.merchant)
    method = "GET" if "GET" in route.methods() else route.methods()[0]
    response = client.get(url) if method == "GET" else client.options(url)
    if response.status_code == 405:
        # A POST-only page: an empty POST reaches the view (a redirect or a form error),
        # which a 404 for the owner would not.
        response = getattr(client, route.methods()[-1].lower())(url, {})
    assert response.status_code != 404, (url, response.status_code)


@pytest.mark.parametrize("name", sorted(SUPPORT))
@pytest.mark.parametrize("who", ["merchant", "buyer"])
def test_the_support_area_refuses_merchants_and_buyers(name, who, world):
    route = ROUTES[name]
    client = Client()
    # The owner side: merchant A and buyer A of the very case are refused too.
    client.force_login(world.merchant if who == "merchant" else world.buyer)
    _sweep(route, SUPPORT[name](world), world, client, allowed={403, 405})
