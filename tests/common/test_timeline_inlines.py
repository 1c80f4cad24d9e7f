"""Every event model's rows in the reviewers' admin are one shared read-only timeline
(`common.admin.timeline_inline` / `TimelineInline`): statuses by their labels, the actor
("System" for a clock) and the reason in the reader's language, never raw codes."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from common.admin import TimelineInline, timeline_inline
from common.models import EventBase
from promotions.models import ProductOffer, ProductOfferEvent
from promotions.services.selection import offer_create, offer_withdraw
from tests.shop.order_factories import listed_sku, store_for


def _event_inlines():
    for model, model_admin in admin.site._registry.items():
        for inline in model_admin.inlines:
            if issubclass(inline.model, EventBase):
                yield model, inline


def test_every_event_inline_is_the_shared_timeline():
    found = list(_event_inlines())
    assert found
    wrong = [f"{model.__name__}: {inline.__name__}" for model, inline in found
             if not issubclass(inline, TimelineInline)]
    assert wrong == []


def test_the_helper_makes_a_read_only_timeline_of_the_model():
    inline = timeline_inline(ProductOfferEvent)
    assert issubclass(inline, TimelineInline) and inline.model is ProductOfferEvent
    assert inline.fields == ["at", "from_label", "to_label", "actor_label", "reason_label"]


@pytest.mark.django_db
def test_an_offers_timeline_shows_labels_not_codes(merchant, reviewer_client):
    sku = listed_sku(store_for(merchant), price="50.00")
    offer = offer_create(store=sku.product.store, product_id=sku.product.pk,
                         rate=Decimal("0.2"), actor=merchant)
    offer_withdraw(offer=offer, actor=merchant)
    page = reviewer_client.get(reverse("admin:promotions_productoffer_change",
                                       args=[offer.pk])).content.decode()
    withdrawn = str(ProductOffer.Status.WITHDRAWN.label)
    assert withdrawn in page
    assert f'<td class="field-to_status"><p>{ProductOffer.Status.WITHDRAWN.value}</p></td>' \
        not in page
    assert 'class="field-to_label"' in page
