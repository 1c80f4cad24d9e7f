"""Reviewers' enforcement screens: the violation-type catalogue, violations with the entry
page (a preview of the deduction before it is confirmed), the appeals queue ordered by
when the appeal came in, credit scores and restrictions. Every decision goes through a
service with actor=request.user."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyInline, ReadOnlyModelAdmin, ServiceModelAdmin
from common.errors import ApplicationError
from common.pagination import EstimatedCountPaginator
from compliance.enforcement import measures, notices, sampling, selectors, services
from compliance.enforcement.admin_helpers import (
    EventInline,
    ServicePagesMixin,
    errors_on,
    row_button,
)
from compliance.enforcement.forms import (
    DecisionForm,
    InspectionPlanForm,
    InspectionStepForm,
    LiftForm,
    MeasureForm,
    ViolationEntryForm,
)
from compliance.enforcement.models import (
    CalendarDay,
    CreditScore,
    CreditScoreEntry,
    Lab,
    Measure,
    MeasureEvent,
    Restriction,
    RestrictionEvent,
    SamplingFile,
    SamplingInspection,
    SamplingInspectionEvent,
    UnsafeGoodsMatch,
    UnsafeGoodsNotice,
    UnsafeGoodsNoticeEvent,
    Violation,
    ViolationAppeal,
    ViolationEvent,
    ViolationFile,
    ViolationType,
)


@admin.register(ViolationType)
class ViolationTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "default_points", "active", "academy_lesson"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    ordering = ["name"]


class ViolationEventInline(EventInline):
    model = ViolationEvent


class ViolationFileInline(ReadOnlyInline):
    model = ViolationFile
    fields = ["side", "download", "content_type", "size"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>',
                           reverse("seller_compliance:violation_file", args=[obj.pk]), obj)


class RestrictionInline(ReadOnlyInline):
    model = Restriction
    fields = ["kind", "status", "node_score", "starts_at", "ends_at"]
    readonly_fields = fields


@admin.register(Violation)
class ViolationAdmin(ServicePagesMixin, ServiceModelAdmin):
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = ["recorded_at", "store", "type", "points", "status", "appeal_by"]
    list_filter = ["status", "type", "source_kind"]
    search_fields = ["store__name", "store__merchant__username"]
    list_select_related = ["store", "type"]
    ordering = ["-recorded_at", "-pk"]
    raw_id_fields = ["store"]
    readonly_fields = ["store", "type", "source_kind", "source_link", "points", "score_year",
                       "status", "recorded_at", "recorded_by", "reason_display", "appeal_by",
                       "appeal_text", "appealed_at", "decided_by", "decided_at",
                       "decision_reason", "decide_button"]
    exclude = ["reason", "reason_code", "reason_params", "source_type", "source_id"]
    inlines = [ViolationFileInline, ViolationEventInline, RestrictionInline]
    pages = [
        ("record/", "record_view", "compliance_violation_record"),
        ("<int:pk>/decide/", "decide_view", "compliance_violation_decide"),
    ]

    @admin.display(description=_("source record"))
    def source_link(self, obj):
        if not obj.source_type_id:
            return "—"
        model = obj.source_type.model_class()
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                          args=[obj.source_id])
        except Exception:
            return f"{obj.source_type} #{obj.source_id}"
        return format_html('<a href="{}">{} #{}</a>', url, obj.source_type, obj.source_id)

    @admin.display(description=_("decision"))
    def decide_button(self, obj):
        if obj.status not in (Violation.Status.APPEALED, Violation.Status.IN_FORCE,
                              Violation.Status.UPHELD):
            return "—"
        return row_button("admin:compliance_violation_decide", obj.pk, _("Decide…"))

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:compliance_violation_record")

    def has_add_permission(self, request):
        return request.user.has_perm("compliance.add_violation")

    def record_view(self, request):
        """Enter a violation: the first post shows the preview (score after, nodes crossed,
        restrictions and until when); the second, confirmed, records it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ViolationEntryForm(request.POST or None, request.FILES or None)
        preview = store = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            store = selectors.store_by_id(data["store"])
            points = data["points"]
            if points is None:
                points = data["type"].default_points
            if store is None:
                form.add_error("store", _("No store with this ID."))
            elif data["confirmed"] and request.POST.get("confirm"):
                with errors_on(form):
                    violation = services.violation_record(
                        store=store, type=data["type"], source_kind=data["source_kind"],
                        points=points, reason=data["reason"], evidence=data["files"],
                        actor=request.user)
                    return self.done(request, _("The violation was recorded."),
                                     "admin:compliance_violation_change", violation.pk)
            if store is not None and form.is_valid():
                preview = selectors.credit_deduction_preview(store, points)
                initial = {name: data[name] for name in ("store", "source_kind", "reason")}
                form = ViolationEntryForm(initial={**initial, "type": data["type"].pk,
                                                   "points": points, "confirmed": True})
        return self.form_page(request, "admin/compliance/violation_record.html",
                              _("Record a violation"), form=form, preview=preview, store=store)

    def decide_view(self, request, pk):
        if not self.has_view_permission(request) or not request.user.has_perm(
                "compliance.change_violationappeal"):
            raise PermissionDenied
        violation = get_object_or_404(Violation.objects.select_related("store", "type"), pk=pk)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            decide = (services.violation_uphold if form.cleaned_data["decision"] == "uphold"
                      else services.violation_revoke)
            with errors_on(form):
                decide(violation=violation, actor=request.user,
                       reason=form.cleaned_data["reason"])
                return self.done(request, _("Decision recorded."),
                                 "admin:compliance_violation_change", pk)
        return self.form_page(
            request, "admin/compliance/violation_decide.html",
            _("Decide on the violation of %(store)s") % {"store": violation.store},
            form=form, v=violation, files=violation.files.all())


