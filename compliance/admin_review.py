"""What every reviewer queue in the admin shares: the list ordered by the queue's clock with
the waiting time shown, a "next item" page that opens the oldest item still waiting once a
decision is made, and bulk approval behind a confirmation page that lists what will change
(`confirm_bulk_page`). Keyboard shortcuts on the review pages come from
static/js/admin-review.js (A approve, R reason, N next item)."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from common.admin import apply_to_each
from compliance import selectors


class ReviewQueueMixin:
    """For a ModelAdmin over a review queue. `queue_clock`: the field the queue waits on;
    `queue_waiting(self)`: the items still waiting (by default `queue_status` on the
    model's `status`)."""

    queue_clock = "submitted_at"
    queue_status = "pending"

    def queue_waiting(self):
        return self.model._default_manager.filter(status=self.queue_status)

    def is_waiting(self, obj) -> bool:
        return obj.status == self.queue_status

    @admin.display(description=_("waiting"))
    def waiting(self, obj):
        since = getattr(obj, self.queue_clock, None)
        if since is None or not self.is_waiting(obj):
            return "—"
        return format_html('<span class="queue-waiting">{}</span>', timesince(since, timezone.now()))

    def _queue_url(self, name, *args):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)

    def get_urls(self):
        opts = self.model._meta
        return [
            path("next/", self.admin_site.admin_view(self.next_view),
                 name=f"{opts.app_label}_{opts.model_name}_next"),
            *super().get_urls(),
        ]

    def next_view(self, request):
        """Opens the oldest item still waiting (after ?after=<pk>), else the list."""
        if not self.has_view_permission(request):
            raise Http404
        try:
            after = int(request.GET.get("after", ""))
        except ValueError:
            after = None
        item = selectors.review_queue_next(self.queue_waiting(), clock=self.queue_clock,
                                           after=after)
        if item is None:
            self.message_user(request, _("The queue is empty: nothing else is waiting."),
                              messages.INFO)
            return HttpResponseRedirect(self._queue_url("changelist"))
        return HttpResponseRedirect(self._queue_url("change", item.pk))

    def review_reject_form(self):
        """The reason form (with this queue's reason templates) of the review page's
        rejection, if the page rejects through the queue's reject action."""
        return None

    def review_context(self, obj) -> dict:
        """For the review page's template: the next-item link, the waiting time and the
        rejection's reason form."""
        context = {
            "next_item_url": self._queue_url("next") + f"?after={obj.pk}",
            "queue_waiting_since": getattr(obj, self.queue_clock, None)
            if self.is_waiting(obj) else None,
        }
        form = self.review_reject_form()
        if form is not None:
            context["reject_form"] = form
        return context

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = self.review_context(obj) if obj is not None else {}
        return super().change_view(request, object_id, form_url,
                                   {**extra, **(extra_context or {})})


def confirm_bulk_page(modeladmin, request, queryset, *, title, rows, apply, done_message,
                      submit_label, skipped=()):
    """An admin action's confirmation page: `rows` are (item, what will change) pairs, listed
    before anything happens; `skipped` (item, why) pairs are listed as left alone. Once
    confirmed (POST "apply"), `apply(item)` runs for each row's item through
    `apply_to_each` and `done_message(n)` is reported. Returns the page, or None when done."""
    rows = list(rows)
    if "apply" in request.POST:
        done = apply_to_each(modeladmin, request, [item for item, _ in rows], apply)
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "rows": rows,
        "skipped": list(skipped),
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action"),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "submit_label": submit_label,
    }
    return TemplateResponse(request, "admin/review_confirm.html", context)
