"""Merchant pages of flash sales (/seller/promotions/flash-sales/): the list with live
counters, create with the SKU grid, one sale with its timeline, end early and cancel (with
a confirmation step)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common import config
from common.access import merchant_required
from common.errors import ApplicationError
from promotions.models import FlashSale
from promotions.selectors.flash_sales import (
    flash_sale_counters_for_merchant,
    flash_sale_for_merchant,
    flash_sale_products_for_merchant,
    flash_sales_for_merchant,
    item_remaining,
)
from promotions.services import flash_sales as services
from shop.selectors.stores import store_abilities, store_for_merchant

PAGE_SIZE = 20
PLATFORM_TZ = ZoneInfo(settings.PLATFORM_TIME_ZONE)


def _store(request):
    store = store_for_merchant(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
    return store


def _own_sale(request, pk) -> FlashSale:
    try:
        return flash_sale_for_merchant(request.user, pk)
    except FlashSale.DoesNotExist:
        raise Http404


@merchant_required
def flash_sale_list(request):
    store = _store(request)
    if store is None:
        return redirect("seller:apply")
    status = request.GET.get("status", "")
    page = Paginator(flash_sales_for_merchant(request.user, status=status),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for sale in page.object_list:
        items = list(sale.items.all())
        rows.append({
            "sale": sale,
            "sold": sum(i.sold for i in items),
            "remaining": sum(item_remaining(i, sale.status) for i in items),
            "live": sale.status in (FlashSale.Status.SCHEDULED, FlashSale.Status.RUNNING),
        })
    return render(request, "seller/promotions/flash_sales/list.html", {
        "page": page, "rows": rows, "status": status, "statuses": FlashSale.Status.choices,
        "abilities": store_abilities(store),
    })


@merchant_required
@require_GET
def flash_sale_counters(request):
    """Sold / remaining of the merchant's sales named in `ids` (the list page polls it)."""
    try:
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.strip()]
    except ValueError:
        ids = []
    counters = flash_sale_counters_for_merchant(request.user, ids)
    return JsonResponse({"sales": {
        str(pk): {"status": row["status"], "status_label": str(FlashSale.Status(row["status"]).label),
                  "sold": row["sold"], "remaining": row["remaining"]}
        for pk, row in counters.items()}})


class FlashSaleForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Platform time (Beijing time)."))
    duration_hours = forms.IntegerField(label=_("Duration: hours"), min_value=0, initial=1)
    duration_minutes = forms.IntegerField(label=_("Duration: minutes"), min_value=0,
                                          max_value=59, initial=0)
    per_buyer_limit = forms.IntegerField(label=_("Purchase limit per buyer (限购件数)"),
                                         min_value=1, initial=1)

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        # The browser sends wall-clock time: read it in the platform's time zone.
        return value.replace(tzinfo=None).replace(tzinfo=PLATFORM_TZ) if value else value

    def duration(self) -> timedelta:
        data = self.cleaned_data
        return timedelta(hours=data["duration_hours"], minutes=data["duration_minutes"])


def _grid(product, post=None, errors=None):
    errors = errors or {}
    rows = []
    for sku in product.skus.filter(is_active=True).order_by("pk"):
        price_key, stock_key = f"sku-{sku.pk}-price", f"sku-{sku.pk}-stock"
        rows.append({
            "sku": sku,
            "price_name": price_key, "stock_name": stock_key,
            "price": (post or {}).get(price_key, ""), "stock": (post or {}).get(stock_key, ""),
            "price_error": errors.get(price_key, ""), "stock_error": errors.get(stock_key, ""),
        })
    return rows


@merchant_required
def flash_sale_new(request):
    store = _store(request)
    if store is None:
        return redirect("seller:apply")
    products = flash_sale_products_for_merchant(request.user)
    product = None
    product_id = request.POST.get("product") or request.GET.get("product")
    if product_id:
        try:
            product = products.get(pk=int(product_id))
        except (ValueError, products.model.DoesNotExist):
            raise Http404
    form = FlashSaleForm(request.POST or None)
    grid = _grid(product, request.POST) if product else []
    if request.method == "POST" and product is not None and form.is_valid():
        items = [{"sku": row["sku"].pk, "flash_price": row["price"], "stock": row["stock"]}
                 for row in grid]
        try:
            sale = services.flash_sale_create(
                store=store, actor=request.user, product=product, items=items,
                per_buyer_limit=form.cleaned_data["per_buyer_limit"],
                starts_at=form.cleaned_data["starts_at"], duration=form.duration())
        except ApplicationError as exc:
            if exc.extra.get("fields"):
                grid = _grid(product, request.POST, exc.extra["fields"])
                form.add_error(None, str(exc.message))
            elif exc.field == "duration":
                form.add_error("duration_hours", str(exc.message))
            elif exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            else:
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Flash sale scheduled."))
            return redirect("seller_promotions:flash_sales_detail", sale.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "seller/promotions/flash_sales/new.html", {
        "form": form, "product": product, "grid": grid,
        "products": products[:200], "abilities": store_abilities(store),
        "limits": {"min_minutes": config.get("flash_sale.min_duration_minutes"),
                   "max_hours": config.get("flash_sale.max_duration_minutes") / 60},
    }, status=status)


@merchant_required
def flash_sale_detail(request, pk):
    sale = _own_sale(request, pk)
    items = [{"item": i, "remaining": item_remaining(i, sale.status)} for i in sale.items.all()]
    return render(request, "seller/promotions/flash_sales/detail.html", {
        "sale": sale, "items": items, "events": sale.events.all(),
    })


ACTIONS = {
    "end": (services.flash_sale_end_early, _("End this flash sale now"),
            _("Flash sale ended. Unsold units are back in stock.")),
    "cancel": (services.flash_sale_cancel, _("Cancel this flash sale"),
               _("Flash sale cancelled.")),
}


@merchant_required
def flash_sale_action(request, pk, action):
    """GET shows what will happen; POST with confirm=yes does it."""
    if action not in ACTIONS:
        raise Http404
    sale = _own_sale(request, pk)
    service, title, done = ACTIONS[action]
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(request, "seller/promotions/flash_sales/confirm.html", {
            "sale": sale, "action": action, "title": title,
            "sold": sum(i.sold for i in sale.items.all()),
            "remaining": sum(item_remaining(i, sale.status) for i in sale.items.all()),
        })
    try:
        service(sale=sale, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("seller_promotions:flash_sales_detail", sale.pk)


urlpatterns = [
    path("", flash_sale_list, name="flash_sales"),
    path("new/", flash_sale_new, name="flash_sales_new"),
    path("counters/", flash_sale_counters, name="flash_sales_counters"),
    path("<int:pk>/", flash_sale_detail, name="flash_sales_detail"),
    path("<int:pk>/<slug:action>/", flash_sale_action, name="flash_sales_action"),
]
