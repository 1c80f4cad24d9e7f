"""The API's OpenAPI schema tells the truth: every operation lists the error answers it can
give, with their bodies and headers, and the API refuses what the schema refuses and accepts
what it accepts (the schema fuzz in CI, .ci/schema_fuzz.py, checks the same at random)."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from disputes.models import AfterSaleRequest
from disputes.services import OFFLINE_PROPOSAL_MAX_LENGTH

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def responses(schema, path, method):
    return schema["paths"][path][method]["responses"]


# --- every answer is documented -------------------------------------------------------------
@pytest.mark.parametrize(("path", "method", "codes"), [
    ("/api/me/", "get", {"200", "400", "401", "403"}),
    ("/api/buyer/orders/", "get", {"200", "400", "401", "403", "404"}),
    ("/api/buyer/orders/", "post", {"201", "400", "401", "403", "413", "415"}),
    ("/api/buyer/orders/{number}/", "get", {"200", "400", "401", "403", "404"}),
    ("/api/buyer/after-sales/", "post", {"201", "400", "401", "403", "404", "413", "415"}),
    ("/api/seller/orders/{number}/ship/", "post",
     {"200", "400", "401", "403", "404", "413", "415"}),
    ("/api/seller/after-sales/{id}/propose-offline/", "post",
     {"200", "400", "401", "403", "404", "413", "415"}),
    ("/api/auth/token/", "post", {"200", "400", "401", "403", "413", "415", "429"}),
    # Signed callbacks carry no user: no 401 or 403.
    ("/api/webhooks/couriers/", "post", {"200", "400", "413", "415"}),
])
def test_each_operation_lists_the_errors_it_can_give(schema, path, method, codes):
    assert set(responses(schema, path, method)) == codes


def test_error_answers_have_their_bodies_and_headers(schema):
    token = responses(schema, "/api/auth/token/", "post")
    assert "Retry-After" in token["429"]["headers"]
    assert token["429"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ThrottledOut")
    me = responses(schema, "/api/me/", "get")
    assert "WWW-Authenticate" in me["401"]["headers"]
    assert me["404" if "404" in me else "403"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/ErrorOut")
    bad = me["400"]["content"]["application/json"]["schema"]["anyOf"]
    assert bad[0]["$ref"].endswith("/ErrorOut")
    assert bad[1]["type"] == "object"
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"]


def test_unauthenticated_api_call_is_a_401_asking_for_a_token(client):
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "detail" in response.json()
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad_token.get("/api/buyer/orders/").status_code == 401


def test_a_signed_in_session_and_a_token_still_reach_the_api(client, buyer):
    client.force_login(buyer)
    assert client.get("/api/buyer/orders/").status_code == 200
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=buyer).key}")
    assert token_client.get("/api/me/").json()["username"] == buyer.username


# --- pagination -----------------------------------------------------------------------------
def test_page_parameters_are_documented_with_their_ranges(schema):
    parameters = {p["name"]: p["schema"] for p in
                  schema["paths"]["/api/buyer/orders/"]["get"]["parameters"]}
    assert parameters["page"]["minimum"] == 1
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


@pytest.mark.parametrize("query", [
    "page_size=null", "page_size=0", "page_size=101", "page_size=-1", "page=0", "page=abc",
    "page_size=%EF%BC%95",  # a full-width digit is not a number here
])
def test_bad_page_parameters_are_a_400(buyer_api, query):
    response = buyer_api.get(f"/api/buyer/orders/?{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"page", "page_size"}


def test_good_page_parameters_still_page(buyer_api):
    assert buyer_api.get("/api/buyer/orders/?page=1&page_size=100").status_code == 200


# --- inputs are what the schema says --------------------------------------------------------
def test_a_number_where_the_schema_says_string_is_refused(buyer_api):
    response = buyer_api.post("/api/buyer/orders/", {
        "items": [{"sku": 1, "quantity": 1}],
        "address": {"name": "张三", "phone": 13800000000, "province": "浙江省",
                    "city": "杭州市", "district": "西湖区", "detail": 1},
    }, format="json")
    assert response.status_code == 400
    assert set(response.json()["address"]) == {"phone", "detail"}


def test_an_order_is_json_and_needs_an_item(schema, buyer_api):
    body = schema["paths"]["/api/buyer/orders/"]["post"]["requestBody"]["content"]
    assert list(body) == ["application/json"]
    component = schema["components"]["schemas"]["OrderPlaceInRequest"]
    assert component["properties"]["items"]["minItems"] == 1
    response = buyer_api.generic("POST", "/api/buyer/orders/", "note=x",
                                 content_type="text/plain")
    assert response.status_code == 415


def test_messages_and_evidence_take_files_only_as_multipart(schema):
    for path in ("/api/buyer/after-sales/{id}/messages/",
                 "/api/seller/after-sales/{id}/evidence/"):
        body = schema["paths"][path]["post"]["requestBody"]["content"]
        assert set(body) == {"application/json", "multipart/form-data"}
        json_props = schema["components"]["schemas"][
            body["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
        form_props = schema["components"]["schemas"][
            body["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
        assert not {"images", "files"} & set(json_props)
        files = form_props.get("images") or form_props["files"]
        assert files["items"]["format"] == "binary"


def test_after_sale_kind_and_reason_are_listed(schema):
    component = schema["components"]["schemas"]["OpenInRequest"]["properties"]
    for name, choices in (("kind", AfterSaleRequest.Kind), ("reason", AfterSaleRequest.Reason)):
        ref = component[name]["allOf"][0]["$ref"].rsplit("/", 1)[1]
        assert set(schema["components"]["schemas"][ref]["enum"]) == set(choices.values)


def test_the_offline_proposal_reason_cap_is_the_column_the_service_and_the_schema(schema):
    column = AfterSaleRequest._meta.get_field("offline_proposal").max_length
    assert OFFLINE_PROPOSAL_MAX_LENGTH == column
    component = schema["components"]["schemas"]["ShortReasonInRequest"]
    assert component["properties"]["reason"]["maxLength"] == column


# --- query parameters -----------------------------------------------------------------------
@pytest.mark.parametrize("query", [
    "status=bogus", "kind=bogus", "escalated=null", "q=" + "1" * 41,
])
def test_bad_after_sale_filters_are_a_400(merchant_api, query):
    response = merchant_api.get(f"/api/seller/after-sales/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_good_after_sale_filters_still_filter(merchant_api):
    for query in ("status=open", "status=", "kind=exchange", "escalated=true", "q=12"):
        assert merchant_api.get(f"/api/seller/after-sales/?{query}").status_code == 200


def test_the_merchant_order_late_filter_is_true_or_false(schema, merchant_api):
    parameters = {p["name"]: p["schema"] for p in
                  schema["paths"]["/api/seller/orders/"]["get"]["parameters"]}
    assert set(parameters["late"]["enum"]) == {"true", "false"}
    assert merchant_api.get("/api/seller/orders/?late=null").status_code == 400
    assert merchant_api.get("/api/seller/orders/?late=true").status_code == 200


# --- signed callbacks -----------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/webhooks/couriers/", "/api/webhooks/payments/sandbox/"])
def test_a_callback_sent_as_a_form_is_a_400_not_a_500(client, path):
    body = (b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--B--\r\n')
    response = client.generic("POST", path, body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_required_text_of_only_whitespace_is_refused_as_the_schema_says(schema, buyer_api):
    address = schema["components"]["schemas"]["AddressInRequest"]["properties"]
    pattern = re.compile(address["district"]["pattern"])
    assert not pattern.search("\t") and not pattern.search("\u3000 ")
    assert pattern.search(" 西湖区 ")
    assert address["phone"]["pattern"].startswith("^1")  # its own pattern, not this one
    response = buyer_api.post("/api/buyer/orders/", {
        "items": [{"sku": 1, "quantity": 1}],
        "address": {"name": "张三", "phone": "13800000000", "province": "浙江省",
                    "city": "杭州市", "district": "\t", "detail": "文三路 1 号"},
    }, format="json")
    assert response.status_code == 400
    assert list(response.json()["address"]) == ["district"]


@pytest.mark.parametrize("query", ["created_to=", "created_from=", "status=", "late="])
def test_an_empty_merchant_order_filter_is_a_400(merchant_api, query):
    response = merchant_api.get(f"/api/seller/orders/?{query}")
    assert response.status_code == 400
    assert query.rstrip("=") in response.json()


def test_an_empty_order_number_filter_is_no_filter(merchant_api):
    assert merchant_api.get("/api/seller/orders/?number=").status_code == 200


def test_an_id_too_large_for_the_database_is_a_400_not_a_500(schema, buyer_api):
    parameters = {p["name"]: p["schema"] for p in
                  schema["paths"]["/api/buyer/products/"]["get"]["parameters"]}
    assert parameters["category"]["maximum"] == 2**63 - 1
    response = buyer_api.get(f"/api/buyer/products/?category={2**64}")
    assert response.status_code == 400
    assert "category" in response.json()
