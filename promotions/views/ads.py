"""Merchant pages of paid promotion (/seller/promotions/ads/): the list of orders with
their figures, a new order (reviewed before it runs), one order with its results,
extensions and timeline, extend (追投) and cancel with a confirmation, and orders compared
side by side with server-rendered charts."""

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.access import merchant_required
from common.errors import ApplicationError
from promotions.charts import comparison_charts
from promotions.models import PromotionOrder
from promotions.rules import ads as rules
from promotions.selectors.ads import (
    promotable_sessions_for_merchant,
    promotable_videos_for_merchant,
    promotion_figures,
    promotion_order_for_merchant,
    promotion_orders_for_merchant,
    promotion_orders_to_compare,
    promotion_recent_results,
)
from promotions.services import ads as services
from shop.selectors.deposits import store_account_or_blank
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20


def _store(request):
    store = store_for_merchant(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
    return store


def _own_order(request, pk) -> PromotionOrder:
    try:
        return promotion_order_for_merchant(request.user, pk)
    except PromotionOrder.DoesNotExist:
        raise Http404


def _subject_label(order: PromotionOrder) -> str:
    if order.session_id:
        return _("Live session: %(title)s") % {"title": order.session}
    return _("Short video: %(title)s") % {"title": order.video}


@merchant_required
def ad_list(request):
    store = _store(request)
    if store is None:
        return redirect("seller:apply")
    status = request.GET.get("status", "")
    page = Paginator(promotion_orders_for_merchant(request.user, status=status),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"order": o, "subject": _subject_label(o), "figures": promotion_figures(o)}
            for o in page.object_list]
    return render(request, "seller/promotions/ads/list.html", {
        "page": page, "rows": rows, "status": status,
        "statuses": PromotionOrder.Status.choices,
    })


class AdOrderForm(forms.Form):
    subject = forms.ChoiceField(label=_("What to promote"))
    kind = forms.ChoiceField(label=_("Kind"), choices=PromotionOrder.Kind.choices,
                             help_text=_("A short video linked to products is promoted as "
                                         "小店作品推广; anything else as 粉丝头条."))
    goal = forms.ChoiceField(label=_("Goal"), choices=PromotionOrder.Goal.choices)
    budget = forms.DecimalField(label=_("Budget (CNY)"), max_digits=12, decimal_places=2)
    duration_hours = forms.TypedChoiceField(label=_("Duration"), coerce=int)
    target_gender = forms.ChoiceField(label=_("Gender"), choices=PromotionOrder.Gender.choices,
                                      initial=PromotionOrder.Gender.ANY)
    target_ages = forms.MultipleChoiceField(
        label=_("Age bands"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(a, a) for a in rules.AGE_BANDS], help_text=_("None ticked: all ages."))
    target_regions = forms.MultipleChoiceField(
        label=_("Regions"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(r, r) for r in rules.REGIONS], help_text=_("None ticked: everywhere."))
    promotes_other_platform = forms.BooleanField(
        label=_("Promotes other-platform products"), required=False,
        help_text=_("Needs the promotion deposit (推广保证金)."))
    confirm = forms.BooleanField(
        label=_("I confirm: when a reviewer approves, the budget is charged from the store "
                "account; what is not spent comes back when the order ends"),
        error_messages={"required": _("Tick “I confirm” to submit the order.")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"live:{s.pk}", _("Live session: %(title)s") % {"title": s})
                   for s in promotable_sessions_for_merchant(user)[:50]]
        choices += [(f"video:{v.pk}", _("Short video: %(title)s") % {"title": v})
                    for v in promotable_videos_for_merchant(user)[:200]]
        self.fields["subject"].choices = choices
        self.fields["duration_hours"].choices = [
            (h, _("%(hours)d hours") % {"hours": h}) for h in services.duration_choices()]


@merchant_required
def ad_new(request):
    store = _store(request)
    if store is None:
        return redirect("seller:apply")
    initial = {}
    if request.GET.get("subject"):
        initial["subject"] = request.GET["subject"]
    form = AdOrderForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject_type, _sep, subject_id = data["subject"].partition(":")
        try:
            order = services.promotion_order_create(
                store=store, actor=request.user, subject_type=subject_type,
                subject_id=subject_id, kind=data["kind"], goal=data["goal"],
                budget=data["budget"], duration_hours=data["duration_hours"],
                target_gender=data["target_gender"], target_ages=data["target_ages"],
                target_regions=data["target_regions"],
                promotes_other_platform=data["promotes_other_platform"])
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Promotion order submitted: a reviewer checks it "
                                        "before it runs."))
            return redirect("seller_promotions:ads_detail", order.pk)
    return render(request, "seller/promotions/ads/new.html", {
        "form": form, "account": store_account_or_blank(store),
    }, status=400 if request.method == "POST" else 200)


@merchant_required
def ad_detail(request, pk):
    order = _own_order(request, pk)
    return render(request, "seller/promotions/ads/detail.html", {
        "order": order, "subject": _subject_label(order), "figures": promotion_figures(order),
        "results": promotion_recent_results(order),
        "extensions": order.extensions.select_related("actor").all(),
        "events": order.events.select_related("actor").all(),
    })


class ExtendForm(forms.Form):
    added_budget = forms.DecimalField(label=_("Add budget (CNY)"), max_digits=12,
                                      decimal_places=2, required=False, min_value=0)
    added_hours = forms.TypedChoiceField(label=_("Add time"), coerce=int, required=False,
                                         empty_value=0)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("I confirm: the added budget is charged from the store account now"),
        error_messages={"required": _("Tick “I confirm” to extend the order.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added_hours"].choices = [("", _("No more time"))] + [
            (h, _("%(hours)d hours") % {"hours": h}) for h in services.duration_choices()]


@merchant_required
def ad_extend(request, pk):
    order = _own_order(request, pk)
    if order.status != PromotionOrder.Status.RUNNING:
        messages.error(request, _("Only a running promotion order can be extended."))
        return redirect("seller_promotions:ads_detail", order.pk)
    form = ExtendForm(request.POST or None, initial={"token": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.promotion_order_extend(
                order=order, actor=request.user, added_budget=data["added_budget"] or "0",
                added_hours=data["added_hours"] or 0, token=data["token"])
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Promotion order extended."))
            return redirect("seller_promotions:ads_detail", order.pk)
    return render(request, "seller/promotions/ads/extend.html", {
        "order": order, "form": form, "account": store_account_or_blank(order.store),
    }, status=400 if request.method == "POST" else 200)


@merchant_required
def ad_cancel(request, pk):
    """GET shows what will happen; POST with confirm=yes does it."""
    order = _own_order(request, pk)
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(request, "seller/promotions/ads/cancel.html", {"order": order})
    try:
        services.promotion_order_cancel(order=order, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Promotion order cancelled."))
    return redirect("seller_promotions:ads_detail", order.pk)


@merchant_required
def ad_compare(request):
    orders = promotion_orders_to_compare(request.user, request.GET.getlist("ids"))
    rows = [{"order": o, "subject": _subject_label(o), "figures": promotion_figures(o)}
            for o in orders]
    return render(request, "seller/promotions/ads/compare.html", {
        "rows": rows, "charts": comparison_charts(orders) if orders else [],
    })


urlpatterns = [
    path("", ad_list, name="ads"),
    path("new/", ad_new, name="ads_new"),
    path("compare/", ad_compare, name="ads_compare"),
    path("<int:pk>/", ad_detail, name="ads_detail"),
    path("<int:pk>/extend/", ad_extend, name="ads_extend"),
    path("<int:pk>/cancel/", ad_cancel, name="ads_cancel"),
]
