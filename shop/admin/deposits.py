"""Reviewer screens for deposits (保证金), store accounts (货款), withdrawals, the monthly
adjustment and closure applications. Ledgers are read-only here as everywhere: a
correction is a manual adjustment entry with a reason, made through a form."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from common import review_queues
from common.admin import (
    ReadOnlyModelAdmin,
    TimelineInline,
    fields_with_reason_label,
    reason_action_page,
)
from common.errors import ApplicationError
from common.pagination import EstimatedCountPaginator
from shop.admin.stores import StatusLabelEventInline
from shop.models import (
    ClosureApplication,
    ClosureEvent,
    DepositAccount,
    DepositAdjustment,
    DepositAdjustmentRun,
    DepositEntry,
    DepositPayIn,
    DepositPayInEvent,
    StoreAccount,
    StoreAccountEntry,
    Withdrawal,
    WithdrawalEvent,
)
from shop.rules import deposits as rules
from shop.selectors.deposits import closure_checklist, closure_review_queue
from shop.services import accounts as account_services
from shop.services import closure as closure_services
from shop.services import deposits as deposit_services


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), max_digits=12, decimal_places=2,
        help_text=_("Positive adds to the balance, negative takes from it."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("An adjustment must move money."))
        return amount


def _adjust_view(modeladmin, request, obj, *, service, title, back):
    """Shared page of a manual adjustment: amount and a required reason."""
    if not modeladmin.has_view_permission(request, obj) or not request.user.has_perm(
            f"shop.change_{modeladmin.model._meta.model_name}"):
        raise Http404
    if request.method == "POST":
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                service(obj, request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                modeladmin.message_user(request, _("Adjustment recorded."), messages.SUCCESS)
                return redirect(back)
    else:
        form = AdjustmentForm(initial={"token": uuid.uuid4().hex})
    return TemplateResponse(request, "admin/shop/deposits/adjust.html", {
        **modeladmin.admin_site.each_context(request),
        "title": title, "form": form, "object": obj, "opts": modeladmin.model._meta,
    })


LATEST_ENTRIES = 20


def _latest_entries(entry_model, account, columns, changelist):
    """The last LATEST_ENTRIES entries of an account as a read-only table (one query, with
    the actors), and a link to all of them in the filtered, paginated entry list: an
    account's whole ledger is never loaded into its page."""
    entries = list(entry_model.objects.filter(account=account).select_related("actor")
                   .order_by("-pk")[:LATEST_ENTRIES])
    url = f"{reverse(changelist)}?account__id__exact={account.pk}"
    link = format_html('<p><a href="{}">{}</a></p>', url, _("All entries of this account…"))
    if not entries:
        return format_html("<p>{}</p>{}", _("No entries yet."), link)
    head = format_html_join("", "<th>{}</th>", ((label,) for label, _getter in columns))
    body = format_html_join("", "<tr>{}</tr>", (
        (format_html_join("", "<td>{}</td>", ((getter(e),) for _label, getter in columns)),)
        for e in entries
    ))
    return format_html('<table class="latest-entries"><thead><tr>{}</tr></thead>'
                       "<tbody>{}</tbody></table>{}", head, body, link)


def _when(entry):
    return timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")


