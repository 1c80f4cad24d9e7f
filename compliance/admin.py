"""Reviewers' compliance screens: the category tree, qualification types and the
qualification queue, the screening rule lists, and the product review queue (商品初审).
Every decision goes through a service with actor=request.user."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReasonForm, TimelineInline, reason_action_page
from common.errors import ApplicationError
from common.pagination import EstimatedCountPaginator
from common.uploads import private_file_response
from compliance import selectors, services
from compliance.admin_review import ReviewQueueMixin, confirm_bulk_page
from compliance.models import (
    Category,
    ProductReview,
    Qualification,
    QualificationEvent,
    QualificationFile,
    QualificationReview,
    QualificationType,
    ScreeningRule,
    ScreeningTerm,
)
from compliance.presentation import (
    NUMBER_LABELS,
    qualification_chain,
    qualification_detail_rows,
    qualification_details_summary,
)
from shop.models import RejectionReasonTemplate


def _reason_templates(scope):
    """The reason templates a reviewer may pick from on a rejection of `scope`."""
    return RejectionReasonTemplate.objects.filter(scope=scope)


QUALIFICATION = RejectionReasonTemplate.Scope.QUALIFICATION
PRODUCT = RejectionReasonTemplate.Scope.PRODUCT


# --- Category tree ---------------------------------------------------------------------
_effective = selectors.category_effective_prefetched


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = [
        "tree_name", "code", "level", "own_status", "effective_status", "effective_qualifications",
        "service_fee", "deposit_standard",
    ]
    list_filter = ["status", "level", "prepackaged_food", "lightning_purchase"]
    search_fields = ["code", "name", "name_en"]
    ordering = ["code"]
    list_select_related = ["parent__parent"]
    show_full_result_count = False
    list_per_page = 100
    autocomplete_fields = ["parent"]
    filter_horizontal = ["required_qualifications"]
    # The level follows from the parent (`services.category_save`).
    readonly_fields = ["level", "effective_summary"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "parent", "level", "sort_order"]}),
        (_("Own values (blank: inherit from the parent)"), {"fields": [
            "status", "required_qualifications", "service_fee_rate", "seven_day_return",
            "lightning_purchase", "lightning_base_only", "prepackaged_food",
            "deposit_standard", "deposit_industry_base", "invitation_only",
        ]}),
        (_("Effective values (inherited)"), {"fields": ["effective_summary"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            "required_qualifications",
            "parent__required_qualifications",
            "parent__parent__required_qualifications",
        )

    @admin.display(description=_("name"), ordering="code")
    def tree_name(self, obj):
        # Indented with ideographic spaces: the CSP forbids inline styles.
        prefix = "\u3000\u3000" * (obj.level - 2) + "└ " if obj.level > 1 else ""
        return format_html('<span class="tree-level-{}">{}{}</span>', obj.level, prefix, obj.name)

    @admin.display(description=_("own status"))
    def own_status(self, obj):
        return obj.get_status_display() if obj.status else _("(inherit)")

    @admin.display(description=_("effective status"))
    def effective_status(self, obj):
        effective = _effective(obj)
        label = Category.Status(effective.status).label
        if effective.status != Category.Status.OPEN:
            return format_html("<strong>{}</strong> ({})", label, effective.blocked_by)
        return label

    @admin.display(description=_("required qualifications (with inherited)"))
    def effective_qualifications(self, obj):
        names = []
        for node in obj.ancestors_and_self():
            names.extend(q.name for q in node.required_qualifications.all())
        return "、".join(dict.fromkeys(names)) or "—"

    @admin.display(description=_("effective service fee rate"))
    def service_fee(self, obj):
        rate = _effective(obj).service_fee_rate
        return f"{rate * 100:.2f}%" if rate is not None else _("platform default")

    @admin.display(description=_("effective values"))
    def effective_summary(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        obj = selectors.category_tree_rows().get(pk=obj.pk)
        e = _effective(obj)
        yes, no = _("yes"), _("no")
        rows = [
            (_("status"), Category.Status(e.status).label + (f" ({e.blocked_by})" if e.blocked_by else "")),
            (_("required qualifications"), self.effective_qualifications(obj)),
            (_("technical service fee rate"), self.service_fee(obj)),
            (_("7-day no-reason return applies"), yes if e.seven_day_return else no),
            (_("lightning purchase allowed"), yes if e.lightning_purchase else no),
            (_("lightning purchase only for industry-belt base merchants"),
             yes if e.lightning_base_only else no),
            (_("prepackaged food (label fields required)"), yes if e.prepackaged_food else no),
        ]
        return format_html(
            "<table>{}</table>",
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    def save_model(self, request, obj, form, change):
        # The form already ran Category.clean (no loop, at most three levels); the
        # service checks again under a lock and moves the levels below along.
        services.category_save(category=obj, actor=request.user)


@admin.register(QualificationType)
class QualificationTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "publicly_displayed", "requires_number", "max_age_days"]
    search_fields = ["code", "name", "name_en"]


# --- Qualifications ----------------------------------------------------------------------
def _qualification_file_preview(row, *, css):
    """A qualification document through the permission-checked file view: an image as a
    preview linking to the file, a PDF as a link."""
    url = reverse("seller_compliance:qualification_file", args=[row.pk])
    if row.content_type.startswith("image/"):
        return format_html('<a href="{0}" target="_blank" rel="noopener"><img src="{0}" alt="{1}" '
                           'class="{2}" loading="lazy"></a>', url, str(row), css)
    return format_html('<a href="{}" target="_blank" rel="noopener">{} ({})</a>', url, row,
                       _("PDF") if row.content_type == "application/pdf" else row.content_type)


class QualificationFileInline(admin.TabularInline):
    model = QualificationFile
    extra = 0
    can_delete = False
    fields = ["link", "content_type", "size"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def link(self, obj):
        return _qualification_file_preview(obj, css="doc-preview")

    def has_add_permission(self, request, obj=None):
        return False


class QualificationEventInline(TimelineInline):
    model = QualificationEvent


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    list_display = [
        "type", "store", "number", "details_summary", "status", "valid_until", "expires_at",
        "submitted_at",
    ]
    list_filter = ["status", "type"]
    search_fields = ["store__name", "number", "issuer"]
    list_select_related = ["type", "store"]
    show_full_result_count = False
    date_hierarchy = None
    fields = [
        "store", "registered_name", "type", "number", "issuer", "valid_from", "valid_until",
        "details_table", "details_checks", "status", "submitted_at", "reviewed_by",
        "reviewed_at", "rejection_reason", "warn_at", "warned_at", "expires_at",
    ]
    readonly_fields = fields
    inlines = [QualificationFileInline, QualificationEventInline]
    actions = ["approve_selected", "reject_selected"]
    change_form_template = "admin/compliance/qualification/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The details are checked against the store's registered name.
        return super().get_queryset(request).select_related("type", "store__application")

    @admin.display(description=_("document details"))
    def details_summary(self, obj):
        return qualification_details_summary(obj.type.code, obj.details) or "—"

    @admin.display(description=_("registered name of the store"))
    def registered_name(self, obj):
        return obj.store.application.registered_name

    @admin.display(description=_("document details"))
    def details_table(self, obj):
        rows = [(row.label, row.value) for row in qualification_detail_rows(obj.type.code, obj.details)]
        if obj.number and obj.type.code in NUMBER_LABELS:  # e.g. the trademark number
            rows.insert(0, (NUMBER_LABELS[obj.type.code], obj.number))
        chain = qualification_chain(obj.details, today=timezone.localdate())
        if not rows and not chain:
            return "—"
        html = format_html(
            "<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        ) if rows else ""
        if chain:
            expired = _("expired")
            html += format_html(
                "<table><caption>{}</caption><thead><tr><th>#</th><th>{}</th><th>{}</th>"
                "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
                _("Chain of authorisations"), _("Granted by"), _("Granted to"), _("Valid until"),
                format_html_join(
                    "", '<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>',
                    (
                        (link.n, link.authoriser, link.authorised, link.valid_until,
                         format_html(' <strong class="status-bad">{}</strong>', expired)
                         if link.expired else "")
                        for link in chain
                    ),
                ),
            )
        return html

    @admin.display(description=_("checks today"))
    def details_checks(self, obj):
        problems = services.qualification_details_check(qualification=obj)
        if not problems:
            return format_html('<span class="status-ok">{}</span>', _("All checks pass."))
        return format_html(
            '<ul class="status-bad">{}</ul>', format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    @admin.action(description=_("Approve selected qualifications…"), permissions=["change"])
    def approve_selected(self, request, queryset):
        """Lists what will be approved (pending ones) and what is left alone first."""
        pending = Qualification.Status.PENDING
        queryset = queryset.select_related("type", "store")
        return confirm_bulk_page(
            self, request, queryset,
            title=_("Approve qualifications"),
            rows=[(q, _("Pending review → approved: counts for the store's categories from now on."))
                  for q in queryset if q.status == pending],
            skipped=[(q, _("Not waiting for review (%(status)s).")
                      % {"status": q.get_status_display()})
                     for q in queryset if q.status != pending],
            apply=lambda q: services.qualification_approve(qualification=q,
                                                           actor=request.user),
            done_message=lambda n: ngettext("%(n)d qualification approved.",
                                            "%(n)d qualifications approved.", n) % {"n": n},
            submit_label=_("Approve"),
        )

    @admin.action(description=_("Reject selected qualifications…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset,
            title=_("Reject qualifications"),
            templates=_reason_templates(QUALIFICATION),
            apply=lambda q, reason: services.qualification_reject(
                qualification=q, actor=request.user, reason=reason),
            done_message=lambda n: ngettext(
                "%(n)d qualification rejected.", "%(n)d qualifications rejected.", n
            ) % {"n": n},
        )

    def get_urls(self):
        opts = self.model._meta
        return [
            path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view),
                 name=f"{opts.app_label}_{opts.model_name}_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "reject_form": ReasonForm(templates=_reason_templates(QUALIFICATION)),
            "next_item_url": reverse("admin:compliance_qualificationreview_next")
            + f"?after={object_id}",
            "decide_url": reverse(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_decide",
                args=[object_id],
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pk):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        qualification = get_object_or_404(Qualification, pk=pk)
        try:
            if "_approve" in request.POST:
                services.qualification_approve(qualification=qualification, actor=request.user)
                self.message_user(request, _("Qualification approved."), messages.SUCCESS)
            else:
                form = ReasonForm(request.POST, templates=_reason_templates(QUALIFICATION))
                if not form.is_valid():
                    for error in form.non_field_errors():
                        self.message_user(request, error, messages.ERROR)
                    return HttpResponseRedirect(request.path.replace("decide/", "change/"))
                services.qualification_reject(
                    qualification=qualification, actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                self.message_user(request, _("Qualification rejected."), messages.SUCCESS)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        # The decided qualification's page: its decision and the "next item" button.
        return HttpResponseRedirect(reverse("admin:compliance_qualification_change", args=[pk]))


@admin.register(QualificationReview)
class QualificationReviewAdmin(ReviewQueueMixin, QualificationAdmin):
    """Pending qualifications, oldest first, with the time each has waited and its
    documents' previews."""

    list_display = ["documents", "type", "store", "number", "details_summary", "valid_until",
                    "submitted_at", "waiting"]
    list_display_links = ["type"]
    list_filter = ["type"]
    ordering = ["submitted_at", "pk"]
    queue_status = Qualification.Status.PENDING

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            status=Qualification.Status.PENDING).prefetch_related("files")

    def queue_waiting(self):
        return selectors.qualification_review_queue()

    @admin.display(description=_("documents"))
    def documents(self, obj):
        files = list(obj.files.all())
        if not files:
            return "—"
        return format_html_join(" ", "{}", ((_qualification_file_preview(f, css="review-thumb"),)
                                            for f in files[:3]))


