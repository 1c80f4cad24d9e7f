"""Store profile changes: screened like listings, renames and flagged texts wait for a
reviewer while the old values stay public; names unique among stores not closed; the
profile link only on the platform."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from common import review_queues
from common.errors import ApplicationError
from compliance import loaders
from shop.models import RejectionReasonTemplate, Store, StoreProfileChange
from shop.platform_links import parse_profile_link
from shop.rules.stores import STORE_PROFILE_CHANGE_TRANSITIONS, store_profile_needs_review
from shop.services import onboarding
from shop.services.stores import (
    store_profile_change_approve,
    store_profile_change_reject,
    store_profile_update,
)
from tests.concurrency import postgres_only, run_threads
from tests.factories import MerchantApplicationFactory, StoreFactory

pytestmark = pytest.mark.django_db

PROFILE = "https://www.kuaishou.com/profile/3xabc123"
CONTACT = "正品好货，加我vx 私聊下单更便宜"
PREFIXES = ("www.kuaishou.com/profile/", "v.kuaishou.com/")


@pytest.fixture(autouse=True)
def _seeded():
    loaders.load_screening_rules()


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant, name="阿宝小店", introduction="正品保障")


def _update(store, actor, **kwargs):
    data = {"name": store.name, "introduction": store.introduction,
            "profile_url": store.profile_url, **kwargs}
    return store_profile_update(store=store, actor=actor, **data)


# --- rules ------------------------------------------------------------------------------
def test_profile_change_transitions_end_in_a_decision():
    assert STORE_PROFILE_CHANGE_TRANSITIONS["pending"] == {"approved", "rejected", "replaced"}
    for final in ("approved", "rejected", "replaced"):
        assert STORE_PROFILE_CHANGE_TRANSITIONS[final] == frozenset()


@pytest.mark.parametrize("renames,hits,expected", [
    (False, [], False), (True, [], True), (False, [{"rule": "x"}], True),
])
def test_review_needed_for_a_rename_or_a_hit(renames, hits, expected):
    assert store_profile_needs_review(renames=renames, hits=hits) is expected


@pytest.mark.parametrize("text,expected", [
    ("", ""),
    ("https://www.kuaishou.com/profile/3xabc123", "https://www.kuaishou.com/profile/3xabc123"),
    ("www.kuaishou.com/profile/3xabc123/?utm=1#x", "https://www.kuaishou.com/profile/3xabc123"),
    ("https://v.kuaishou.com/AbCd12", "https://v.kuaishou.com/AbCd12"),
])
def test_profile_link_accepts_the_platform_profile(text, expected):
    assert parse_profile_link(text, PREFIXES) == expected


@pytest.mark.parametrize("text", [
    "https://evil.cn/profile/3xabc123",
    "https://www.kuaishou.com.evil.cn/profile/3xabc123",
    "https://www.kuaishou.com@evil.cn/profile/3xabc123",
    "https://www.kuaishou.com/short-video/3xabc123",
    "https://www.kuaishou.com/profile/",
    "javascript:alert(1)",
    "https://weixin.qq.com/r/abc",
])
def test_profile_link_refuses_anything_else(text):
    with pytest.raises(ValidationError) as info:
        parse_profile_link(text, PREFIXES)
    assert info.value.code == "profile_link_not_platform"


# --- services ---------------------------------------------------------------------------
def test_clean_change_without_rename_applies_at_once(store, merchant):
    change = _update(store, merchant, introduction="48小时内发货", profile_url=PROFILE)
    assert change is None
    store.refresh_from_db()
    assert store.introduction == "48小时内发货" and store.profile_url == PROFILE
    assert not StoreProfileChange.objects.exists()


def test_contact_text_waits_for_review_and_old_text_stays_public(store, merchant, client):
    change = _update(store, merchant, introduction=CONTACT)
    assert change.status == "pending" and change.has_hits and not change.renames
    assert {h["field"] for h in change.screening_hits} == {"introduction"}
    store.refresh_from_db()
    assert store.introduction == "正品保障"
    body = client.get(f"/s/{store.slug}/").content.decode()
    assert "正品保障" in body and "vx" not in body
    event = change.events.get()
    assert event.to_status == "pending" and event.actor == merchant
    assert event.reason_code == "shop.store_profile_submitted"


def test_rename_waits_for_review_then_applies_on_approval(store, merchant, reviewer):
    change = _update(store, merchant, name="阿宝旗舰店")
    assert change.renames and not change.has_hits
    store.refresh_from_db()
    assert store.name == "阿宝小店"
    store_profile_change_approve(change=change, actor=reviewer)
    store.refresh_from_db()
    change.refresh_from_db()
    assert store.name == "阿宝旗舰店" and change.status == "approved"
    assert change.reviewer == reviewer
    assert [e.to_status for e in change.events.order_by("at", "pk")] == ["pending", "approved"]


def test_rejection_keeps_the_profile_and_records_the_reason(store, merchant, reviewer):
    change = _update(store, merchant, introduction=CONTACT)
    store_profile_change_reject(change=change, actor=reviewer, reason="含站外联系方式")
    change.refresh_from_db()
    store.refresh_from_db()
    assert change.status == "rejected" and change.rejection_reason == "含站外联系方式"
    assert store.introduction == "正品保障"
    assert change.events.last().reason == "含站外联系方式"
    with pytest.raises(ApplicationError):
        store_profile_change_approve(change=change, actor=reviewer)


def test_a_newer_change_replaces_the_waiting_one(store, merchant):
    first = _update(store, merchant, name="阿宝旗舰店")
    second = _update(store, merchant, name="阿宝二店")
    first.refresh_from_db()
    assert first.status == "replaced" and second.status == "pending"
    # Back to the current name with clean texts: applies, and nothing waits any more.
    assert _update(store, merchant, name="阿宝小店", introduction="新简介") is None
    second.refresh_from_db()
    assert second.status == "replaced"


def test_name_of_another_open_store_is_refused(store, merchant):
    StoreFactory(name="李雷的店")
    with pytest.raises(ApplicationError) as info:
        _update(store, merchant, name="李雷的店")
    assert info.value.code == "name_taken" and info.value.field == "name"
    assert not StoreProfileChange.objects.exists()


def test_name_of_a_closed_store_may_be_reused(store, merchant):
    StoreFactory(name="李雷的店", status=Store.Status.CLOSED)
    assert _update(store, merchant, name="李雷的店").status == "pending"


def test_approval_refuses_a_name_taken_meanwhile(store, merchant, reviewer):
    change = _update(store, merchant, name="李雷的店")
    StoreFactory(name="李雷的店")
    with pytest.raises(ApplicationError) as info:
        store_profile_change_approve(change=change, actor=reviewer)
    assert info.value.code == "name_taken"
    change.refresh_from_db()
    store.refresh_from_db()
    assert change.status == "pending" and store.name == "阿宝小店"


def test_profile_link_off_the_platform_is_refused(store, merchant):
    with pytest.raises(ApplicationError) as info:
        _update(store, merchant, profile_url="https://weixin.qq.com/r/abc")
    assert info.value.field == "profile_url"


def test_database_refuses_two_stores_with_one_name_not_closed(store):
    other = StoreFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Store.objects.filter(pk=other.pk).update(name="阿宝小店".upper())
    Store.objects.filter(pk=other.pk).update(status=Store.Status.CLOSED)
    Store.objects.filter(pk=other.pk).update(name="阿宝小店")


def test_application_approval_refuses_a_taken_name(store, reviewer):
    application = MerchantApplicationFactory(status="pending", store_name="阿宝小店")
    with pytest.raises(ApplicationError) as info:
        onboarding.application_approve(application=application, actor=reviewer)
    assert info.value.code == "name_taken"
    application.refresh_from_db()
    assert application.status == "pending"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_one_name_at_once_rename_one_store(reviewer):
    loaders.load_screening_rules()
    changes = []
    for i in range(4):
        store = StoreFactory(name=f"并发店{i}")
        changes.append(store_profile_update(
            store=store, actor=store.merchant, name="同名小店", introduction="",
            profile_url=""))
    results, errors = run_threads(
        4, lambda i: store_profile_change_approve(change=changes[i], actor=reviewer).pk)
    assert len(results) == 1 and errors == ["name_taken"] * 3
    assert Store.objects.filter(name="同名小店").count() == 1
    assert connection.vendor == "postgresql"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_merchant_update_and_an_approval_at_once_do_not_deadlock(reviewer):
    loaders.load_screening_rules()
    store = StoreFactory(name="并发店")
    change = store_profile_update(store=store, actor=store.merchant, name="并发新店",
                                  introduction="", profile_url="")

    def act(i):
        if i == 0:
            return store_profile_change_approve(change=change, actor=reviewer).status
        return store_profile_update(store=store, actor=store.merchant, name="并发二店",
                                    introduction="", profile_url="").status

    results, errors = run_threads(2, act)
    assert errors in ([], ["bad_state"])
    change.refresh_from_db()
    assert change.status in ("approved", "replaced")


# --- pages ------------------------------------------------------------------------------
def test_settings_page_shows_the_waiting_change_and_the_rejection(
        store, merchant, merchant_client, reviewer):
    response = merchant_client.post("/seller/store/", {
        "name": store.name, "introduction": CONTACT, "profile_url": ""})
    assert response.status_code == 302
    body = merchant_client.get("/seller/store/").content.decode()
    assert 'id="profile-change-pending"' in body and "私聊下单更便宜" in body
    change = StoreProfileChange.objects.get()
    store_profile_change_reject(change=change, actor=reviewer, reason="含站外联系方式")
    body = merchant_client.get("/seller/store/").content.decode()
    assert 'id="profile-change-rejected"' in body and "含站外联系方式" in body


def test_settings_form_names_the_taken_name(store, merchant_client):
    StoreFactory(name="李雷的店")
    response = merchant_client.post("/seller/store/", {
        "name": "李雷的店", "introduction": "", "profile_url": ""})
    assert response.status_code == 200
    assert "李雷的店" in response.context["form"].errors["name"][0]


def test_settings_form_refuses_an_outside_profile_link(store, merchant_client):
    response = merchant_client.post("/seller/store/", {
        "name": store.name, "introduction": "", "profile_url": "https://weixin.qq.com/r/abc"})
    assert response.status_code == 200 and response.context["form"].errors["profile_url"]


def test_reviewer_queue_approve_and_reject_with_reason(store, merchant, reviewer,
                                                       reviewer_client, rf):
    change = _update(store, merchant, introduction=CONTACT)
    request = rf.get("/admin/")
    request.user = reviewer
    queue = next(s for s in review_queues.summaries(request)
                 if s.url == "/admin/shop/storeprofilechange/")
    assert queue.count == 1 and queue.oldest == change
    assert reviewer_client.get("/admin/shop/storeprofilechange/").status_code == 200
    page = reviewer_client.get(f"/admin/shop/storeprofilechange/{change.pk}/change/")
    assert page.status_code == 200 and "私聊" in page.content.decode()
    assert "Introduction:" in page.content.decode() or "简介:" in page.content.decode()
    template = RejectionReasonTemplate.objects.create(scope="store_profile", text="含站外联系方式")
    response = reviewer_client.post(
        f"/admin/shop/storeprofilechange/{change.pk}/decide/reject/",
        {"action": "reject_selected", "_selected_action": [change.pk]})
    assert response.status_code == 200  # the shared reason page
    response = reviewer_client.post("/admin/shop/storeprofilechange/", {
        "action": "reject_selected", "_selected_action": [change.pk], "apply": "1",
        "templates": [template.pk], "text": ""})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "rejected" and change.reviewer == reviewer
    renamed = _update(store, merchant, name="阿宝旗舰店")
    reviewer_client.post(f"/admin/shop/storeprofilechange/{renamed.pk}/decide/approve/",
                         {"apply": "1"})
    store.refresh_from_db()
    assert store.name == "阿宝旗舰店"


def test_application_with_a_taken_store_name_is_refused_by_name(store, other_merchant):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop.identity import make_credit_code, make_resident_id
    from tests.factories import PDF_BYTES

    data = {"real_name": "李雷", "id_number": make_resident_id(date(1990, 1, 2)),
            "entity_type": "enterprise", "credit_code": make_credit_code("91310115MA1K2L3M4"),
            "registered_name": "上海李雷贸易有限公司", "business_scope": "日用百货销售",
            "contact_phone": "13700137000", "store_name": "阿宝小店"}
    with pytest.raises(ApplicationError) as info:
        onboarding.application_submit(
            applicant=other_merchant, data=data,
            licence_file=SimpleUploadedFile("l.pdf", PDF_BYTES, content_type="application/pdf"))
    assert info.value.field == "store_name" and "阿宝小店" in info.value.message


def test_reviewer_renaming_a_store_to_a_taken_name_gets_a_form_error(store, reviewer_client):
    other = StoreFactory(name="李雷的店")
    response = reviewer_client.post(f"/admin/shop/store/{store.pk}/change/", {
        "name": "李雷的店", "industry_base": "", "introduction": "", "profile_url": "",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "0",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    store.refresh_from_db()
    assert store.name == "阿宝小店" and other.name == "李雷的店"


def test_reviewer_profile_link_is_checked_too(store, reviewer_client):
    data = {"name": store.name, "industry_base": "", "introduction": "",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "0"}
    response = reviewer_client.post(f"/admin/shop/store/{store.pk}/change/",
                                    {**data, "profile_url": "https://weixin.qq.com/r/abc"})
    assert response.status_code == 200
    assert "profile_url" in response.context["adminform"].form.errors
    response = reviewer_client.post(f"/admin/shop/store/{store.pk}/change/",
                                    {**data, "profile_url": PROFILE})
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.profile_url == PROFILE
