"""Merchant pages of live sessions (/seller/promotions/live/): go live, end it; one
session's shopping cart (本场直播我要卖货, add, remove, reorder, the product presented),
plain forms; its results (orders, sales, top products)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import get_owned_or_404, merchant_required
from common.errors import ApplicationError
from promotions.models import LiveSession
from promotions.selectors.coupons import live_session_current, live_sessions_for_merchant
from promotions.selectors.live import (
    cart_candidates_for_merchant,
    live_cart_closed_reasons,
    live_cart_item_in,
    live_cart_items,
    live_session_for_merchant,
    source_orders,
    source_results,
)
from promotions.services import live as services
from shop.selectors.stores import store_for_merchant

RECENT = 20
ORDERS_PAGE = 20


class StartForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=60, required=False)


@merchant_required
def live_page(request):
    store = store_for_merchant(request.user)
    if store is None:
        return redirect("seller:apply")
    return render(request, "seller/promotions/live.html", {
        "current": live_session_current(store), "form": StartForm(),
        "sessions": live_sessions_for_merchant(request.user)[:RECENT],
    })


@merchant_required
@require_POST
def live_start(request):
    store = store_for_merchant(request.user)
    if store is None:
        return redirect("seller:apply")
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            services.live_session_start(store=store, actor=request.user,
                                        title=form.cleaned_data["title"])
            messages.success(request, _("You are live."))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
    return redirect("seller_promotions:live")


@merchant_required
@require_POST
def live_end(request, pk):
    session = get_owned_or_404(LiveSession.objects.for_merchant(request.user)
                               .select_related("store"), pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick “I confirm” to end the live session."))
        return redirect("seller_promotions:live")
    try:
        services.live_session_end(session=session, actor=request.user)
        messages.success(request, _("Live session ended."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller_promotions:live")


def _own_session(request, pk) -> LiveSession:
    try:
        return live_session_for_merchant(request.user, pk)
    except LiveSession.DoesNotExist:
        raise Http404


@merchant_required
def live_session_page(request, pk):
    """The session's cart editor (while it is live) and its timeline."""
    session = _own_session(request, pk)
    items = live_cart_items(session, listed_only=False)
    return render(request, "seller/promotions/live_session.html", {
        "session": session, "items": items,
        "closed_reasons": live_cart_closed_reasons(session.store),
        "candidates": cart_candidates_for_merchant(
            request.user, exclude_ids=[item.product_id for item in items]),
        "events": session.events.select_related("actor").order_by("-at", "-pk")[:RECENT],
    })


def _cart_action(request, pk, action, *, item=None):
    """Run a cart change of the merchant's own session. An item in the path that is not in
    that session's cart (another store's, or gone) is a 404, like any object not theirs."""
    session = _own_session(request, pk)
    if item is not None and not live_cart_item_in(session, item):
        raise Http404
    try:
        action(session)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller_promotions:live_session", pk=session.pk)


@merchant_required
@require_POST
def live_cart_selling(request, pk):
    enabled = request.POST.get("enabled") == "on"
    return _cart_action(request, pk, lambda session: services.live_cart_set_enabled(
        session=session, enabled=enabled, actor=request.user))


@merchant_required
@require_POST
def live_cart_add(request, pk):
    return _cart_action(request, pk, lambda session: services.live_cart_add(
        session=session, product_id=request.POST.get("product"), actor=request.user))


@merchant_required
@require_POST
def live_cart_remove(request, pk, item):
    return _cart_action(request, pk, lambda session: services.live_cart_remove(
        session=session, item_id=item, actor=request.user), item=item)


@merchant_required
@require_POST
def live_cart_move(request, pk, item):
    direction = request.POST.get("direction", "")
    return _cart_action(request, pk, lambda session: services.live_cart_move(
        session=session, item_id=item, direction=direction, actor=request.user), item=item)


@merchant_required
@require_POST
def live_cart_present(request, pk, item):
    return _cart_action(request, pk, lambda session: services.live_cart_present(
        session=session, item_id=item, actor=request.user), item=item)


@merchant_required
@require_POST
def live_cart_present_none(request, pk):
    return _cart_action(request, pk, lambda session: services.live_cart_present(
        session=session, item_id=None, actor=request.user))


@merchant_required
def live_session_results(request, pk):
    """What the session sold: its orders, sales and top products."""
    session = _own_session(request, pk)
    page = Paginator(source_orders(session=session), ORDERS_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "seller/promotions/live_results.html", {
        "session": session, "results": source_results(session=session), "page": page,
    })


urlpatterns = [
    path("live/", live_page, name="live"),
    path("live/start/", live_start, name="live_start"),
    path("live/<int:pk>/end/", live_end, name="live_end"),
    path("live/<int:pk>/", live_session_page, name="live_session"),
    path("live/<int:pk>/results/", live_session_results, name="live_session_results"),
    path("live/<int:pk>/cart/selling/", live_cart_selling, name="live_cart_selling"),
    path("live/<int:pk>/cart/add/", live_cart_add, name="live_cart_add"),
    path("live/<int:pk>/cart/present-none/", live_cart_present_none,
         name="live_cart_present_none"),
    path("live/<int:pk>/cart/<int:item>/remove/", live_cart_remove, name="live_cart_remove"),
    path("live/<int:pk>/cart/<int:item>/move/", live_cart_move, name="live_cart_move"),
    path("live/<int:pk>/cart/<int:item>/present/", live_cart_present, name="live_cart_present"),
]