# --- Screening rule lists -------------------------------------------------------------------
class ScreeningTermInline(admin.TabularInline):
    model = ScreeningTerm
    extra = 1
    fields = ["pattern", "kind", "variants", "exceptions", "active"]


@admin.register(ScreeningRule)
class ScreeningRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "active", "term_count", "sort_order"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_en"]
    inlines = [ScreeningTermInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(_terms=Count("terms"))

    @admin.display(description=_("terms"), ordering="_terms")
    def term_count(self, obj):
        return obj._terms


@admin.register(ScreeningTerm)
class ScreeningTermAdmin(SimpleHistoryAdmin):
    list_display = ["pattern", "rule", "kind", "active", "updated_at"]
    list_filter = ["rule", "kind", "active"]
    search_fields = ["pattern"]
    list_select_related = ["rule"]
    show_full_result_count = False


# --- Product review queue (商品初审) ----------------------------------------------------------
class HasHitsFilter(admin.SimpleListFilter):
    title = _("screening hits")
    parameter_name = "hits"

    def lookups(self, request, model_admin):
        return [("yes", _("With hits")), ("no", _("Without hits"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(has_hits=self.value() == "yes")
        return queryset


class ChangeFilter(admin.SimpleListFilter):
    title = _("kind of submission")
    parameter_name = "change"

    def lookups(self, request, model_admin):
        return [("new", _("New product")), ("change", _("Change to a listed product"))]

    def queryset(self, request, queryset):
        if self.value() in ("new", "change"):
            return queryset.filter(is_change=self.value() == "change")
        return queryset


class TopCategoryFilter(admin.SimpleListFilter):
    """Filter by first-level category: the full tree would be hundreds of links."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [
            (str(c.pk), c.name)
            for c in Category.objects.filter(level=1)
            .exclude(status__in=[Category.Status.PROHIBITED, Category.Status.NOT_OPEN])
            .order_by(
                "sort_order", "code"
            )
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            pk = int(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(
            models_q(product__category_id=pk)
            | models_q(product__category__parent_id=pk)
            | models_q(product__category__parent__parent_id=pk)
        )


def models_q(**kwargs):
    from django.db.models import Q

    return Q(**kwargs)


@admin.register(ProductReview)
class ProductReviewAdmin(ReviewQueueMixin, admin.ModelAdmin):
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = [
        "thumbnail", "product_title", "store", "category", "kind_of_submission", "hit_count",
        "hit_rules", "submitted_at", "waiting",
    ]
    list_display_links = ["product_title"]
    queue_status = ProductReview.Status.IN_REVIEW
    list_filter = [HasHitsFilter, ChangeFilter, TopCategoryFilter]
    search_fields = ["product__title", "product__store__name", "=product__store__slug"]
    search_help_text = _("Product title, store name, or the store's exact address")
    list_select_related = ["product__store", "product__category__parent__parent"]
    ordering = ["submitted_at", "pk"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["approve_without_hits", "reject_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=ProductReview.Status.IN_REVIEW)

    def queue_waiting(self):
        return selectors.product_review_queue()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("<int:pk>/pending-image/", self.admin_site.admin_view(self.pending_image_view),
                 name="compliance_productreview_pending_image"),
            *super().get_urls(),
        ]

    def pending_image_view(self, request, pk):
        """The new main image of a change, kept private until the change is approved: only
        for reviewers, through this view."""
        revision = get_object_or_404(ProductReview, pk=pk)
        if not self.has_view_or_change_permission(request, revision):
            raise PermissionDenied
        name = revision.payload.get("pending_image")
        if not name:
            raise Http404
        from django.core.files.storage import default_storage

        try:
            handle = default_storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return private_file_response(handle, content_type="image/jpeg",
                                     filename=name.rsplit("/", 1)[-1])

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        """The image the revision would show buyers: a change's new image (private, through
        the reviewers' view) or the product's current one."""
        if obj.payload.get("pending_image"):
            url = reverse("admin:compliance_productreview_pending_image", args=[obj.pk])
        elif obj.product.image:
            url = reverse("public:public_media", args=[obj.product.image.name])
        else:
            return format_html('<span class="review-noimg">{}</span>', _("no image"))
        return format_html('<img class="review-thumb" src="{}" alt="{}" width="56" height="56" '
                           'loading="lazy">', url, self.product_title(obj))

    @admin.display(description=_("product"), ordering="product__title")
    def product_title(self, obj):
        return obj.payload.get("title") or obj.product.title

    @admin.display(description=_("store"), ordering="product__store__name")
    def store(self, obj):
        return obj.product.store.name

    @admin.display(description=_("category"))
    def category(self, obj):
        return obj.product.category.path_name if obj.product.category_id else "—"

    @admin.display(description=_("kind of submission"), ordering="is_change")
    def kind_of_submission(self, obj):
        return _("Change") if obj.is_change else _("New")

    @admin.display(description=_("screening hits"), ordering="has_hits")
    def hit_count(self, obj):
        """A warning badge with the number of hits; nothing alarming for a clean text (a
        boolean column showed ✓ for hits and ✗ for clean revisions)."""
        count = len(obj.screening_hits or [])
        if not count:
            return "—"
        return format_html(
            '<strong class="status-bad screening-hits" title="{}">⚠ {}</strong>',
            ngettext("%(n)d screening hit", "%(n)d screening hits", count) % {"n": count},
            count,
        )

    @admin.display(description=_("rules hit"))
    def hit_rules(self, obj):
        names = dict.fromkeys(h.get("rule_name", h.get("rule")) for h in obj.screening_hits)
        return "、".join(names) or "—"

    @admin.action(description=_("Approve selected revisions without hits…"),
                  permissions=["change"])
    def approve_without_hits(self, request, queryset):
        """Lists what will be approved (revisions without hits) and what is left for
        individual review (with hits) before anything is approved."""
        from shop.services.products import product_revision_approve

        queryset = queryset.select_related("product")
        listed = _("In review → approved: the product is listed with this version.")
        new = _("In review → approved: the product goes on sale.")
        return confirm_bulk_page(
            self, request, queryset,
            title=_("Approve product revisions"),
            rows=[(r, listed if r.is_change else new) for r in queryset if not r.has_hits],
            skipped=[(r, _("Has screening hits: review it on its own page."))
                     for r in queryset if r.has_hits],
            apply=lambda r: product_revision_approve(revision=r, actor=request.user),
            done_message=lambda n: ngettext("%(n)d revision approved.",
                                            "%(n)d revisions approved.", n) % {"n": n},
            submit_label=_("Approve"),
        )

    @admin.action(description=_("Reject selected revisions…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        from shop.services.products import product_revision_reject

        return reason_action_page(
            self, request, queryset.select_related("product"),
            title=_("Reject product revisions"),
            templates=_reason_templates(PRODUCT),
            apply=lambda r, reason: product_revision_reject(
                revision=r, actor=request.user, reason=reason),
            done_message=lambda n: ngettext(
                "%(n)d revision rejected.", "%(n)d revisions rejected.", n
            ) % {"n": n},
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review page: the listing with hits marked, the category's requirements,
        the store's qualifications, the diff for a change, and the decision."""
        from shop.services.products import product_payload

        revision = get_object_or_404(
            ProductReview.objects.select_related(
                "product__store__application", "reviewer"
            ),
            pk=object_id,
        )
        if not self.has_view_or_change_permission(request, revision):
            raise PermissionDenied
        can_decide = (
            self.has_change_permission(request, revision)
            and revision.status == ProductReview.Status.IN_REVIEW
        )
        reject_form = ReasonForm(templates=_reason_templates(PRODUCT))
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            response = self._decide(request, revision)
            if response is not None:
                return response
            reject_form = ReasonForm(request.POST, templates=_reason_templates(PRODUCT))
            reject_form.is_valid()
        context = {
            **self.admin_site.each_context(request),
            **selectors.product_review_context(revision, current_payload=product_payload),
            "title": _("Review: %(product)s") % {"product": revision},
            "opts": self.model._meta,
            "original": revision,
            "reject_form": reject_form,
            "can_decide": can_decide,
            **self.review_context(revision),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/compliance/productreview/review.html", context)

    def _decide(self, request, revision):
        from shop.services.products import product_revision_approve, product_revision_reject

        try:
            if "_approve" in request.POST:
                product_revision_approve(
                    revision=revision, actor=request.user,
                    reason=(request.POST.get("note") or "").strip(),
                )
                self.message_user(request, _("Revision approved."), messages.SUCCESS)
            else:
                form = ReasonForm(request.POST, templates=_reason_templates(PRODUCT))
                if not form.is_valid():
                    return None
                product_revision_reject(
                    revision=revision, actor=request.user, reason=form.cleaned_data["reason"]
                )
                self.message_user(request, _("Revision rejected."), messages.SUCCESS)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        # Back to the decided revision: its decision and the "next item" button.
        return HttpResponseRedirect(
            reverse("admin:compliance_productreview_change", args=[revision.pk]))



# Enforcement screens live with their package.
from compliance.enforcement import admin as enforcement_admin  # noqa: E402,F401
