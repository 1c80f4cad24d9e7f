"""The notification service, the merchant's inbox and the e-mails: text rendered in the
reader's language, a merchant sees and marks only their own, the unread badge is one
bounded query, e-mails go out after the commit, once, and only for the kinds chosen."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_q.conf import Conf

from common import notifications as notes
from common.models import Notification, NotificationPreference
from common.reasons import Label
from shop.notifications import N

pytestmark = pytest.mark.django_db
INBOX = "/seller/notifications/"


def tell(user, kind="product_rejected", *, text="主图不清晰", **params):
    params = params or {"product": "纯棉T恤"}
    return notes.notification_create(recipient=user, kind=N(kind), params=params, text=text,
                                     link=("seller:products_detail", [7]))


@pytest.fixture
def worker_inline(monkeypatch):
    """The worker runs a queued task at once, in the test's process."""
    monkeypatch.setattr(Conf, "SYNC", True)


# --- the service --------------------------------------------------------------------------------
def test_unknown_kinds_are_refused(merchant):
    with pytest.raises(KeyError):
        notes.notification_create(recipient=merchant, kind="shop.nonsense")
    with pytest.raises(KeyError):
        N("nonsense")


def test_text_renders_in_the_readers_language_not_the_writers(merchant):
    with translation.override("zh-hans"):
        note = notes.notification_create(
            recipient=merchant, kind=N("withdrawal_result"),
            params={"amount": "300.00", "status": Label("shop.Withdrawal.status", "paid")})
    assert note.params["status"] == {"$label": "shop.Withdrawal.status", "value": "paid"}
    with translation.override("en"):
        english = notes.notification_message(note)
    with translation.override("zh-hans"):
        chinese = notes.notification_message(note)
        paid_in_chinese = str(Label("shop.Withdrawal.status", "paid"))
    assert "Paid out" in english and "300.00" in english
    assert paid_in_chinese != "Paid out" and paid_in_chinese in chinese


def test_translated_text_is_refused_as_a_parameter(merchant):
    with pytest.raises(TypeError):
        notes.notification_create(recipient=merchant, kind=N("product_rejected"),
                                  params={"product": translation.gettext_lazy("Paid out")})


def test_a_key_makes_a_notification_once_only(merchant):
    first = notes.notification_create(recipient=merchant, kind=N("order_settled"),
                                      params={"number": "1", "amount": "1"}, key="order:1")
    again = notes.notification_create(recipient=merchant, kind=N("order_settled"),
                                      params={"number": "1", "amount": "1"}, key="order:1")
    assert first is not None and again is None
    assert Notification.objects.count() == 1


def test_a_link_that_no_longer_resolves_is_no_link(merchant):
    note = notes.notification_create(recipient=merchant, kind=N("product_approved"),
                                     params={"product": "x"}, link=("seller:gone", [1]))
    assert notes.notification_url(note) == ""


# --- the inbox ----------------------------------------------------------------------------------
def test_the_inbox_lists_the_merchants_own_notifications_newest_first(
        merchant, other_merchant, merchant_client):
    older = tell(merchant, "product_approved", text="", product="旧商品")
    newer = tell(merchant)
    tell(other_merchant, product="别人的商品")
    body = merchant_client.get(INBOX).content.decode()
    assert body.index(f'data-notification="{newer.pk}"') < body.index(
        f'data-notification="{older.pk}"')
    assert "主图不清晰" in body and "旧商品" in body and "别人的商品" not in body


def test_the_inbox_filters_unread_and_kind(merchant, merchant_client):
    read = tell(merchant, "product_approved", text="", product="已读商品")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    tell(merchant, product="未读商品")
    body = merchant_client.get(INBOX, {"unread": "on"}).content.decode()
    assert "未读商品" in body and "已读商品" not in body
    body = merchant_client.get(INBOX, {"kind": "shop.product_approved"}).content.decode()
    assert "已读商品" in body and "未读商品" not in body


def test_an_empty_inbox_says_so(merchant_client):
    response = merchant_client.get(INBOX)
    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()


def test_the_inbox_pages_by_keyset(merchant, merchant_client):
    from common import config

    config.set_value("notifications.page_size", 2)
    made = [tell(merchant, product=f"商品{i}") for i in range(5)]
    first = merchant_client.get(INBOX)
    page = first.context["page"]
    assert [n.pk for n in page.object_list] == [made[4].pk, made[3].pk]
    second = merchant_client.get(INBOX, {"after": page.next_cursor}).context["page"]
    assert [n.pk for n in second.object_list] == [made[2].pk, made[1].pk]


def test_the_inbox_query_count_does_not_grow_with_the_page(merchant, merchant_client):
    tell(merchant)
    merchant_client.get(INBOX)  # configuration read once, then cached
    with CaptureQueriesContext(connection) as one:
        merchant_client.get(INBOX)
    for i in range(15):
        tell(merchant, product=f"商品{i}")
    with CaptureQueriesContext(connection) as many:
        merchant_client.get(INBOX)
    assert len(many) == len(one)


