from django.shortcuts import render

from common.access import merchant_required


@merchant_required
def dashboard(request):
    return render(request, "seller/dashboard.html", {})
