"""Qualifications: upload through the real page (and every refusal), merchant isolation,
review, the expiry clock with time travel (delist, relist), and the public 公示 list."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from common import config, deadlines
from common.errors import ApplicationError
from compliance import services
from compliance.models import (
    Qualification,
    QualificationDelisting,
    QualificationEvent,
    QualificationFile,
)
from compliance.selectors import public_licences
from shop.models import Product, ProductEvent
from tests.factories import PDF_BYTES, ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
UPLOAD_URL = reverse("seller_compliance:qualification_upload")


def _form(qtype, upload, **extra):
    return {
        "type": qtype("food_business_licence").pk,
        "number": "JY13301020000001",
        "issuer": "杭州市市场监督管理局",
        "valid_from": "2025-01-01",
        "valid_until": "2099-12-31",
        "files": upload,
        **extra,
    }


def _png_with_comment():
    buffer = BytesIO()
    info = PngInfo()
    info.add_text("Comment", "secret-gps-data")
    Image.new("RGB", (20, 10), "red").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


# --- upload ------------------------------------------------------------------------------
def test_upload_pdf_creates_a_pending_qualification(tree, qtype, store, merchant_client):
    response = merchant_client.post(
        UPLOAD_URL, _form(qtype, SimpleUploadedFile("licence.pdf", PDF_BYTES))
    )
    qualification = Qualification.objects.get(store=store)
    assert response.status_code == 302
    assert response.url == reverse("seller_compliance:qualification", args=[qualification.pk])
    assert qualification.status == Qualification.Status.PENDING
    stored = qualification.files.get()
    assert stored.content_type == "application/pdf"
    assert stored.file.name.startswith("private/qualifications/")
    assert stored.file.read() == PDF_BYTES
    assert QualificationEvent.objects.filter(qualification=qualification, to_status="pending").exists()


def test_images_are_reencoded_without_metadata(tree, qtype, store, merchant_client):
    raw = _png_with_comment()
    assert b"secret-gps-data" in raw
    merchant_client.post(UPLOAD_URL, _form(qtype, SimpleUploadedFile("scan.png", raw)))
    stored = QualificationFile.objects.get(qualification__store=store)
    data = stored.file.read()
    assert data.startswith(b"\x89PNG") and b"secret-gps-data" not in data
    assert stored.content_type == "image/png" and stored.size == len(data)


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("licence.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "upload_executable"),
        ("licence.pdf", b"MZ\x90\x00" + b"\x00" * 64, "upload_executable"),
        ("licence.jpg", b"<html><script>alert(1)</script></html>", "upload_markup"),
        ("licence.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "upload_markup"),
        ("licence.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
         "upload_markup"),
        ("licence.pdf", b"just some text, not a document", "upload_type_not_allowed"),
        ("licence.pdf", b"", None),  # empty: refused by the form field itself
    ],
)
def test_upload_refusals(tree, qtype, store, merchant_client, name, content, code):
    response = merchant_client.post(UPLOAD_URL, _form(qtype, SimpleUploadedFile(name, content)))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("files", code) if code else form.has_error("files")
    assert not Qualification.objects.exists()
    assert not QualificationFile.objects.exists()


def test_one_byte_over_the_cap_is_refused_and_the_cap_itself_accepted(
    settings, tree, qtype, store, merchant_client
):
    settings.UPLOAD_MAX_BYTES = 2000
    at_cap = PDF_BYTES + b"%" * (2000 - len(PDF_BYTES))
    over = at_cap + b"%"
    response = merchant_client.post(UPLOAD_URL, _form(qtype, SimpleUploadedFile("a.pdf", over)))
    assert response.context["form"].has_error("files", "upload_too_large")
    assert not Qualification.objects.exists()
    response = merchant_client.post(UPLOAD_URL, _form(qtype, SimpleUploadedFile("a.pdf", at_cap)))
    assert response.status_code == 302
    assert QualificationFile.objects.get().size == 2000


def test_path_traversal_file_name_is_neutralised(tree, qtype, store, merchant_client):
    upload = SimpleUploadedFile("../../../../etc/cron.d/evil.pdf", PDF_BYTES)
    response = merchant_client.post(UPLOAD_URL, _form(qtype, upload))
    assert response.status_code == 302
    stored = QualificationFile.objects.get()
    assert stored.file.name.startswith("private/qualifications/")
    assert ".." not in stored.file.name and "evil" not in stored.file.name
    assert "/" not in stored.original_name and ".." not in stored.original_name
    assert stored.original_name.endswith("evil.pdf")


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"valid_until": "2020-01-01"}, "valid_until"),  # already expired
        ({"valid_from": "2099-01-01"}, "valid_from"),  # not valid yet
        ({"number": ""}, "number"),  # this type requires a number
    ],
)
def test_upload_date_and_number_rules(tree, qtype, store, merchant_client, extra, field):
    upload = SimpleUploadedFile("a.pdf", PDF_BYTES)
    response = merchant_client.post(UPLOAD_URL, _form(qtype, upload, **extra))
    assert response.status_code == 200
    assert response.context["form"].has_error(field)
    assert not Qualification.objects.exists()


# --- isolation ---------------------------------------------------------------------------
def test_merchant_cannot_see_another_merchants_qualification_or_file(
    tree, qtype, store, merchant_client, other_merchant_client, other_store, reviewer_client,
    buyer_client, client,
):
    merchant_client.post(UPLOAD_URL, _form(qtype, SimpleUploadedFile("a.pdf", PDF_BYTES)))
    qualification = Qualification.objects.get(store=store)
    stored = qualification.files.get()
    detail = reverse("seller_compliance:qualification", args=[qualification.pk])
    file_url = reverse("seller_compliance:qualification_file", args=[stored.pk])

    assert merchant_client.get(detail).status_code == 200
    own = merchant_client.get(file_url)
    assert own.status_code == 200 and b"".join(own.streaming_content) == PDF_BYTES
    assert own["Content-Type"] == "application/pdf"
    assert own["X-Content-Type-Options"] == "nosniff"
    reviewed = reviewer_client.get(file_url)
    assert reviewed.status_code == 200

    assert other_merchant_client.get(detail).status_code == 404
    assert other_merchant_client.get(file_url).status_code == 404
    assert buyer_client.get(file_url).status_code == 404
    assert client.get(file_url).status_code == 302  # anonymous: to the login page
    center = other_merchant_client.get(reverse("seller_compliance:center"))
    assert "JY13301020000001" not in center.content.decode()


# --- review ----------------------------------------------------------------------------
def test_approve_and_reject_record_events_and_clocks(tree, qtype, store, reviewer):
    config.set_value("qualification.expiry_warning_days", 10)
    now = datetime(2026, 3, 1, 9, 0, tzinfo=CST)
    qualification = Qualification.objects.create(
        store=store, type=qtype("food_business_licence"), number="JY1",
        valid_from=date(2025, 1, 1), valid_until=date(2026, 6, 30),
    )
    services.qualification_approve(qualification=qualification, actor=reviewer, now=now)
    qualification.refresh_from_db()
    assert qualification.status == Qualification.Status.APPROVED
    assert qualification.expires_at == datetime(2026, 7, 1, tzinfo=CST)
    assert qualification.warn_at == datetime(2026, 6, 21, tzinfo=CST)
    assert qualification.reviewed_by == reviewer
    event = qualification.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "approved", reviewer)

    with pytest.raises(ApplicationError) as err:
        services.qualification_reject(qualification=qualification, actor=reviewer, reason="x")
    assert err.value.code == "invalid_transition"

    second = Qualification.objects.create(
        store=store, type=qtype("food_business_licence"), number="JY2",
        valid_from=date(2025, 1, 1), valid_until=date(2027, 6, 30),
    )
    with pytest.raises(ApplicationError):
        services.qualification_reject(qualification=second, actor=reviewer, reason="  ")
    services.qualification_reject(qualification=second, actor=reviewer, reason="照片模糊", now=now)
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == ("rejected", "照片模糊")


def test_a_newer_approval_supersedes_the_older_one(tree, qtype, store, approved_qualification):
    first = approved_qualification(store, qtype("food_business_licence"))
    second = approved_qualification(store, qtype("food_business_licence"), until=date(2028, 1, 1))
    first.refresh_from_db()
    assert first.status == Qualification.Status.SUPERSEDED
    assert second.status == Qualification.Status.APPROVED


def test_an_already_expired_document_cannot_be_approved(tree, qtype, store, reviewer):
    qualification = Qualification.objects.create(
        store=store, type=qtype("food_business_licence"), number="JY1",
        valid_from=date(2025, 1, 1), valid_until=date(2026, 1, 31),
    )
    with pytest.raises(ApplicationError) as err:
        services.qualification_approve(
            qualification=qualification, actor=reviewer, now=datetime(2026, 2, 1, 0, 1, tzinfo=CST)
        )
    assert err.value.code == "expired"


# --- expiry clock ------------------------------------------------------------------------
def test_expiry_clock_warns_delists_and_relists(
    tree, qtype, store, other_store, merchant, reviewer, approved_qualification
):
    food = qtype("food_business_licence")
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=CST), tick=False):
        old = approved_qualification(store, food, until=date(2026, 6, 30))
        other_old = approved_qualification(other_store, food, until=date(2026, 12, 31))
    nuts = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    candy = ProductFactory(store=store, category=tree["food.snacks.candy"])
    dress = ProductFactory(store=store, category=tree["apparel.womens.dresses"])
    draft = ProductFactory(store=store, category=tree["food.snacks.nuts"], status="draft")
    others = ProductFactory(store=other_store, category=tree["food.snacks.nuts"])

    # One day before the warning: nothing.
    with time_machine.travel(datetime(2026, 5, 31, 23, 59, tzinfo=CST), tick=False):
        deadlines.run_all()
    old.refresh_from_db()
    assert old.warned_at is None

    with time_machine.travel(datetime(2026, 6, 1, 0, 1, tzinfo=CST), tick=False):
        result = deadlines.run_all()
        assert result["compliance.qualification_expiry_warning"] == 1
        assert deadlines.run_all()["compliance.qualification_expiry_warning"] == 0  # idempotent
    old.refresh_from_db()
    assert old.warned_at == datetime(2026, 6, 1, 0, 1, tzinfo=CST)
    assert old.events.filter(data__kind="expiry_warning").count() == 1
    with time_machine.travel(datetime(2026, 6, 2, tzinfo=CST), tick=False):
        from django.test import Client

        client = Client()
        client.force_login(merchant)
        page = client.get(reverse("seller_compliance:center")).content.decode()
    assert "即将到期" in page or "expires soon" in page

    # Still valid on its last day.
    with time_machine.travel(datetime(2026, 6, 30, 23, 59, tzinfo=CST), tick=False):
        assert deadlines.run_all()["compliance.qualification_expiry"] == 0
    with time_machine.travel(datetime(2026, 7, 1, 0, 1, tzinfo=CST), tick=False):
        assert deadlines.run_all()["compliance.qualification_expiry"] == 1
        assert deadlines.run_all()["compliance.qualification_expiry"] == 0
    old.refresh_from_db()
    assert old.status == Qualification.Status.EXPIRED
    for product in (nuts, candy, dress, draft, others):
        product.refresh_from_db()
    assert nuts.status == candy.status == Product.Status.DELISTED
    assert "食品经营许可证" in nuts.delisted_reason
    assert dress.status == others.status == Product.Status.LISTED
    assert draft.status == Product.Status.DRAFT
    assert ProductEvent.objects.filter(product=nuts, to_status="delisted", actor=None).count() == 1
    assert set(QualificationDelisting.objects.values_list("product_id", flat=True)) == {
        nuts.pk, candy.pk
    }
    other_old.refresh_from_db()
    assert other_old.status == Qualification.Status.APPROVED

    # A new licence is uploaded and approved: the products come back on sale.
    with time_machine.travel(datetime(2026, 7, 3, 10, 0, tzinfo=CST), tick=False):
        renewed = approved_qualification(store, food, until=date(2031, 6, 30))
    for product in (nuts, candy):
        product.refresh_from_db()
        assert product.status == Product.Status.LISTED
    assert not QualificationDelisting.objects.filter(relisted_at=None).exists()
    assert set(QualificationDelisting.objects.values_list("relisted_by", flat=True)) == {renewed.pk}


def test_relisting_skips_products_delisted_since_for_another_reason(
    tree, qtype, store, reviewer, approved_qualification
):
    from shop.services.products import product_delist, product_relist

    food = qtype("food_business_licence")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=CST)
    old = approved_qualification(store, food, until=date(2026, 6, 30), now=start)
    nuts = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    services.qualification_expire_due(now=datetime(2026, 7, 1, 1, 0, tzinfo=CST))
    nuts.refresh_from_db()
    assert nuts.status == Product.Status.DELISTED
    # A reviewer relists and then delists it for a violation in between.
    product_relist(product=nuts, actor=reviewer, reason="test")
    product_delist(product=nuts, actor=reviewer, reason="抽检不合格")
    approved_qualification(store, food, until=date(2031, 1, 1), now=datetime(2026, 7, 2, tzinfo=CST))
    nuts.refresh_from_db()
    assert nuts.status == Product.Status.DELISTED and nuts.delisted_reason == "抽检不合格"
    row = QualificationDelisting.objects.get(qualification=old)
    assert row.relisted_at is not None and row.relisted_by is None


def test_expiry_sweep_is_batched(tree, qtype, reviewer, approved_qualification):
    from tests.factories import StoreFactory

    food = qtype("food_business_licence")
    start = datetime(2026, 3, 1, 9, 0, tzinfo=CST)
    for _ in range(5):
        approved_qualification(StoreFactory(), food, until=date(2026, 6, 30), now=start)
    moved = services.qualification_expire_due(
        now=datetime(2026, 7, 1, 1, 0, tzinfo=CST), batch_size=2
    )
    assert moved == 5
    assert Qualification.objects.filter(status="expired").count() == 5
    assert services.qualification_expire_due(now=datetime(2026, 7, 2, tzinfo=CST)) == 0


# --- public 公示 --------------------------------------------------------------------------
def test_public_licences_show_business_and_public_qualifications_masked(
    tree, qtype, store, approved_qualification
):
    approved_qualification(store, qtype("food_business_licence"))
    approved_qualification(store, qtype("ccc_certificate"))  # not publicly displayed
    licences = public_licences(store)
    assert [lic.name for lic in licences] == [gettext("Business licence"), "食品经营许可证"]
    business, food = licences
    assert business.holder == store.application.registered_name
    assert business.number != store.application.credit_code and "*" in business.number
    assert business.number.startswith(store.application.credit_code[:4])
    assert food.number == "JY13********0001"
    # Expired qualifications are no longer shown.
    Qualification.objects.filter(type__code="food_business_licence").update(
        expires_at=datetime(2026, 1, 1, tzinfo=CST) - timedelta(days=1)
    )
    assert len(public_licences(store)) == 1


# --- relisting when several required types expired ----------------------------------------
@pytest.mark.parametrize("renew_first", ["food_business_licence", "infant_formula_registration"])
def test_a_product_needing_two_expired_types_is_relisted_once_both_are_renewed(
    tree, qtype, store, approved_qualification, renew_first
):
    """A expires (delisted), B expires while it is off sale, then both are renewed in
    either order: the product comes back after the second renewal, not never."""
    food, formula = qtype("food_business_licence"), qtype("infant_formula_registration")
    with time_machine.travel(datetime(2026, 3, 1, 9, 0, tzinfo=CST), tick=False):
        old_food = approved_qualification(store, food, until=date(2026, 6, 30))
        old_formula = approved_qualification(store, formula, until=date(2026, 8, 31))
    milk = ProductFactory(store=store, category=tree["baby.formula.stage1"])

    with time_machine.travel(datetime(2026, 7, 1, 0, 1, tzinfo=CST), tick=False):
        assert deadlines.run_all()["compliance.qualification_expiry"] == 1
    milk.refresh_from_db()
    assert milk.status == Product.Status.DELISTED
    with time_machine.travel(datetime(2026, 9, 1, 0, 1, tzinfo=CST), tick=False):
        assert deadlines.run_all()["compliance.qualification_expiry"] == 1
    old_formula.refresh_from_db()
    assert old_formula.status == Qualification.Status.EXPIRED
    # One delisting row per expired type, both open.
    assert set(
        QualificationDelisting.objects.filter(product=milk, relisted_at=None).values_list(
            "qualification_id", flat=True
        )
    ) == {old_food.pk, old_formula.pk}

    second = formula if renew_first == food.code else food
    with time_machine.travel(datetime(2026, 9, 5, 10, 0, tzinfo=CST), tick=False):
        approved_qualification(store, qtype(renew_first), until=date(2031, 6, 30))
    milk.refresh_from_db()
    assert milk.status == Product.Status.DELISTED  # the other type is still missing
    assert QualificationDelisting.objects.filter(product=milk, relisted_at=None).count() == 2

    with time_machine.travel(datetime(2026, 9, 10, 10, 0, tzinfo=CST), tick=False):
        completing = approved_qualification(store, second, until=date(2031, 6, 30))
    milk.refresh_from_db()
    assert milk.status == Product.Status.LISTED
    assert not QualificationDelisting.objects.filter(relisted_at=None).exists()
    assert set(QualificationDelisting.objects.values_list("relisted_by", flat=True)) == {
        completing.pk
    }
    assert ProductEvent.objects.filter(product=milk, to_status="listed", actor=None).count() == 1


def test_relisting_waits_while_the_category_is_closed(
    tree, qtype, store, approved_qualification
):
    from compliance.models import Category

    food = qtype("food_business_licence")
    approved_qualification(store, food, until=date(2026, 6, 30),
                           now=datetime(2026, 3, 1, tzinfo=CST))
    nuts = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    services.qualification_expire_due(now=datetime(2026, 7, 1, 1, 0, tzinfo=CST))
    Category.objects.filter(code="food.snacks").update(status=Category.Status.NOT_OPEN)

    renewed = approved_qualification(store, food, until=date(2031, 1, 1),
                                     now=datetime(2026, 7, 2, tzinfo=CST))
    nuts.refresh_from_db()
    assert nuts.status == Product.Status.DELISTED
    assert QualificationDelisting.objects.get(product=nuts).relisted_at is None
    assert services.relisting_blocker(nuts, now=datetime(2026, 7, 2, tzinfo=CST)) == (
        "category_not_open"
    )

    # Reopened: the next approval in the store looks at the row again.
    Category.objects.filter(code="food.snacks").update(status="")
    approved_qualification(store, qtype("ccc_certificate"), until=date(2031, 1, 1),
                           now=datetime(2026, 7, 3, tzinfo=CST))
    nuts.refresh_from_db()
    assert nuts.status == Product.Status.LISTED
    assert renewed.pk  # the food licence itself stays approved
    assert QualificationDelisting.objects.get(product=nuts).relisted_at is not None


# --- approving an older document ------------------------------------------------------------
def test_approving_an_older_document_does_not_demote_a_newer_one(
    tree, qtype, store, reviewer, approved_qualification
):
    food = qtype("food_business_licence")
    now = datetime(2026, 3, 1, 9, 0, tzinfo=CST)
    newer = approved_qualification(store, food, until=date(2030, 12, 31), now=now)
    older = approved_qualification(store, food, until=date(2027, 6, 30), now=now)
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.status == Qualification.Status.APPROVED
    assert older.status == Qualification.Status.SUPERSEDED
    last = older.events.order_by("pk").last()
    assert (last.from_status, last.to_status) == ("approved", "superseded")
    assert last.data == {"replaced_by": newer.pk} and last.reason_display
    assert not newer.events.filter(to_status="superseded").exists()
    # A document that never expires outlasts any dated one.
    forever = approved_qualification(store, food, until=None, now=now)
    newer.refresh_from_db()
    assert (forever.status, newer.status) == ("approved", "superseded")


# --- implausible dates ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "extra,field",
    [({"valid_from": "0001-01-01"}, "valid_from"), ({"valid_until": "9999-12-31"}, "valid_until")],
)
def test_upload_refuses_implausible_dates(tree, qtype, store, merchant_client, extra, field):
    response = merchant_client.post(
        UPLOAD_URL, _form(qtype, SimpleUploadedFile("a.pdf", PDF_BYTES), **extra)
    )
    assert response.status_code == 200
    assert response.context["form"].has_error(field, "date_out_of_range")
    assert not Qualification.objects.exists()


@pytest.mark.parametrize(
    "dates,code",
    [((date(1, 1, 1), date(2030, 1, 1)), "issued_too_early"),
     ((date(2025, 1, 1), date(9999, 12, 31)), "ends_too_late")],
)
def test_submit_service_refuses_implausible_dates(tree, qtype, store, merchant, dates, code):
    from common.uploads import UploadInfo

    with pytest.raises(ApplicationError) as err:
        services.qualification_submit(
            store=store, type=qtype("food_business_licence"), number="JY1",
            valid_from=dates[0], valid_until=dates[1],
            files=[(None, UploadInfo("pdf", "application/pdf", ".pdf", 10, "a.pdf"), "a.pdf")],
            actor=merchant,
        )
    assert err.value.code == code


def test_approving_stored_implausible_dates_is_refused_not_a_crash(
    tree, qtype, store, reviewer, reviewer_client
):
    """Rows uploaded before the bounds existed: approval names the problem, and the bulk
    action carries on with the other rows instead of failing with a server error."""
    food = qtype("food_business_licence")
    bad = Qualification.objects.create(
        store=store, type=food, number="JY1", valid_from=date(1, 1, 1),
        valid_until=date(9999, 12, 31),
    )
    with pytest.raises(ApplicationError) as err:
        services.qualification_approve(qualification=bad, actor=reviewer)
    assert err.value.code.startswith("dates_")
    good = Qualification.objects.create(
        store=StoreFactory(), type=food, number="JY2", valid_from=date(2025, 1, 1),
        valid_until=date(2030, 12, 31),
    )
    response = reviewer_client.post(
        reverse("admin:compliance_qualification_changelist"),
        {"action": "approve_selected", "_selected_action": [bad.pk, good.pk], "apply": "1"},
    )
    assert response.status_code == 302
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.status, good.status) == ("pending", "approved")


def test_clock_arithmetic_stays_inside_the_calendar():
    from compliance import rules

    assert rules.qualification_expires_at(
        valid_from=date(2025, 1, 1), valid_until=date.max, max_age_days=None, tz=CST
    ) is None
    assert rules.qualification_expires_at(
        valid_from=date(9999, 12, 1), valid_until=None, max_age_days=10**6, tz=CST
    ) is None
    assert rules.qualification_date_problem(
        valid_from=date(2025, 1, 1), valid_until=None, max_age_days=10**9, today=date(2026, 3, 1)
    ) == ""
    assert rules.qualification_date_problem(
        valid_from=date(1949, 10, 1), valid_until=date(2126, 3, 1), max_age_days=None,
        today=date(2026, 3, 1),
    ) == ""  # both bounds themselves are accepted
    assert rules.qualification_warn_at(
        datetime(1, 1, 2, tzinfo=CST), warning_days=30
    ) == datetime(1, 1, 2, tzinfo=CST)


# --- the merchant's page ----------------------------------------------------------------------
def test_qualification_timeline_shows_status_labels(
    tree, qtype, store, merchant_client, approved_qualification
):
    qualification = approved_qualification(store, qtype("food_business_licence"))
    body = merchant_client.get(
        reverse("seller_compliance:qualification", args=[qualification.pk])
    ).content.decode()
    timeline = body[body.index('class="timeline"'):]
    assert str(Qualification.Status.APPROVED.label) in timeline
    assert "<br>approved" not in timeline and "<br>pending" not in timeline
