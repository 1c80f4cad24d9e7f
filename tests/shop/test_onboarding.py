from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import ApplicationError
from shop.identity import make_credit_code, make_resident_id
from shop.models import MerchantApplication, Store
from shop.services import onboarding
from tests.concurrency import postgres_only, run_threads
from tests.factories import PDF_BYTES, MerchantApplicationFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _data(**over):
    data = {
        "real_name": "李雷",
        "id_number": make_resident_id(date(1990, 1, 2)),
        "entity_type": "enterprise",
        "credit_code": make_credit_code("91310115MA1K2L3M4"),
        "registered_name": "上海李雷贸易有限公司",
        "business_scope": "日用百货销售",
        "contact_phone": "13700137000",
        "store_name": "李雷小店",
    }
    data.update(over)
    return data


def _pdf(name="licence.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_apply_review_approve_opens_the_store(merchant, reviewer):
    application = onboarding.application_submit(applicant=merchant, data=_data(), licence_file=_pdf())
    assert application.status == MerchantApplication.Status.PENDING
    assert application.licence_file.name.endswith(".pdf")
    assert "licence" not in application.licence_file.name.rsplit("/", 1)[1]  # random name
    store = onboarding.application_approve(application=application, actor=reviewer)
    application.refresh_from_db()
    assert application.status == "approved" and application.reviewer == reviewer
    assert store.merchant == merchant and store.name == "李雷小店" and store.slug
    assert [e.to_status for e in application.events.all()] == ["pending", "approved"]


def test_reject_needs_reason_then_resubmit(merchant, reviewer):
    application = onboarding.application_submit(applicant=merchant, data=_data(), licence_file=_pdf())
    with pytest.raises(ApplicationError) as exc:
        onboarding.application_reject(application=application, actor=reviewer, reason="  ")
    assert exc.value.code == "reason_required"
    onboarding.application_reject(application=application, actor=reviewer, reason="营业执照模糊")
    application.refresh_from_db()
    assert application.status == "rejected" and application.rejection_reason == "营业执照模糊"
    onboarding.application_resubmit(
        application=application, actor=merchant, data=_data(store_name="李雷新店"), licence_file=_pdf()
    )
    application.refresh_from_db()
    assert application.status == "pending" and application.store_name == "李雷新店"
    assert application.rejection_reason == ""
    assert [e.to_status for e in application.events.all()] == ["pending", "rejected", "pending"]


@pytest.mark.parametrize(
    "field,value,code_field",
    [
        ("id_number", "110101199001020000", "id_number"),
        ("credit_code", "91310115MA1K2L3M4X", "credit_code"),
        ("contact_phone", "12345", "contact_phone"),
        ("entity_type", "company", "entity_type"),
        ("store_name", "", "store_name"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(merchant, field, value, code_field):
    with pytest.raises(ApplicationError) as exc:
        onboarding.application_submit(applicant=merchant, data=_data(**{field: value}), licence_file=_pdf())
    assert code_field in exc.value.extra["errors"]
    assert MerchantApplication.objects.count() == 0


@pytest.mark.parametrize(
    "name,content",
    [
        ("licence.pdf", b"MZ\x90\x00" + b"\x00" * 100),  # executable renamed .pdf
        ("licence.jpg", b"<html><script>alert(1)</script></html>"),
        ("licence.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ],
)
def test_licence_type_is_sniffed_from_content(merchant, name, content):
    with pytest.raises(ApplicationError) as exc:
        onboarding.application_submit(applicant=merchant, data=_data(), licence_file=_pdf(name, content))
    assert exc.value.code == "licence_invalid"
    assert MerchantApplication.objects.count() == 0


def test_only_one_open_application(merchant):
    onboarding.application_submit(applicant=merchant, data=_data(), licence_file=_pdf())
    with pytest.raises(ApplicationError) as exc:
        onboarding.application_submit(applicant=merchant, data=_data(), licence_file=_pdf())
    assert exc.value.code == "duplicate"


def test_approving_twice_is_refused(merchant, reviewer):
    application = onboarding.application_submit(applicant=merchant, data=_data(), licence_file=_pdf())
    onboarding.application_approve(application=application, actor=reviewer)
    with pytest.raises(ApplicationError):
        onboarding.application_approve(application=application, actor=reviewer)
    assert Store.objects.count() == 1


# --- pages ------------------------------------------------------------------------------
def test_apply_page_flow(merchant_client, merchant):
    page = merchant_client.get("/seller/apply/")
    assert page.status_code == 200 and "开通店铺" in page.content.decode()
    response = merchant_client.post("/seller/apply/", {**_data(), "licence_file": _pdf()})
    assert response.status_code == 302 and response.url == "/seller/application/"
    status = merchant_client.get("/seller/application/").content.decode()
    assert "待审核" in status and "李雷小店" in status


def test_apply_page_shows_field_errors(merchant_client):
    response = merchant_client.post(
        "/seller/apply/", {**_data(id_number="11010119900102000X"), "licence_file": _pdf()}
    )
    assert response.status_code == 200
    assert MerchantApplication.objects.count() == 0
    assert "has-error" in response.content.decode()


def test_rejected_applicant_sees_reason_and_resubmits(merchant_client, merchant, reviewer):
    application = onboarding.application_submit(applicant=merchant, data=_data(), licence_file=_pdf())
    onboarding.application_reject(application=application, actor=reviewer, reason="经营范围不清晰")
    body = merchant_client.get("/seller/application/").content.decode()
    assert "经营范围不清晰" in body
    response = merchant_client.post("/seller/apply/?edit=1", _data(business_scope="服装零售"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "pending" and application.business_scope == "服装零售"


def test_signup_creates_a_merchant_account(client):
    response = client.post(
        "/seller/signup/", {"username": "newshop", "password1": "Xk9!long-pass", "password2": "Xk9!long-pass"}
    )
    assert response.status_code == 302 and response.url == "/seller/apply/"
    assert client.get("/seller/apply/").status_code == 200


def test_merchant_cannot_see_another_merchants_application(merchant_client, other_merchant):
    other = MerchantApplicationFactory(applicant=other_merchant, status="pending")
    assert merchant_client.get(f"/seller/application/{other.pk}/licence/").status_code == 404
    # and their own application page never shows the other's
    assert merchant_client.get("/seller/application/").status_code == 302  # none of mine → apply


def test_admin_queue_oldest_first_and_bulk_approve(reviewer_client, make_user):
    from common import roles

    apps_ = [
        MerchantApplicationFactory(applicant=make_user(f"m{i}", roles.MERCHANT), status="pending")
        for i in range(3)
    ]
    page = reviewer_client.get("/admin/shop/merchantapplication/?status__exact=pending")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index(apps_[0].store_name) < body.index(apps_[2].store_name)
    selection = {"action": "approve_selected", "_selected_action": [a.pk for a in apps_[:2]]}
    response = reviewer_client.post("/admin/shop/merchantapplication/", selection)
    assert response.status_code == 200 and Store.objects.count() == 0  # the confirmation
    assert apps_[0].store_name in response.content.decode()
    response = reviewer_client.post("/admin/shop/merchantapplication/",
                                    {**selection, "apply": "1"})
    assert response.status_code == 302
    assert Store.objects.count() == 2
    home = reviewer_client.get("/admin/").content.decode()
    assert apps_[2].store_name in home  # the oldest waiting item of the queue


def test_admin_reject_with_template_and_text(reviewer_client):
    from shop.models import RejectionReasonTemplate

    template = RejectionReasonTemplate.objects.create(scope="application", text="证件照片不清晰")
    application = MerchantApplicationFactory(status="pending")
    response = reviewer_client.post(
        "/admin/shop/merchantapplication/",
        {"action": "reject_selected", "_selected_action": [application.pk], "apply": "1",
         "templates": [template.pk], "text": "请上传原件照片"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "rejected"
    assert application.rejection_reason == "证件照片不清晰；请上传原件照片"


def test_admin_reject_page_offers_the_scope_templates_and_needs_a_reason(reviewer_client):
    from shop.models import RejectionReasonTemplate

    first = RejectionReasonTemplate.objects.create(scope="application", text="证件照片不清晰")
    second = RejectionReasonTemplate.objects.create(scope="application", text="营业执照已过期")
    RejectionReasonTemplate.objects.create(scope="product", text="禁售商品")
    application = MerchantApplicationFactory(status="pending")
    data = {"action": "reject_selected", "_selected_action": [application.pk]}
    page = reviewer_client.post("/admin/shop/merchantapplication/", data)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/admin/shop/merchantapplication/"' in html  # breadcrumbs and cancel
    assert 'name="templates"' in html and 'name="text"' in html
    assert first.text in html and "禁售商品" not in html
    page = reviewer_client.post("/admin/shop/merchantapplication/", {**data, "apply": "1"})
    assert page.status_code == 200  # no reason: the page again
    application.refresh_from_db()
    assert application.status == "pending"
    reviewer_client.post("/admin/shop/merchantapplication/",
                         {**data, "apply": "1", "templates": [first.pk, second.pk]})
    application.refresh_from_db()
    assert application.rejection_reason == "证件照片不清晰；营业执照已过期"


def test_public_store_page_needs_no_login(client):
    store = StoreFactory(introduction="欢迎光临")
    body = client.get(f"/s/{store.slug}/").content.decode()
    assert store.name in body and "欢迎光临" in body


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_applications_make_one():
    from tests.factories import UserFactory

    user = UserFactory(role="merchant")
    results, errors = run_threads(
        4,
        lambda i: onboarding.application_submit(
            applicant=user, data=_data(store_name=f"店{i}"), licence_file=_pdf()
        ).pk,
    )
    assert len(results) == 1 and errors == ["duplicate"] * 3
    assert MerchantApplication.objects.filter(applicant=user).count() == 1


def test_licences_are_served_as_downloads_to_the_owner_and_reviewers(merchant_client, merchant,
                                                                      reviewer_client):
    application = MerchantApplicationFactory(applicant=merchant, status="pending")
    for client, url in [
        (merchant_client, f"/seller/application/{application.pk}/licence/"),
        (reviewer_client, f"/admin/shop/merchantapplication/{application.pk}/licence/"),
    ]:
        res = client.get(url)
        assert res.status_code == 200, url
        assert res["Content-Disposition"].startswith("attachment"), url
        assert res["X-Content-Type-Options"] == "nosniff"