@admin.register(ViolationAppeal)
class ViolationAppealAdmin(ViolationAdmin):
    """Appeals waiting for a reviewer, oldest first."""

    list_display = ["appealed_at", "store", "type", "points", "appeal_by", "decide_button"]
    list_filter = ["type"]
    ordering = ["appealed_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Violation.Status.APPEALED)

    pages = []

    def has_add_permission(self, request):
        return False


class CreditScoreEntryInline(ReadOnlyInline):
    model = CreditScoreEntry
    fk_name = "store"
    fields = ["at", "kind", "change", "score_after", "violation", "reason_display"]
    readonly_fields = fields


@admin.register(CreditScore)
class CreditScoreAdmin(ReadOnlyModelAdmin):
    list_display = ["store", "score", "year", "zero_reached_at"]
    list_filter = ["year"]
    search_fields = ["store__name", "store__merchant__username"]
    list_select_related = ["store"]
    ordering = ["score", "pk"]
    readonly_fields = ["store", "score", "year", "zero_reached_at"]


class RestrictionEventInline(EventInline):
    model = RestrictionEvent


@admin.register(Restriction)
class RestrictionAdmin(ReadOnlyModelAdmin):
    list_display = ["store", "kind", "status", "node_score", "starts_at", "ends_at"]
    list_filter = ["status", "kind"]
    search_fields = ["store__name", "store__merchant__username"]
    list_select_related = ["store"]
    ordering = ["ends_at", "pk"]
    readonly_fields = ["store", "kind", "status", "node_score", "score_year", "violation",
                       "starts_at", "ends_at", "ended_at"]
    inlines = [RestrictionEventInline]


class MeasureEventInline(EventInline):
    model = MeasureEvent


class MeasureRestrictionInline(ReadOnlyInline):
    model = Restriction
    fk_name = "measure"
    fields = ["kind", "status", "starts_at", "ends_at"]
    readonly_fields = fields


@admin.register(Measure)
class MeasureAdmin(ServicePagesMixin, ServiceModelAdmin):
    list_display = ["starts_at", "store", "kind", "ban_step", "status", "ends_at", "applied_by"]
    list_filter = ["status", "kind"]
    search_fields = ["store__name", "store__merchant__username"]
    list_select_related = ["store", "applied_by"]
    ordering = ["-starts_at", "-pk"]
    readonly_fields = ["store", "kind", "ban_step", "status", "product", "reason_display",
                       "starts_at",
                       "ends_at", "applied_by", "lifted_by", "lifted_at", "lift_reason",
                       "lift_button"]
    exclude = ["reason", "reason_code", "reason_params"]
    inlines = [MeasureRestrictionInline, MeasureEventInline]
    pages = [
        ("apply/", "apply_view", "compliance_measure_apply"),
        ("<int:pk>/lift/", "lift_view", "compliance_measure_lift"),
    ]

    @admin.display(description=_("lift"))
    def lift_button(self, obj):
        if obj.status != Measure.Status.ACTIVE:
            return "—"
        return row_button("admin:compliance_measure_lift", obj.pk, _("Lift…"))

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:compliance_measure_apply")

    def apply_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MeasureForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            store = selectors.store_by_id(data["store"])
            product = (selectors.product_by_id(data["product"]) if data["product"] else None)
            if store is None:
                form.add_error("store", _("No store with this ID."))
            elif data["product"] and product is None:
                form.add_error("product", _("No product with this ID."))
            else:
                with errors_on(form, on_field=True):
                    measure = measures.measure_apply(
                        store=store, kind=data["kind"], reason=data["reason"],
                        ends_at=data["ends_at"], product=product, actor=request.user)
                    return self.done(request, _("The measure is in force."),
                                     "admin:compliance_measure_change", measure.pk)
        return self.form_page(request, "admin/compliance/measure_form.html",
                              _("Apply a measure"), form=form)

    def lift_view(self, request, pk):
        if not request.user.has_perm("compliance.change_measure"):
            raise PermissionDenied
        measure = get_object_or_404(Measure.objects.select_related("store"), pk=pk)
        form = LiftForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with errors_on(form):
                measures.measure_lift(measure=measure, reason=form.cleaned_data["reason"],
                                      actor=request.user)
                return self.done(request, _("The measure was lifted."),
                                 "admin:compliance_measure_change", pk)
        return self.form_page(request, "admin/compliance/measure_form.html",
                              _("Lift: %(measure)s") % {"measure": measure}, form=form)


class UnsafeGoodsMatchInline(admin.TabularInline):
    """Per merchant: the delisted product, the measure, and the reviewers' follow-up."""

    model = UnsafeGoodsMatch
    extra = 0
    can_delete = False
    fields = ["store", "product", "measure", "follow_up", "followed_up_at"]
    readonly_fields = ["store", "product", "measure", "followed_up_at"]

    def has_add_permission(self, request, obj=None):
        return False


class UnsafeGoodsNoticeEventInline(EventInline):
    model = UnsafeGoodsNoticeEvent


@admin.register(UnsafeGoodsNotice)
class UnsafeGoodsNoticeAdmin(ServicePagesMixin, admin.ModelAdmin):
    list_display = ["created_at", "issuer", "source", "brand", "category", "batch", "status"]
    list_filter = ["status", "source"]
    search_fields = ["issuer", "brand", "batch", "text"]
    list_select_related = ["category"]
    show_full_result_count = False
    ordering = ["-created_at", "-pk"]
    raw_id_fields = ["category", "same_as_product"]
    fields = ["source", "issuer", "text", "brand", "category", "batch", "same_as_product",
              "status", "confirm_button"]
    readonly_fields = ["status", "confirm_button"]
    inlines = [UnsafeGoodsMatchInline, UnsafeGoodsNoticeEventInline]
    pages = [("<int:pk>/confirm/", "confirm_view", "compliance_unsafegoodsnotice_confirm")]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.fields]

    @admin.display(description=_("matching products"))
    def confirm_button(self, obj):
        if obj is None or obj.pk is None or obj.status != UnsafeGoodsNotice.Status.DRAFT:
            return "—"
        return row_button("admin:compliance_unsafegoodsnotice_confirm", obj.pk,
                          _("Find matching products and delist…"))

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        notice = notices.notice_record(
            source=data["source"], issuer=data["issuer"], text=data["text"],
            brand=data.get("brand") or "", category=data.get("category"),
            batch=data.get("batch") or "", same_as_product=data.get("same_as_product"),
            actor=request.user)
        obj.pk = notice.pk

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.instance.pk and "follow_up" in inline_form.changed_data:
                notices.notice_follow_up(match=inline_form.instance,
                                         note=inline_form.cleaned_data["follow_up"],
                                         actor=request.user)

    def confirm_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        notice = get_object_or_404(UnsafeGoodsNotice, pk=pk)
        products = list(notices.notice_matching_products(notice)[:500])
        error = None
        if request.method == "POST":
            try:
                matches = notices.notice_confirm(
                    notice=notice, product_ids=request.POST.getlist("product"),
                    actor=request.user)
            except ApplicationError as exc:
                error = exc.message
            else:
                return self.done(request, _("%(n)d products delisted.") % {"n": len(matches)},
                                 "admin:compliance_unsafegoodsnotice_change", pk)
        return self.form_page(
            request, "admin/compliance/notice_confirm.html",
            _("Products matching the notice of %(issuer)s") % {"issuer": notice.issuer},
            notice=notice, products=products, error=error)


