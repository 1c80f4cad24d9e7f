"""Merchant pages for products: list, create/edit with the SKU grid, stock, submit,
delist, preview."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import merchant_required
from common.errors import ApplicationError
from compliance.models import Category
from compliance.presentation import FOOD_LABEL_LABELS
from compliance.selectors import sellable_leaf_choices
from shop.forms import product_description_field, product_image_field
from shop.models import Product, Sku
from shop.reasons import R
from shop.selectors.products import delisting_reason, merchant_products, open_revision
from shop.selectors.stores import store_for_merchant
from shop.services import products as product_services

PAGE_SIZE = 20
SKU_ROWS_EXTRA = 3


def _store_or_redirect(request):
    store = store_for_merchant(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
    return store


@merchant_required
def product_list(request):
    store = _store_or_redirect(request)
    if store is None:
        return redirect("seller:apply")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    page = Paginator(merchant_products(request.user, q=q, status=status, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "seller/products/list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "kind": kind,
            "statuses": Product.Status.choices,
            "kinds": Product.Kind.choices,
        },
    )


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.TypedChoiceField(label=_("Category (lowest level)"), coerce=int, required=False, empty_value=None)
    description = product_description_field()
    image = product_image_field()
    image_caption = forms.CharField(label=_("Text on the cover image"), max_length=200, required=False)
    gifts = forms.CharField(label=_("Gifts (赠品)"), max_length=200, required=False)
    gift_value = forms.DecimalField(label=_("Gift marked value"), required=False, min_value=0, decimal_places=2)
    supports_seven_day_return = forms.BooleanField(label=_("Supports 7-day no-reason return"), required=False, initial=True)
    free_shipping = forms.BooleanField(label=_("Free shipping"), required=False, initial=True)
    shipping_fee = forms.DecimalField(label=_("Shipping fee"), required=False, min_value=0, decimal_places=2)
    link = forms.CharField(label=_("Product link or share token"), required=False, max_length=500)
    external_price = forms.DecimalField(label=_("Price"), required=False, decimal_places=2)
    attr_name_1 = forms.CharField(label=_("Spec 1 name"), required=False, max_length=20, initial="颜色")
    attr_name_2 = forms.CharField(label=_("Spec 2 name"), required=False, max_length=20, initial="尺码")

    def __init__(self, *args, current_category_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "---------"), *sellable_leaf_choices()]
        offered = {pk for _group, options in choices[1:] for pk, _label in options}
        if current_category_id and current_category_id not in offered:
            # A category closed since the product was made stays visible on its form; the
            # submission check explains why it cannot be used.
            current = Category.objects.filter(pk=current_category_id).first()
            if current is not None:
                choices.append((current.pk, current.path_name))
        self.fields["category"].choices = choices


def _sku_rows(post, names):
    rows, index = [], 0
    while f"sku-{index}-price" in post:
        values = [post.get(f"sku-{index}-a{i}", "").strip() for i in (1, 2)]
        price = post.get(f"sku-{index}-price", "").strip()
        stock = post.get(f"sku-{index}-stock", "").strip()
        code = post.get(f"sku-{index}-code", "").strip()
        if any(values) or price or stock or code:
            rows.append({
                "attributes": {n: v for n, v in zip(names, values, strict=True) if n and v},
                "price": price,
                "stock": stock or 0,
                "code": code,
            })
        index += 1
    return rows


def _grid_for_display(rows, names):
    display = []
    for row in rows:
        attrs = row.get("attributes", {})
        display.append({
            "a1": attrs.get(names[0], "") if names[0] else "",
            "a2": attrs.get(names[1], "") if names[1] else "",
            "price": row.get("price", ""),
            "stock": row.get("stock", ""),
            "code": row.get("code", ""),
        })
    return display + [{} for _ in range(SKU_ROWS_EXTRA)]


def _attr_names(rows):
    names = []
    for row in rows:
        for name in row.get("attributes", {}):
            if name not in names:
                names.append(name)
    return (names + ["", ""])[:2] if names else ["颜色", "尺码"]


@merchant_required
def product_edit(request, pk=None):
    store = _store_or_redirect(request)
    if store is None:
        return redirect("seller:apply")
    product = get_object_or_404(Product.objects.for_merchant(request.user), pk=pk) if pk else None
    kind = product.kind if product else request.GET.get("kind", Product.Kind.OWN)
    if kind not in Product.Kind.values:
        kind = Product.Kind.OWN
    revision = open_revision(product) if product else None
    source = (revision.payload if revision else product_services.product_payload(product)) if product else {}
    names = _attr_names(source.get("skus", []))
    initial = {
        **{k: v for k, v in source.items() if k in ProductForm.base_fields},
        "category": source.get("category_id"),
        "link": source.get("external_url", ""),
        "attr_name_1": names[0],
        "attr_name_2": names[1],
    } if product else {}
    form = ProductForm(
        request.POST or None, request.FILES or None, initial=initial,
        current_category_id=source.get("category_id"),
    )
    grid = _grid_for_display(source.get("skus", []), names)
    food_label = source.get("food_label") or {}
    if request.method == "POST":
        names = [request.POST.get("attr_name_1", "").strip(), request.POST.get("attr_name_2", "").strip()]
        rows = _sku_rows(request.POST, names)
        grid = _grid_for_display(rows, names)
        food_label = {k: request.POST.get(f"food-{k}", "").strip() for k in FOOD_LABEL_LABELS}
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["category_id"] = data.pop("category")
            data["food_label"] = {k: v for k, v in food_label.items() if v}
            image = data.pop("image", None)
            created = False
            try:
                if product is None:
                    product = product_services.product_create(
                        store=store, actor=request.user, kind=kind, data=data, skus=rows, image=image
                    )
                    created = True
                else:
                    product_services.product_update(
                        product=product, actor=request.user, data=data, skus=rows, image=image
                    )
                if "submit" in request.POST:
                    product_services.product_submit(product=product, actor=request.user)
                    messages.success(request, _("Submitted for review."))
                else:
                    messages.success(request, _("Saved."))
                return redirect("seller:products_detail", product.pk)
            except ApplicationError as exc:
                if created:
                    # The draft exists now (with its image): send the merchant to its edit
                    # page, so fixing the problem and submitting again updates this draft
                    # instead of creating a second product (and a reload re-posts nothing).
                    messages.error(
                        request,
                        _("Saved as a draft, but not submitted: %(reason)s")
                        % {"reason": exc.message},
                    )
                    return redirect("seller:products_edit", product.pk)
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    return render(
        request,
        "seller/products/edit.html",
        {
            "form": form,
            "product": product,
            "kind": kind,
            "grid": grid,
            "food_fields": [(k, label, food_label.get(k, "")) for k, label in FOOD_LABEL_LABELS.items()],
            "revision": revision,
        },
    )


@merchant_required
def product_detail(request, pk):
    product = get_object_or_404(
        Product.objects.for_merchant(request.user).select_related("category", "store"), pk=pk
    )
    return render(
        request,
        "seller/products/detail.html",
        {
            "product": product,
            "delisted_reason": delisting_reason(product),
            "skus": product.skus.filter(is_active=True),
            "revision": open_revision(product),
            "revisions": product.revisions.select_related("reviewer")[:10],
            "events": product.events.select_related("actor").order_by("-at", "-pk")[:50],
        },
    )


@merchant_required
@require_POST
def product_submit(request, pk):
    product = get_object_or_404(Product.objects.for_merchant(request.user), pk=pk)
    try:
        product_services.product_submit(product=product, actor=request.user)
        messages.success(request, _("Submitted for review."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller:products_detail", pk)


@merchant_required
@require_POST
def product_delist(request, pk):
    product = get_object_or_404(Product.objects.for_merchant(request.user), pk=pk)
    try:
        product_services.product_delist(product=product, actor=request.user,
                                        reason=R("delisted_by_merchant"),
                                        cause=Product.DelistedCause.MERCHANT)
        messages.success(request, _("Delisted."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller:products_detail", pk)


@merchant_required
@require_POST
def product_bulk_delist(request):
    store = store_for_merchant(request.user)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if store is None or not ids:
        messages.error(request, _("Select at least one product."))
        return redirect("seller:products")
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick “I confirm” to delist the selected products."))
        return redirect("seller:products")
    count = product_services.product_bulk_delist(
        store=store, product_ids=ids, actor=request.user, reason=R("delisted_by_merchant")
    )
    messages.success(request, _("%(n)d products delisted.") % {"n": count})
    return redirect("seller:products")


@merchant_required
@require_POST
def sku_stock(request, pk):
    sku = get_object_or_404(Sku.objects.for_merchant(request.user), pk=pk)
    try:
        product_services.sku_stock_set(sku=sku, actor=request.user, stock=request.POST.get("stock"))
        messages.success(request, _("Stock updated."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller:products_detail", sku.product_id)


urlpatterns = [
    path("products/", product_list, name="products"),
    path("products/new/", product_edit, name="products_new"),
    path("products/bulk-delist/", product_bulk_delist, name="products_bulk_delist"),
    path("products/<int:pk>/", product_detail, name="products_detail"),
    path("products/<int:pk>/edit/", product_edit, name="products_edit"),
    path("products/<int:pk>/submit/", product_submit, name="products_submit"),
    path("products/<int:pk>/delist/", product_delist, name="products_delist"),
    path("skus/<int:pk>/stock/", sku_stock, name="products_stock"),
]
