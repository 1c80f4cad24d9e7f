"""Reviewer screens of the promotions app."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import (
    ReadOnlyInline,
    ReadOnlyModelAdmin,
    apply_to_each,
    reason_action_page,
    timeline_inline,
)
from promotions.models import (
    Commission,
    CommissionEvent,
    Coupon,
    CouponClaim,
    CouponClaimEvent,
    CouponEvent,
    FlashSale,
    FlashSaleEvent,
    FlashSaleItem,
    LightningListing,
    LightningListingEvent,
    LightningStore,
    LightningStoreEvent,
    LiveCartItem,
    LiveSession,
    LiveSessionEvent,
    OrderSource,
    ProductOffer,
    ProductOfferEvent,
    ShortVideo,
    ShortVideoEvent,
    ShortVideoProduct,
)


# --- coupons and live sessions ----------------------------------------------------------
@admin.register(Coupon)
class CouponAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "title", "store", "kind", "amount", "threshold", "channel",
                    "claimed", "quantity", "status"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["store"]
    raw_id_fields = ["store", "live_session", "copied_from"]
    search_fields = ["=id", "title"]
    ordering = ["-id"]
    inlines = [timeline_inline(CouponEvent)]


@admin.register(CouponClaim)
class CouponClaimAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "coupon", "buyer", "status", "claimed_at", "valid_until", "order"]
    list_filter = ["status"]
    list_select_related = ["coupon", "buyer", "order"]
    raw_id_fields = ["coupon", "store", "buyer", "order"]
    search_fields = ["=id", "=coupon__id"]
    ordering = ["-id"]
    inlines = [timeline_inline(CouponClaimEvent)]


class LiveCartItemInline(ReadOnlyInline):
    model = LiveCartItem
    fields = ["position", "product", "presenting", "added_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


@admin.register(LiveSession)
class LiveSessionAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "store", "title", "status", "cart_enabled", "started_at", "ended_at"]
    list_filter = ["status"]
    list_select_related = ["store"]
    raw_id_fields = ["store"]
    ordering = ["-started_at", "-id"]
    inlines = [LiveCartItemInline, timeline_inline(LiveSessionEvent)]


class ShortVideoProductInline(ReadOnlyInline):
    model = ShortVideoProduct
    fields = ["position", "product"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


@admin.register(ShortVideo)
class ShortVideoAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "store", "title", "status", "published_at"]
    list_filter = ["status"]
    list_select_related = ["store"]
    raw_id_fields = ["store"]
    search_fields = ["=id", "title"]
    ordering = ["-published_at", "-id"]
    inlines = [ShortVideoProductInline, timeline_inline(ShortVideoEvent)]


@admin.register(OrderSource)
class OrderSourceAdmin(ReadOnlyModelAdmin):
    list_display = ["order", "store", "session", "video", "created_at"]
    list_select_related = ["order", "store", "session", "video"]
    raw_id_fields = ["order", "store", "session", "video"]
    search_fields = ["=order__number", "=session__id", "=video__id"]
    ordering = ["-order"]


# --- flash sales ------------------------------------------------------------------------
class FlashSaleItemInline(ReadOnlyInline):
    model = FlashSaleItem
    fields = ["sku", "regular_price", "flash_price", "requested_stock", "stock", "sold",
              "returned"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku__product")


@admin.register(FlashSale)
class FlashSaleAdmin(ReadOnlyModelAdmin):
    list_display = ["pk", "store", "product", "status", "starts_at", "ends_at",
                    "per_buyer_limit"]
    list_filter = ["status"]
    list_select_related = ["store", "product"]
    raw_id_fields = ["store", "product"]
    show_full_result_count = False
    ordering = ["-pk"]
    inlines = [FlashSaleItemInline, timeline_inline(FlashSaleEvent)]
    readonly_fields = [f.name for f in FlashSale._meta.fields]


# --- lightning purchase (闪电购) ---------------------------------------------------------
class SpotCheckedFilter(admin.SimpleListFilter):
    title = _("spot check")
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        return [("no", _("Not spot-checked yet")), ("yes", _("Spot-checked"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(spot_checked_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(spot_checked_at__isnull=False)
        return queryset


@admin.register(LightningListing)
class LightningListingAdmin(admin.ModelAdmin):
    """The reviewers' spot checks of lightning listings: every one is open to a later
    check; a check passes (nothing found) or takes the listing down with a reason."""

    list_display = ["id", "product", "store", "session", "category", "price", "stock",
                    "status", "screening_hit", "created_at", "spot_checked_at"]
    list_filter = [SpotCheckedFilter, "status", "screening_hit"]
    list_select_related = ["product", "store", "session", "category"]
    raw_id_fields = ["store", "session", "product", "sku", "category", "spot_checked_by"]
    search_fields = ["=id", "product__title", "store__name"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["spot_check_passed", "take_down_selected"]
    inlines = [timeline_inline(LightningListingEvent)]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in LightningListing._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Spot check passed (nothing found)"), permissions=["change"])
    def spot_check_passed(self, request, queryset):
        from promotions.services.lightning import lightning_listing_spot_check

        done = apply_to_each(self, request, queryset, lambda row: lightning_listing_spot_check(
            listing=row, actor=request.user))
        self.message_user(request, ngettext("%(n)d listing spot-checked.",
                                            "%(n)d listings spot-checked.", done) % {"n": done},
                          messages.SUCCESS)

    @admin.action(description=_("Take down selected listings…"), permissions=["change"])
    def take_down_selected(self, request, queryset):
        from promotions.services.lightning import lightning_listing_take_down

        return reason_action_page(
            self, request, queryset,
            title=_("Take down lightning listings"),
            apply=lambda row, reason: lightning_listing_take_down(
                listing=row, actor=request.user, reason=reason),
            submit_label=_("Take down"),
            done_message=lambda n: ngettext("%(n)d listing taken down.",
                                            "%(n)d listings taken down.", n) % {"n": n},
        )


@admin.register(LightningStore)
class LightningStoreAdmin(ReadOnlyModelAdmin):
    list_display = ["store", "status", "changed_at"]
    list_filter = ["status"]
    list_select_related = ["store"]
    raw_id_fields = ["store"]
    ordering = ["-changed_at", "-id"]
    inlines = [timeline_inline(LightningStoreEvent)]
# --- selection center and commissions ---------------------------------------------------
@admin.register(ProductOffer)
class ProductOfferAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "product", "store", "rate", "units_sold", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["product", "store"]
    raw_id_fields = ["store", "product"]
    search_fields = ["=id", "=product__id"]
    ordering = ["-id"]
    show_full_result_count = False
    inlines = [timeline_inline(ProductOfferEvent)]


@admin.register(Commission)
class CommissionAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "order", "seller", "promoter", "rate", "base", "amount",
                    "reversed_amount", "status", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["order", "seller", "promoter"]
    raw_id_fields = ["order", "seller", "promoter"]
    search_fields = ["=id", "=order__number"]
    ordering = ["-id"]
    show_full_result_count = False
    inlines = [timeline_inline(CommissionEvent)]


# Paid promotion's and platform campaigns' reviewer screens live in their own modules.
from promotions import admin_campaigns, ads_admin  # noqa: E402, F401
