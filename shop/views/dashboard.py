from django.db.models import Count
from django.shortcuts import render

from common.access import merchant_required
from shop.models import MerchantApplication, Product
from shop.selectors.orders import store_dsr, store_dsr_trend
from shop.selectors.stores import store_abilities, store_for_merchant


@merchant_required
def dashboard(request):
    store = store_for_merchant(request.user)
    context = {"store": store}
    if store is None:
        context["application"] = (
            MerchantApplication.objects.for_merchant(request.user).order_by("-submitted_at").first()
        )
        return render(request, "seller/dashboard.html", context)
    counts = dict.fromkeys(Product.Status.values, 0)
    for row in Product.objects.filter(store=store).values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    context.update(
        abilities=store_abilities(store),
        product_counts=counts,
    )
    context["dsr"] = store_dsr(store)
    context["dsr_trend"] = store_dsr_trend(store)
    return render(request, "seller/dashboard.html", context)