def test_opening_marks_read_and_goes_to_the_object(merchant, merchant_client):
    note = tell(merchant)
    response = merchant_client.post(reverse("seller_notifications:read", args=[note.pk]),
                                    {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/seller/products/7/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read_marks_only_the_merchants_own(merchant, other_merchant, merchant_client):
    mine = [tell(merchant), tell(merchant)]
    theirs = tell(other_merchant)
    response = merchant_client.post(reverse("seller_notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine],
                                           read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_merchants_notification_is_a_404(other_merchant, merchant_client):
    theirs = tell(other_merchant)
    response = merchant_client.post(reverse("seller_notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post_with_the_csrf_token(merchant, merchant_client):
    note = tell(merchant)
    url = reverse("seller_notifications:read", args=[note.pk])
    assert merchant_client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(merchant)
    assert strict.post(url).status_code == 403
    note.refresh_from_db()
    assert note.read_at is None


def test_the_inbox_is_for_merchants(buyer_client, client):
    assert buyer_client.get(INBOX).status_code == 403
    assert client.get(INBOX).status_code == 302


# --- the unread badge ---------------------------------------------------------------------------
def test_the_unread_count_is_one_bounded_query(merchant, django_assert_num_queries):
    tell(merchant)
    with django_assert_num_queries(1) as captured:
        assert notes.unread_count(merchant) == (1, False)
    assert "LIMIT 100" in captured.captured_queries[0]["sql"]


def test_the_header_shows_the_unread_count_capped(merchant, merchant_client):
    assert 'data-unread' not in merchant_client.get("/seller/").content.decode()
    Notification.objects.bulk_create(
        Notification(recipient=merchant, kind=N("product_approved"), params={"product": "x"})
        for _ in range(120))
    body = merchant_client.get("/seller/").content.decode()
    assert 'data-unread="99"' in body and "99+" in body
    Notification.objects.filter(pk__in=Notification.objects.values("pk")[:115]).update(
        read_at=timezone.now())
    body = merchant_client.get("/seller/").content.decode()
    assert 'data-unread="5"' in body and "5+" not in body


def test_the_menu_links_the_inbox(merchant_client):
    body = merchant_client.get(INBOX).content.decode()
    assert 'href="/seller/notifications/"' in body


# --- e-mails ------------------------------------------------------------------------------------
def test_no_email_unless_the_kind_is_switched_on(merchant, worker_inline,
                                                 django_capture_on_commit_callbacks):
    merchant.email = "a@example.com"
    merchant.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tell(merchant)
    assert callbacks == [] and mail.outbox == []


def test_an_email_goes_out_after_the_commit_once(merchant, worker_inline,
                                                 django_capture_on_commit_callbacks):
    merchant.email = "a@example.com"
    merchant.save()
    NotificationPreference.objects.create(user=merchant, email_kinds=[N("product_rejected")])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = tell(merchant)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.com"] and "主图不清晰" in message.body
    assert "/seller/products/7/" in message.body
    note.refresh_from_db()
    assert note.emailed_at is not None
    # The task delivered again (at-least-once) sends nothing more.
    assert notes.notification_email_deliver(notification_id=note.pk) is False
    assert len(mail.outbox) == 1


def test_a_rolled_back_event_queues_no_email(merchant, worker_inline,
                                             django_capture_on_commit_callbacks):
    merchant.email = "a@example.com"
    merchant.save()
    NotificationPreference.objects.create(user=merchant, email_kinds=[N("product_rejected")])
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            tell(merchant)
            raise RuntimeError
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_kind_switched_off_before_the_worker_runs_is_not_sent(merchant):
    merchant.email = "a@example.com"
    merchant.save()
    preference = NotificationPreference.objects.create(user=merchant,
                                                       email_kinds=[N("product_rejected")])
    note = tell(merchant)
    preference.email_kinds = []
    preference.save()
    assert notes.notification_email_deliver(notification_id=note.pk) is False
    assert mail.outbox == []


def test_the_preferences_page_switches_kinds(merchant, merchant_client):
    url = reverse("seller_notifications:preferences")
    assert merchant_client.get(url).status_code == 200
    response = merchant_client.post(url, {"email_kinds": [N("product_rejected"),
                                                          "disputes.aftersale_opened"]})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=merchant).email_kinds == [
        "disputes.aftersale_opened", "shop.product_rejected"]
    response = merchant_client.post(url, {"email_kinds": ["shop.nonsense"]})
    assert response.status_code == 200 and response.context["form"].errors
    assert NotificationPreference.objects.get(user=merchant).email_kinds == [
        "disputes.aftersale_opened", "shop.product_rejected"]


# --- demo data ----------------------------------------------------------------------------------
def test_the_demo_gives_merchant_a_an_unread_rejection(settings):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = True
    call_command("seed_demo")
    merchant = get_user_model().objects.get(username="merchant_a")
    unread = Notification.objects.filter(recipient=merchant, read_at__isnull=True)
    assert [n.kind for n in unread] == ["shop.product_rejected"]
    assert Notification.objects.filter(recipient=merchant, read_at__isnull=False).exists()
    client = Client()
    client.force_login(merchant)
    body = client.get(INBOX).content.decode()
    assert "买一送三" in body and 'data-unread="1"' in body
