"""Public pages (no login): a store, a product (owners also preview unlisted ones), and
public images."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path

from compliance import selectors as compliance_selectors
from compliance.enforcement.selectors import restrictions_for
from shop.models import Product, Store
from shop.selectors.deposits import closure_notice
from shop.selectors.orders import store_dsr
from shop.selectors.products import public_products


def public_store(request, slug):
    """The store's public page: no login needed. A closed store's page stays up with its
    closure notice only (关店公示), no products; a closed store without one is gone."""
    store = get_object_or_404(Store, slug=slug)
    if store.status == Store.Status.CLOSED:
        notice = closure_notice(store)
        if notice is None:
            raise Http404
        return render(request, "shop/public_store.html", {
            "store": store, "closed": True, "closure_notice": notice, "products": [],
        })
    context = {
        "store": store,
        "products": public_products(store),
        "licences": compliance_selectors.public_licences(store),
        # 公示警告: a credit-score node or a measure warns buyers publicly while it runs
        "warnings": restrictions_for(store, "warning"),
    }
    context["dsr"] = store_dsr(store)
    context["closure_notice"] = closure_notice(store)
    return render(request, "shop/public_store.html", context)


def public_product(request, slug, pk):
    """A listed product's public page; its owner also sees any other status as a preview."""
    store = get_object_or_404(Store, slug=slug)
    product = get_object_or_404(Product.objects.filter(store=store).select_related("category"), pk=pk)
    preview = product.status != Product.Status.LISTED
    if preview and not (request.user.is_authenticated and store.merchant_id == request.user.pk):
        raise Http404
    skus = product.skus.filter(is_active=True)
    return render(
        request,
        "shop/public_product.html",
        {"store": store, "product": product, "skus": skus, "preview": preview},
    )


def public_image(request, path_name):
    """Public product images and logos (under public/ in the media folder only)."""
    from django.core.files.storage import default_storage

    if not path_name.startswith("public/") or ".." in path_name:
        raise Http404
    if not default_storage.exists(path_name):
        raise Http404
    response = FileResponse(default_storage.open(path_name, "rb"))
    # Re-encoded images only; never let a browser read one as anything else.
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("s/<slug:slug>/", public_store, name="public_store"),
    path("s/<slug:slug>/p/<int:pk>/", public_product, name="public_product"),
    path("media/<path:path_name>", public_image, name="public_media"),
]
