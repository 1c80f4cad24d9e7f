from django.shortcuts import render
from django.utils import timezone

from common.access import merchant_required
from shop.models import MerchantApplication
from shop.selectors.dashboard import dsr_chart, sales_chart, sales_summary, todo_tiles
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
    now = timezone.now()
    abilities = store_abilities(store)
    sales = sales_summary(store, now)
    dsr_trend = store_dsr_trend(store, now)
    context.update(
        now=now,
        abilities=abilities,
        tiles=todo_tiles(store, now, abilities=abilities),
        sales=sales,
        sales_chart=sales_chart(sales["daily"]),
        dsr=store_dsr(store, now),
        dsr_trend=dsr_trend,
        dsr_chart=dsr_chart(dsr_trend),
    )
    return render(request, "seller/dashboard.html", context)
