"""Merchant pages of short videos (/seller/promotions/videos/): the list, publish one with
its cover and products (关联我的商品), one video with its linked products, results and
timeline, remove it."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import merchant_required
from common.errors import ApplicationError
from common.uploads import SniffedImageField
from promotions.models import ShortVideo
from promotions.selectors.live import (
    cart_candidates_for_merchant,
    live_cart_closed_reasons,
    short_video_for_merchant,
    short_video_links,
    short_videos_for_merchant,
    source_orders,
    source_results,
)
from promotions.services import live as services
from shop.models import Product
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20
RECENT = 20


class ProductsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class VideoForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=60)
    cover = SniffedImageField(label=_("Cover image (JPG or PNG)"))
    products = ProductsField(label=_("Linked products"), queryset=None, required=False,
                             widget=forms.CheckboxSelectMultiple,
                             help_text=_("Your listed own products."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = cart_candidates_for_merchant(user)


class LinkForm(forms.Form):
    products = ProductsField(label=_("Linked products"), queryset=None, required=False,
                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, linked=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the products linked already stay choices (a selection-center product is not one
        # of the merchant's own)
        self.fields["products"].queryset = Product.objects.filter(
            Q(pk__in=cart_candidates_for_merchant(user).values("pk")) | Q(pk__in=list(linked))
        ).order_by("-created_at", "-pk")


def _own_video(request, pk) -> ShortVideo:
    try:
        return short_video_for_merchant(request.user, pk)
    except ShortVideo.DoesNotExist:
        raise Http404


@merchant_required
def video_list(request):
    store = store_for_merchant(request.user)
    if store is None:
        return redirect("seller:apply")
    page = Paginator(short_videos_for_merchant(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "seller/promotions/videos/list.html", {"page": page})


@merchant_required
def video_new(request):
    store = store_for_merchant(request.user)
    if store is None:
        return redirect("seller:apply")
    form = VideoForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            video = services.short_video_publish(
                store=store, actor=request.user, title=form.cleaned_data["title"],
                cover=form.cleaned_data["cover"],
                product_ids=[p.pk for p in form.cleaned_data["products"]])
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Short video published."))
            return redirect("seller_promotions:videos_detail", pk=video.pk)
    return render(request, "seller/promotions/videos/new.html", {
        "form": form, "closed_reasons": live_cart_closed_reasons(store)})


@merchant_required
def video_detail(request, pk):
    video = _own_video(request, pk)
    links = short_video_links(video, listed_only=False)
    linked = [link.product_id for link in links]
    form = LinkForm(request.POST or None, user=request.user, linked=linked,
                    initial={"products": linked})
    if request.method == "POST" and form.is_valid():
        try:
            services.short_video_link_products(
                video=video, actor=request.user,
                product_ids=[p.pk for p in form.cleaned_data["products"]])
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Linked products saved."))
        return redirect("seller_promotions:videos_detail", pk=video.pk)
    page = Paginator(source_orders(video=video), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "seller/promotions/videos/detail.html", {
        "video": video, "links": links, "form": form, "page": page,
        "results": source_results(video=video),
        "closed_reasons": live_cart_closed_reasons(video.store),
        "events": video.events.select_related("actor").order_by("-at", "-pk")[:RECENT],
    })


@merchant_required
@require_POST
def video_remove(request, pk):
    video = _own_video(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick “I confirm” to remove the video."))
        return redirect("seller_promotions:videos_detail", pk=video.pk)
    try:
        services.short_video_remove(video=video, actor=request.user)
        messages.success(request, _("Short video removed."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller_promotions:videos_detail", pk=video.pk)


urlpatterns = [
    path("videos/", video_list, name="videos"),
    path("videos/new/", video_new, name="videos_new"),
    path("videos/<int:pk>/", video_detail, name="videos_detail"),
    path("videos/<int:pk>/remove/", video_remove, name="videos_remove"),
]