# --- sampling inspections ----------------------------------------------------------------------
@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "accreditation", "supports_retest", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "accreditation"]
    ordering = ["name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday calendar the working-day clocks follow (public holidays on weekdays,
    adjusted working days on weekends)."""

    list_display = ["day", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    ordering = ["day"]


class SamplingEventInline(EventInline):
    model = SamplingInspectionEvent


class SamplingFileInline(ReadOnlyInline):
    model = SamplingFile
    fields = ["side", "download", "size"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>',
                           reverse("seller_compliance:inspection_file", args=[obj.pk]), obj)


@admin.register(SamplingInspection)
class SamplingInspectionAdmin(ServicePagesMixin, ServiceModelAdmin):
    """The inspection plan and queue, the next clock first."""
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    list_display = ["product", "store", "status", "clock", "lab", "drawn", "step_button"]
    list_filter = ["status", "drawn", "lab"]
    search_fields = ["store__name", "product__title"]
    list_select_related = ["store", "product", "lab"]
    readonly_fields = ["store", "product", "status", "drawn", "planned_by", "planned_at",
                       "sample_order", "lab", "failed_items", "notified_at", "appeal_by",
                       "appeal_text", "refusal", "fee_amount", "fee_due_by", "fee_paid_at",
                       "violation", "final_reason", "step_button"]
    exclude = ["fee_payment"]
    inlines = [SamplingFileInline, SamplingEventInline]
    pages = [
        ("plan/", "plan_view", "compliance_samplinginspection_plan"),
        ("<int:pk>/step/", "step_view", "compliance_samplinginspection_step"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            clock_at=Coalesce("appeal_by", "fee_due_by", "planned_at")).order_by(
            "clock_at", "pk")

    @admin.display(description=_("clock"), ordering="clock_at")
    def clock(self, obj):
        return obj.next_clock or "—"

    @admin.display(description=_("next step"))
    def step_button(self, obj):
        if obj.status not in InspectionStepForm.STEP_FIELDS:
            return "—"
        return row_button("admin:compliance_samplinginspection_step", obj.pk, _("Next step…"))

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:compliance_samplinginspection_plan")

    def plan_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InspectionPlanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with errors_on(form):
                if data["product"]:
                    product = selectors.product_by_id(data["product"])
                    if product is None:
                        raise ApplicationError(_("No product with this ID."), code="no_product")
                    sampling.inspection_plan(product=product, actor=request.user)
                    count = 1
                elif data["draw"]:
                    count = len(sampling.inspections_draw(count=data["draw"],
                                                          actor=request.user))
                else:
                    raise ApplicationError(_("Give a product ID or a number to draw."),
                                           code="nothing")
                return self.done(request, _("%(n)d inspections planned.") % {"n": count},
                                 "admin:compliance_samplinginspection_changelist")
        return self.form_page(request, "admin/compliance/measure_form.html",
                              _("Plan sampling inspections"), form=form, multipart=False)

    def step_view(self, request, pk):
        if not request.user.has_perm("compliance.change_samplinginspection"):
            raise PermissionDenied
        inspection = get_object_or_404(SamplingInspection.objects.select_related("store"),
                                       pk=pk)
        form = InspectionStepForm(request.POST or None, request.FILES or None,
                                  status=inspection.status)
        if request.method == "POST" and form.is_valid():
            with errors_on(form):
                self._step(inspection, form.cleaned_data, request.user)
                return self.done(request, _("Saved."),
                                 "admin:compliance_samplinginspection_change", pk)
        return self.form_page(request, "admin/compliance/measure_form.html",
                              _("%(inspection)s: next step") % {"inspection": inspection},
                              form=form, multipart=True)

    @staticmethod
    def _step(inspection, data, actor):
        status = inspection.status
        if status == "selected":
            order = selectors.order_by_id(data.get("order") or 0)
            if order is None:
                raise ApplicationError(_("No order with this ID."), code="no_order")
            sampling.inspection_sample_ordered(inspection=inspection, order=order, actor=actor)
        elif status == "sample_ordered":
            if data.get("lab") is None:
                raise ApplicationError(_("Choose the lab."), code="no_lab")
            sampling.inspection_send_to_lab(inspection=inspection, lab=data["lab"], actor=actor)
        elif status in ("at_lab", "retesting"):
            if data.get("passed") is None:
                raise ApplicationError(_("Choose the result."), code="no_result")
            if status == "at_lab":
                sampling.inspection_result(inspection=inspection, passed=data["passed"],
                                           failed_items=data.get("failed_items") or (),
                                           report=data.get("report"), actor=actor)
            else:
                sampling.inspection_retest_result(inspection=inspection, passed=data["passed"],
                                                  report=data.get("report"), actor=actor)
        elif status == "appealed":
            if data.get("decision") == "accept":
                if not data.get("fee_amount"):
                    raise ApplicationError(_("Enter the re-inspection fee."), code="no_fee")
                sampling.inspection_appeal_accept(inspection=inspection,
                                                  fee_amount=data["fee_amount"], actor=actor)
            elif data.get("decision") == "refuse":
                sampling.inspection_appeal_refuse(inspection=inspection,
                                                  refusal=data.get("refusal") or "",
                                                  actor=actor)
            else:
                raise ApplicationError(_("Accept or refuse the appeal."), code="no_decision")
        else:
            raise ApplicationError(_("Nothing to do at this stage."), code="bad_state")
