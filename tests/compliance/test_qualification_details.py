"""Qualification details through the service, the merchant's two-step upload page and
the reviewers' queue: the brand authorisation chain, the cosmetics filing, the customs
papers. Refusals name what is wrong and write nothing; a reviewer's approval checks the
details again on the day of review; the expiry clock follows the details' dates."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from common.errors import ApplicationError
from common.uploads import UploadInfo
from compliance import services
from compliance.models import Qualification, QualificationEvent, QualificationFile
from tests.factories import PDF_BYTES, StoreFactory

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=CST)
UPLOAD_URL = reverse("seller_compliance:qualification_upload")
STORE = "杭州好货商贸有限公司"
HOLDER = "上海美丽日化有限公司"
AGENT = "浙江华东品牌代理有限公司"


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant, application__registered_name=STORE)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def _files():
    from django.core.files.base import ContentFile

    info = UploadInfo(kind="pdf", mime="application/pdf", extension=".pdf",
                      size=len(PDF_BYTES), safe_name="x.pdf")
    return [(ContentFile(PDF_BYTES), info, "authorisation.pdf")]


def _chain(*links):
    return [{"authoriser": a, "authorised": b, "valid_until": until} for a, b, until in links]


def _brand_details(*links):
    return {"brand_name": "美丽牌", "trademark_holder": HOLDER,
            "authorisation_chain": _chain(*links)}


def _customs_details(**overrides):
    details = {
        "declaration_number": "310120260000123456",
        "declaration_batch_number": "B2026-0117",
        "declaration_issued_on": date(2026, 1, 10),
        "inspection_certificate_number": "310000126000012",
        "inspection_batch_number": "B2026-0117",
        "inspection_issued_on": date(2026, 1, 15),
    }
    details.update(overrides)
    return details


def _submit(store, qtype, code, details, **kwargs):
    values = {"number": "12345678", "valid_from": date(2025, 6, 1), "valid_until": None,
              **kwargs}
    return services.qualification_submit(
        store=store, type=qtype(code), details=details, files=_files(), actor=store.merchant,
        now=NOW, **values,
    )


def _nothing_written(settings):
    folder = settings.MEDIA_ROOT / "private" / "qualifications"
    stored = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    return (
        not Qualification.objects.exists()
        and not QualificationFile.objects.exists()
        and not QualificationEvent.objects.exists()
        and not stored
    )


# --- service ---------------------------------------------------------------------------
def test_a_complete_chain_is_stored_normalised(tree, qtype, store, settings):
    qualification = _submit(
        store, qtype, "brand_authorisation",
        _brand_details((HOLDER, AGENT, date(2027, 6, 30)), (f" {AGENT} ", STORE, date(2026, 12, 31))),
    )
    qualification.refresh_from_db()
    assert qualification.status == Qualification.Status.PENDING
    assert qualification.details["authorisation_chain"] == [
        {"authoriser": HOLDER, "authorised": AGENT, "valid_until": "2027-06-30"},
        {"authoriser": AGENT, "authorised": STORE, "valid_until": "2026-12-31"},
    ]
    assert not _nothing_written(settings)  # the helper sees what a submission writes


def test_a_broken_chain_is_refused_naming_each_problem_and_nothing_is_written(
    tree, qtype, store, settings
):
    details = _brand_details(
        (HOLDER, AGENT, date(2027, 6, 30)),
        ("宁波甬城贸易有限公司", STORE, date(2026, 2, 1)),
    )
    with translation.override("en"), pytest.raises(ApplicationError) as err:
        _submit(store, qtype, "brand_authorisation", details)
    assert err.value.code == "chain_link_expired"
    message = str(err.value)
    assert "Authorisation 2 (“宁波甬城贸易有限公司” → “杭州好货商贸有限公司”) expired on 2026-02-01." in message
    assert (
        "Authorisation 2 is granted by “宁波甬城贸易有限公司”, but authorisation 1 was given to "
        "“浙江华东品牌代理有限公司”: the chain has a gap." in message
    )
    assert [p["field"] for p in err.value.extra["problems"]] == [
        "authorisation_chain.1.valid_until", "authorisation_chain.1.authoriser",
    ]
    assert _nothing_written(settings)


def test_a_missing_detail_is_named_by_its_label(tree, qtype, store):
    with translation.override("en"), pytest.raises(ApplicationError) as err:
        _submit(store, qtype, "cosmetics_filing", {"filing_kind": "special"})
    assert str(err.value) == "Fill in “Origin”."
    assert err.value.code == "missing"
    assert err.value.extra["problems"] == [
        {"code": "missing", "field": "origin", "message": "Fill in “Origin”."}
    ]


def test_the_chain_must_reach_this_stores_registered_name(tree, qtype, store, settings):
    details = _brand_details((HOLDER, "另一家商贸有限公司", date(2027, 6, 30)))
    with translation.override("en"), pytest.raises(ApplicationError) as err:
        _submit(store, qtype, "brand_authorisation", details)
    assert err.value.code == "chain_end"
    assert f"registered name “{STORE}”" in str(err.value)
    assert _nothing_written(settings)


def test_customs_papers_of_different_batches_are_refused(tree, qtype, store, settings):
    with translation.override("en"), pytest.raises(ApplicationError) as err:
        _submit(store, qtype, "import_customs_inspection",
                _customs_details(inspection_batch_number="B2026-0203"), number="", valid_from=None)
    assert err.value.code == "batch_mismatch"
    assert "“B2026-0117”" in str(err.value) and "“B2026-0203”" in str(err.value)
    assert _nothing_written(settings)


def test_a_customs_paper_older_than_a_year_is_refused(tree, qtype, store, settings):
    with translation.override("en"), pytest.raises(ApplicationError) as err:
        _submit(store, qtype, "import_customs_inspection",
                _customs_details(declaration_issued_on=date(2025, 2, 27)), number="",
                valid_from=None)
    assert err.value.code == "document_too_old"
    assert str(err.value) == (
        "“Customs declaration issue date” is 2025-02-27: the document must have been issued "
        "within 365 days."
    )
    assert _nothing_written(settings)


def test_customs_papers_date_the_qualification_by_the_older_one(tree, qtype, store):
    qualification = _submit(
        store, qtype, "import_customs_inspection", _customs_details(), number="", valid_from=None
    )
    assert qualification.valid_from == date(2026, 1, 10)
    assert qualification.details["inspection_issued_on"] == "2026-01-15"


def test_an_issue_date_is_needed_somewhere(tree, qtype, store):
    with pytest.raises(ApplicationError) as err:
        _submit(store, qtype, "food_business_licence", {}, valid_from=None)
    assert err.value.code == "valid_from_missing"


# --- review and the expiry clock ----------------------------------------------------------
def test_approval_rechecks_a_customs_paper_that_aged_out_while_pending(
    tree, qtype, store, reviewer
):
    qualification = _submit(
        store, qtype, "import_customs_inspection",
        _customs_details(declaration_issued_on=date(2025, 3, 10)), number="", valid_from=None,
    )
    with translation.override("en"), pytest.raises(ApplicationError) as err:
        services.qualification_approve(
            qualification=qualification, actor=reviewer, now=datetime(2026, 3, 12, tzinfo=CST)
        )
    assert err.value.code == "details_document_too_old"
    assert str(err.value).startswith("This qualification fails the checks today")
    qualification.refresh_from_db()
    assert qualification.status == Qualification.Status.PENDING
    assert list(qualification.events.values_list("to_status", flat=True)) == ["pending"]
    # Reviewed in time, the clock runs from the older paper.
    services.qualification_approve(qualification=qualification, actor=reviewer, now=NOW)
    qualification.refresh_from_db()
    assert qualification.expires_at == datetime(2026, 3, 11, tzinfo=CST)


def test_approval_rechecks_the_chain_and_the_registered_name(tree, qtype, store, reviewer):
    qualification = _submit(
        store, qtype, "brand_authorisation",
        _brand_details((HOLDER, AGENT, date(2027, 6, 30)), (AGENT, STORE, date(2026, 4, 30))),
    )
    with pytest.raises(ApplicationError) as err:
        services.qualification_approve(
            qualification=qualification, actor=reviewer, now=datetime(2026, 5, 1, 9, tzinfo=CST)
        )
    assert err.value.code == "details_chain_link_expired"

    store.application.registered_name = "杭州好货电子商务有限公司"
    store.application.save(update_fields=["registered_name"])
    with pytest.raises(ApplicationError) as err:
        services.qualification_approve(qualification=qualification, actor=reviewer, now=NOW)
    assert err.value.code == "details_chain_end"
    qualification.refresh_from_db()
    assert qualification.status == Qualification.Status.PENDING


def test_an_authorisation_expires_with_its_first_link_to_expire(tree, qtype, store, reviewer):
    qualification = _submit(
        store, qtype, "brand_authorisation",
        _brand_details((HOLDER, AGENT, date(2027, 6, 30)), (AGENT, STORE, date(2026, 9, 30))),
        valid_until=date(2028, 1, 1),
    )
    services.qualification_approve(qualification=qualification, actor=reviewer, now=NOW)
    qualification.refresh_from_db()
    assert qualification.expires_at == datetime(2026, 10, 1, tzinfo=CST)
    assert services.qualification_expire_due(now=datetime(2026, 9, 30, 23, 59, tzinfo=CST)) == 0
    assert services.qualification_expire_due(now=datetime(2026, 10, 1, 0, 1, tzinfo=CST)) == 1
    qualification.refresh_from_db()
    assert qualification.status == Qualification.Status.EXPIRED


# --- the merchant's pages -----------------------------------------------------------------
def _brand_post(qtype, rows, **extra):
    data = {"type": qtype("brand_authorisation").pk, "number": "12345678", "issuer": "",
            "valid_from": "2025-06-01", "valid_until": "", "brand_name": "美丽牌",
            "trademark_holder": HOLDER, "files": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    for row, (a, b, until) in rows.items():
        data.update({f"chain_{row}_authoriser": a, f"chain_{row}_authorised": b,
                     f"chain_{row}_valid_until": until})
    data.update(extra)
    return data


def _no_inline_script(html):
    return not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and " onclick=" not in html


def test_step_one_chooses_the_type(tree, qtype, store, merchant_client):
    page = merchant_client.get(UPLOAD_URL)
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "seller/compliance/upload_type.html"
    html = page.content.decode()
    assert f'href="?type={qtype("brand_authorisation").pk}"' in html
    assert 'method="get"' in html and _no_inline_script(html)
    unknown = merchant_client.get(UPLOAD_URL, {"type": "99999"})
    assert unknown.context["form"].has_error("type")


def test_step_two_shows_the_form_of_the_chosen_type(tree, qtype, store, merchant_client):
    brand = merchant_client.get(UPLOAD_URL, {"type": qtype("brand_authorisation").pk})
    html = brand.content.decode()
    assert [t.name for t in brand.templates][0] == "seller/compliance/upload.html"
    assert 'name="chain_3_authoriser"' in html and 'name="chain_4_authoriser"' not in html
    assert 'name="trademark_holder"' in html and STORE in html and _no_inline_script(html)
    assert "filing_kind" not in html

    cosmetics = merchant_client.get(UPLOAD_URL, {"type": qtype("cosmetics_filing").pk})
    html = cosmetics.content.decode()
    assert 'name="filing_kind"' in html and 'value="non_special"' in html
    assert 'name="origin"' in html and "chain_0_authoriser" not in html

    customs = merchant_client.get(UPLOAD_URL, {"type": qtype("import_customs_inspection").pk})
    form = customs.context["form"]
    assert {"declaration_batch_number", "inspection_batch_number", "declaration_issued_on",
            "inspection_issued_on"} <= set(form.fields)
    # The papers carry their own issue dates; there is no single number either.
    assert not {"number", "valid_from", "valid_until"} & set(form.fields)


def test_blank_chain_rows_are_ignored(tree, qtype, store, merchant_client, at_now):
    data = _brand_post(qtype, {0: (HOLDER, AGENT, "2027-06-30"), 2: (AGENT, STORE, "2027-01-31")})
    response = merchant_client.post(UPLOAD_URL, data)
    assert response.status_code == 302
    qualification = Qualification.objects.get(store=store)
    assert [link["authorised"] for link in qualification.details["authorisation_chain"]] == [
        AGENT, STORE
    ]
    assert qualification.number == "12345678"


def test_a_gap_is_shown_on_the_row_it_was_entered_in(tree, qtype, store, merchant_client, at_now):
    data = _brand_post(qtype, {0: (HOLDER, AGENT, "2027-06-30"),
                               2: ("宁波甬城贸易有限公司", STORE, "2027-01-31")})
    response = merchant_client.post(UPLOAD_URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("chain_2_authoriser")
    assert not form.has_error("chain_1_authoriser")
    assert "chain_2_authoriser" in response.content.decode()
    assert not Qualification.objects.exists() and not QualificationFile.objects.exists()


def test_an_incomplete_link_and_missing_holder_are_named(
    tree, qtype, store, merchant_client, at_now
):
    data = _brand_post(qtype, {1: (HOLDER, "", "2027-06-30")}, trademark_holder="")
    response = merchant_client.post(UPLOAD_URL, data)
    form = response.context["form"]
    assert form.has_error("trademark_holder") and form.has_error("chain_1_authorised")
    assert not Qualification.objects.exists()


def test_no_chain_at_all_is_named_on_the_first_row(tree, qtype, store, merchant_client, at_now):
    response = merchant_client.post(UPLOAD_URL, _brand_post(qtype, {}))
    assert response.context["form"].has_error("chain_0_authoriser")
    assert not Qualification.objects.exists()


def test_cosmetics_upload_needs_kind_and_origin(tree, qtype, store, merchant_client, at_now):
    base = {"type": qtype("cosmetics_filing").pk, "number": "国妆特进字J20260001",
            "issuer": "国家药监局", "valid_from": "2025-06-01", "valid_until": "2030-05-31"}
    response = merchant_client.post(
        UPLOAD_URL, {**base, "origin": "imported", "files": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("filing_kind")
    assert not response.context["form"].has_error("origin")
    response = merchant_client.post(
        UPLOAD_URL, {**base, "origin": "imported", "filing_kind": "special",
                     "files": SimpleUploadedFile("a.pdf", PDF_BYTES)},
    )
    assert response.status_code == 302
    assert Qualification.objects.get().details == {"filing_kind": "special", "origin": "imported"}


def _customs_post(qtype, **overrides):
    data = {"type": qtype("import_customs_inspection").pk, "issuer": "上海海关",
            "declaration_number": "310120260000123456", "declaration_batch_number": "B2026-0117",
            "declaration_issued_on": "2026-01-10", "inspection_certificate_number": "310000126000012",
            "inspection_batch_number": "B2026-0117", "inspection_issued_on": "2026-01-15",
            "files": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    data.update(overrides)
    return data


def test_customs_upload_same_batch_within_a_year(tree, qtype, store, merchant_client, at_now):
    response = merchant_client.post(UPLOAD_URL, _customs_post(qtype, inspection_batch_number="B9"))
    assert response.status_code == 200
    assert response.context["form"].has_error("inspection_batch_number")
    response = merchant_client.post(
        UPLOAD_URL, _customs_post(qtype, inspection_issued_on="2025-02-01")
    )
    assert response.context["form"].has_error("inspection_issued_on")
    assert not Qualification.objects.exists()

    response = merchant_client.post(UPLOAD_URL, _customs_post(qtype))
    assert response.status_code == 302
    qualification = Qualification.objects.get()
    assert qualification.valid_from == date(2026, 1, 10) and qualification.number == ""
    assert qualification.details["declaration_batch_number"] == "B2026-0117"


def test_merchant_sees_the_details_on_the_center_and_the_qualification_page(
    tree, qtype, store, merchant_client, other_merchant_client, other_store, at_now
):
    merchant_client.post(
        UPLOAD_URL, _brand_post(qtype, {0: (HOLDER, AGENT, "2027-06-30"),
                                        1: (AGENT, STORE, "2027-01-31")})
    )
    qualification = Qualification.objects.get(store=store)
    center = merchant_client.get(reverse("seller_compliance:center")).content.decode()
    assert f"美丽牌 · {HOLDER} → {AGENT} → {STORE}" in center
    detail_url = reverse("seller_compliance:qualification", args=[qualification.pk])
    detail = merchant_client.get(detail_url).content.decode()
    assert HOLDER in detail and AGENT in detail and "2027-01-31" in detail
    assert other_merchant_client.get(detail_url).status_code == 404
    assert AGENT not in other_merchant_client.get(reverse("seller_compliance:center")).content.decode()


# --- the reviewers' queue --------------------------------------------------------------------
def test_reviewer_sees_details_chain_and_todays_checks(
    tree, qtype, store, reviewer_client, django_assert_max_num_queries, settings
):
    reviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    good = _submit(store, qtype, "brand_authorisation",
                   _brand_details((HOLDER, AGENT, date(2027, 6, 30)), (AGENT, STORE, date(2026, 4, 30))))
    _submit(store, qtype, "import_customs_inspection", _customs_details(), number="",
            valid_from=None)
    _submit(store, qtype, "cosmetics_filing", {"filing_kind": "non_special", "origin": "domestic"})
    queue = reverse("admin:compliance_qualificationreview_changelist")
    with translation.override("en"):
        with django_assert_max_num_queries(20):
            listing = reviewer_client.get(queue)
        html = listing.content.decode()
        assert f"美丽牌 · {HOLDER} → {AGENT} → {STORE}" in html
        assert "B2026-0117" in html and "Ordinary cosmetics (filed) · Domestic" in html

        change = reverse("admin:compliance_qualificationreview_change", args=[good.pk])
        with time_machine.travel(NOW, tick=False):
            page = reviewer_client.get(change).content.decode()
        assert STORE in page and "2026-04-30" in page and "All checks pass." in page
        with time_machine.travel(datetime(2026, 5, 2, 9, tzinfo=CST), tick=False):
            later = reviewer_client.get(change).content.decode()
        assert "All checks pass." not in later
        assert "expired on 2026-04-30" in later
        decide = reverse("admin:compliance_qualificationreview_decide", args=[good.pk])
        with time_machine.travel(datetime(2026, 5, 2, 9, tzinfo=CST), tick=False):
            reviewer_client.post(decide, {"_approve": "1"})
    good.refresh_from_db()
    assert good.status == Qualification.Status.PENDING