# --- deposits --------------------------------------------------------------------------------------
@admin.register(DepositAccount)
class DepositAccountAdmin(admin.ModelAdmin):
    list_display = ["store", "kind", "balance", "required_amount", "shortfall",
                    "restricted_since", "closed_at"]
    list_filter = ["kind", ("restricted_since", admin.EmptyFieldListFilter)]
    search_fields = ["store__name", "store__slug", "store__merchant__username"]
    list_select_related = ["store"]
    show_full_result_count = False
    readonly_fields = ["store", "kind", "balance", "required_amount", "requirement",
                       "sales_month", "sales_amount", "pay_by", "shortfall", "restricted_since",
                       "closed_at", "created_at", "adjust_link", "latest_entries"]
    exclude = ["required_lines", "required_at"]

    @admin.display(description=_("latest entries"))
    def latest_entries(self, obj):
        return _latest_entries(DepositEntry, obj, [
            (_("at"), _when), (_("kind"), lambda e: e.get_kind_display()),
            (_("amount"), lambda e: e.amount), (_("balance after"), lambda e: e.balance_after),
            (_("not covered by the deposit"), lambda e: e.uncovered),
            (_("actor"), lambda e: e.actor_display), (_("reason"), lambda e: e.reason_display),
            (_("cause"), lambda e: e.cause_display),
        ], "admin:shop_depositentry_changelist")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("why this amount"))
    def requirement(self, obj):
        from shop.selectors.deposits import requirement_line_text

        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{}{}</li>",
            ((requirement_line_text(line), " ✔" if line.get("decisive") else "")
             for line in obj.required_lines),
        ))

    @admin.display(description=_("manual adjustment"))
    def adjust_link(self, obj):
        url = reverse("admin:shop_depositaccount_adjust", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Adjust with a reason…"))

    def get_urls(self):
        return [
            path("<int:pk>/adjust/", self.admin_site.admin_view(self.adjust_view),
                 name="shop_depositaccount_adjust"),
            *super().get_urls(),
        ]

    def adjust_view(self, request, pk):
        account = get_object_or_404(DepositAccount.objects.select_related("store"), pk=pk)
        return _adjust_view(
            self, request, account,
            service=lambda obj, actor, **data: deposit_services.deposit_adjust(
                account=obj, actor=actor, **data),
            title=_("Adjust %(account)s") % {"account": account},
            back=reverse("admin:shop_depositaccount_change", args=[pk]),
        )


@admin.register(DepositEntry)
class DepositEntryAdmin(ReadOnlyModelAdmin):
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = ["at", "account", "kind", "amount", "balance_after", "uncovered", "actor",
                    "cause_type", "cause_id"]
    list_filter = ["kind", "account__kind"]
    search_fields = ["=cause_id", "account__store__name"]
    list_select_related = ["account__store", "actor"]
    raw_id_fields = ["account", "order", "payment", "actor"]
    readonly_fields = fields_with_reason_label(DepositEntry)
    exclude = ["reason", "reason_code", "reason_params"]
    ordering = ["-pk"]


class DepositPayInEventInline(StatusLabelEventInline):
    model = DepositPayInEvent


@admin.register(DepositPayIn)
class DepositPayInAdmin(ReadOnlyModelAdmin):
    list_display = ["provider_ref", "account", "amount", "status", "created_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["=payment__provider_ref"]
    list_select_related = ["account__store", "payment"]
    readonly_fields = [f.name for f in DepositPayIn._meta.fields]
    inlines = [DepositPayInEventInline]


# --- store accounts --------------------------------------------------------------------------------
@admin.register(StoreAccount)
class StoreAccountAdmin(admin.ModelAdmin):
    list_display = ["store", "balance", "updated_at"]
    search_fields = ["store__name", "store__slug", "store__merchant__username"]
    list_select_related = ["store"]
    show_full_result_count = False
    readonly_fields = ["store", "balance", "created_at", "updated_at", "adjust_link",
                       "latest_entries"]

    @admin.display(description=_("latest entries"))
    def latest_entries(self, obj):
        return _latest_entries(StoreAccountEntry, obj, [
            (_("at"), _when), (_("kind"), lambda e: e.get_kind_display()),
            (_("amount"), lambda e: e.amount), (_("balance after"), lambda e: e.balance_after),
            (_("actor"), lambda e: e.actor_display), (_("reason"), lambda e: e.reason_display),
            (_("cause"), lambda e: e.cause_display),
        ], "admin:shop_storeaccountentry_changelist")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("manual adjustment"))
    def adjust_link(self, obj):
        url = reverse("admin:shop_storeaccount_adjust", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Adjust with a reason…"))

    def get_urls(self):
        return [
            path("<int:pk>/adjust/", self.admin_site.admin_view(self.adjust_view),
                 name="shop_storeaccount_adjust"),
            *super().get_urls(),
        ]

    def adjust_view(self, request, pk):
        account = get_object_or_404(StoreAccount.objects.select_related("store"), pk=pk)
        return _adjust_view(
            self, request, account,
            service=lambda obj, actor, **data: account_services.store_account_adjust(
                store=obj.store, actor=actor, **data),
            title=_("Adjust the account of %(store)s") % {"store": account.store},
            back=reverse("admin:shop_storeaccount_change", args=[pk]),
        )


@admin.register(StoreAccountEntry)
class StoreAccountEntryAdmin(ReadOnlyModelAdmin):
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = ["at", "account", "kind", "amount", "balance_after", "actor", "order"]
    list_filter = ["kind"]
    search_fields = ["=cause_id", "account__store__name", "=order__number"]
    list_select_related = ["account__store", "actor", "order"]
    raw_id_fields = ["account", "order", "payment", "actor"]
    readonly_fields = fields_with_reason_label(StoreAccountEntry)
    exclude = ["reason", "reason_code", "reason_params"]
    ordering = ["-pk"]


# --- withdrawals ----------------------------------------------------------------------------------
class WithdrawalEventInline(TimelineInline):
    model = WithdrawalEvent


@admin.register(Withdrawal)
class WithdrawalAdmin(admin.ModelAdmin):
    list_display = ["store", "amount", "status", "requested_at", "automatic", "decided_at"]
    list_filter = ["status", "automatic"]
    search_fields = ["store__name", "store__merchant__username"]
    list_select_related = ["store"]
    show_full_result_count = False
    ordering = ["requested_at", "pk"]
    actions = ["approve_selected", "reject_selected"]
    inlines = [WithdrawalEventInline]
    readonly_fields = ["store", "amount", "status", "requested_by", "requested_at", "decided_at",
                       "reviewer", "automatic", "rejection_reason", "payment"]
    exclude = ["token"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve and pay out selected withdrawals"),
                  permissions=["change"])
    def approve_selected(self, request, queryset):
        paid = paying = 0
        for withdrawal in queryset.select_related("store"):
            try:
                withdrawal = account_services.withdrawal_approve(withdrawal=withdrawal,
                                                                 actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{withdrawal}: {exc}", messages.ERROR)
                continue
            if withdrawal.status == Withdrawal.Status.PAID:
                paid += 1
            elif withdrawal.status == Withdrawal.Status.PAYING:
                paying += 1
            else:
                self.message_user(request, _("%(withdrawal)s: the payout failed; the money is "
                                             "back on the store account.") % {
                    "withdrawal": withdrawal}, messages.ERROR)
        if paid:
            self.message_user(request, _("%(n)d paid out.") % {"n": paid}, messages.SUCCESS)
        if paying:
            self.message_user(request, _("%(n)d being paid out: the payment provider confirms "
                                         "them later.") % {"n": paying}, messages.WARNING)

    @admin.action(description=_("Reject selected withdrawals…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset, title=_("Reject withdrawals"),
            apply=lambda obj, reason: account_services.withdrawal_reject(
                withdrawal=obj, actor=request.user, reason=reason),
        )


# --- monthly adjustment -----------------------------------------------------------------------------
@admin.register(DepositAdjustmentRun)
class DepositAdjustmentRunAdmin(ReadOnlyModelAdmin):
    list_display = ["__str__", "status", "progress", "done", "total", "changed", "started_at",
                    "finished_at"]
    readonly_fields = ["sales_month", "status", "progress", "total", "done", "changed",
                       "started_at", "finished_at", "started_by"]
    change_list_template = "admin/shop/deposits/run_changelist.html"

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return format_html('<progress max="100" value="{}">{}%</progress> {}%', obj.percent,
                           obj.percent, obj.percent)

    def get_urls(self):
        return [
            path("start/", self.admin_site.admin_view(self.start_view),
                 name="shop_depositadjustmentrun_start"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "last_month": rules.previous_month(
            timezone.localdate()),
            "may_start": request.user.has_perm("shop.change_depositadjustmentrun")}
        return super().changelist_view(request, extra_context)

    def start_view(self, request):
        """Start (or resume) last month's run in the background worker. Starting it writes
        (a run, every store's requirement), so it needs the change permission, not view."""
        if request.method != "POST" or not request.user.has_perm(
                "shop.change_depositadjustmentrun"):
            raise Http404
        from django_q.tasks import async_task

        async_task("shop.tasks.deposits_monthly_adjust", None, request.user.pk,
                   task_name="deposits_monthly_adjust")
        self.message_user(request, _("The monthly adjustment was started; this page shows its progress."),
                          messages.SUCCESS)
        return redirect("admin:shop_depositadjustmentrun_changelist")


@admin.register(DepositAdjustment)
class DepositAdjustmentAdmin(ReadOnlyModelAdmin):
    list_display = ["store", "sales_month", "sales_amount", "store_required_before",
                    "store_required_after", "promotion_required_before",
                    "promotion_required_after", "changed"]
    list_filter = ["changed", "sales_month"]
    search_fields = ["store__name"]
    list_select_related = ["store"]
    raw_id_fields = ["store", "run"]
    readonly_fields = [f.name for f in DepositAdjustment._meta.fields]


# --- closure ------------------------------------------------------------------------------------------
class ClosureEventInline(TimelineInline):
    model = ClosureEvent


class ApproveForm(forms.Form):
    """Approving asks for nothing more: every condition is checked by the system."""


@admin.register(ClosureApplication)
class ClosureApplicationAdmin(admin.ModelAdmin):
    list_display = ["store", "status", "refund_store_deposit", "refund_promotion_deposit",
                    "applied_at", "notice_until", "review_by"]
    list_filter = ["status"]
    search_fields = ["store__name", "store__merchant__username"]
    list_select_related = ["store"]
    show_full_result_count = False
    ordering = ["review_by", "pk"]
    inlines = [ClosureEventInline]
    readonly_fields = ["store", "status", "refund_store_deposit", "refund_promotion_deposit",
                       "reason", "applied_by", "applied_at", "notice_until", "review_by",
                       "decided_at", "reviewer", "rejection_reason", "checklist_now",
                       "decide_buttons"]
    exclude = ["checklist"]
    actions = ["reject_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("conditions now"))
    def checklist_now(self, obj):
        conditions = closure_checklist(obj.store, kinds=obj.deposit_kinds, application=obj)
        labels = {rules.OK: _("met"), rules.BLOCKED: _("not met"), rules.UNKNOWN: _("not checked yet")}
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li><strong>{}</strong>: {} {}</li>",
            ((c.label, labels[c.state], c.detail) for c in conditions),
        ))

    @admin.display(description=_("decision"))
    def decide_buttons(self, obj):
        if obj.status != ClosureApplication.Status.PENDING:
            return "—"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:shop_closureapplication_approve", args=[obj.pk]),
                           _("Approve and refund…"))

    def get_urls(self):
        return [
            path("<int:pk>/approve/", self.admin_site.admin_view(self.approve_view),
                 name="shop_closureapplication_approve"),
            *super().get_urls(),
        ]

    def approve_view(self, request, pk):
        if not self.has_change_permission(request):
            raise Http404
        application = get_object_or_404(ClosureApplication.objects.select_related("store"), pk=pk)
        conditions = closure_checklist(application.store, kinds=application.deposit_kinds,
                                       application=application)
        if request.method == "POST":
            form = ApproveForm(request.POST)
            if form.is_valid():
                try:
                    application = closure_services.closure_approve(
                        application=application, actor=request.user,
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                else:
                    status = ClosureApplication.Status
                    if application.status == status.APPROVED:
                        self.message_user(request, _("Approved; the deposits were refunded."),
                                          messages.SUCCESS)
                    elif application.status == status.REFUNDING:
                        self.message_user(request, _("Approved; the payment provider is paying "
                                                     "the deposits back."), messages.WARNING)
                    else:
                        self.message_user(request, _("A refund payout failed: that deposit was "
                                                     "not refunded. Approve again to retry."),
                                          messages.ERROR)
                    return redirect("admin:shop_closureapplication_change", pk)
        else:
            form = ApproveForm()
        return TemplateResponse(request, "admin/shop/deposits/closure_approve.html", {
            **self.admin_site.each_context(request),
            "title": _("Approve the closure of %(store)s") % {"store": application.store},
            "form": form, "application": application, "conditions": conditions,
            "opts": self.model._meta,
        })

    @admin.action(description=_("Reject selected applications…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset, title=_("Reject closure applications"),
            apply=lambda obj, reason: closure_services.closure_reject(
                application=obj, actor=request.user, reason=reason),
        )


review_queues.register(
    _("Closure applications (关店退保证金)"),
    closure_review_queue,
    "admin:shop_closureapplication_changelist",
    "review_by",
    "shop.view_closureapplication",
)
review_queues.register(
    _("Withdrawals"),
    lambda: Withdrawal.objects.filter(status=Withdrawal.Status.REQUESTED),
    "admin:shop_withdrawal_changelist",
    "requested_at",
    "shop.view_withdrawal",
)
