"""Notification e-mails are written in the recipient's language with an absolute link
from SITE_URL; a sweep's qualification notifications are written in one insert."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from common import notifications as notes
from common.models import Notification, NotificationPreference
from compliance.models import Qualification, QualificationType
from compliance.notifications import notify_qualifications_expiring
from shop.notifications import N
from tests.factories import StoreFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")


def _tell(user):
    return notes.notification_create(recipient=user, kind=N("product_rejected"),
                                     params={"product": "羊毛围巾"}, text="主图不清晰",
                                     link=("seller:products_detail", [7]))


@pytest.mark.django_db
def test_the_email_links_absolutely_from_the_site_url(merchant, settings):
    settings.SITE_URL = "https://shop.example.com/"
    merchant.email = "a@example.com"
    merchant.save()
    NotificationPreference.objects.create(user=merchant, email_kinds=[N("product_rejected")])
    note = _tell(merchant)
    with translation.override("en"):  # the worker's own language does not leak in
        assert notes.notification_email_deliver(notification_id=note.pk)
    body = mail.outbox[0].body
    assert "https://shop.example.com/seller/products/7/" in body
    assert "did not pass review" not in body  # the platform's language, not the worker's


def test_the_recipients_language_is_their_stored_one_or_the_platforms(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert notes.recipient_language(SimpleNamespace()) == "zh-hans"
    assert notes.recipient_language(SimpleNamespace(preferred_language="en")) == "en"
    assert notes.recipient_language(SimpleNamespace(language="en")) == "en"
    assert notes.recipient_language(SimpleNamespace(language="xx")) == "zh-hans"


def test_absolute_url(settings):
    settings.SITE_URL = "https://shop.example.com"
    assert notes.absolute_url("/seller/") == "https://shop.example.com/seller/"
    assert notes.absolute_url("https://x.example/") == "https://x.example/"


@pytest.fixture
def qualifications(db):
    from compliance import loaders

    loaders.load_categories()
    kind = QualificationType.objects.get(code="food_business_licence")
    out = []
    for i in range(5):
        store = StoreFactory(merchant=UserFactory(role="merchant"))
        out.append(Qualification.objects.create(
            store=store, type=kind, number=f"JY{i}", issuer="市场监管局",
            valid_from=date(2025, 1, 1), valid_until=date(2026, 6, 30),
            status=Qualification.Status.APPROVED, warn_at=datetime(2026, 6, 1, tzinfo=TZ),
            expires_at=datetime(2026, 7, 1, tzinfo=TZ)))
    return out


def _inserts(queries):
    return [q for q in queries.captured_queries
            if q["sql"].startswith("INSERT") and "common_notification" in q["sql"]]


def test_a_batch_of_qualification_notifications_is_one_insert(
        qualifications, django_capture_on_commit_callbacks):
    ids = [q.pk for q in qualifications]
    chooser = qualifications[0].store.merchant
    chooser.email = "q@example.com"
    chooser.save()
    NotificationPreference.objects.create(user=chooser,
                                          email_kinds=["compliance.qualification_expiring"])
    now = datetime(2026, 6, 1, 0, 1, tzinfo=TZ)
    with django_capture_on_commit_callbacks() as callbacks:
        with CaptureQueriesContext(connection) as queries:
            notify_qualifications_expiring(ids, now=now)
    assert len(_inserts(queries)) == 1
    written = Notification.objects.filter(kind="compliance.qualification_expiring")
    assert sorted(written.values_list("recipient_id", flat=True)) == sorted(
        q.store.merchant_id for q in qualifications)
    first = written.get(recipient=chooser)
    assert first.key == f"qualification:{qualifications[0].pk}"
    assert first.link_args == [qualifications[0].pk] and first.params["date"] == "2026-07-01"
    assert len(callbacks) == 1  # the one recipient who chose e-mails of this kind
    # told once: the next run of the clock writes nothing more
    with CaptureQueriesContext(connection) as again:
        notify_qualifications_expiring(ids, now=now)
    assert _inserts(again) == [] and written.count() == 5
