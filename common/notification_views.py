"""The merchant's inbox (/seller/notifications/): their own notifications, newest first
(keyset pages on the inbox index), filtered by unread or kind; marking one or all read;
the per-kind e-mail switches. Another user's notification is a 404."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common import config
from common import notifications as notes
from common.access import merchant_required
from common.errors import ApplicationError
from common.keyset import keyset_page
from common.models import Notification

app_name = "seller_notifications"


class InboxFilterForm(forms.Form):
    unread = forms.BooleanField(label=gettext_lazy("Unread only"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + [
            (kind.code, kind.label) for kind in notes.kinds()]


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Also send me an e-mail for"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Every notification is in your inbox; the kinds ticked here "
                               "are also e-mailed to your account's address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email_kinds"].choices = [(kind.code, kind.label) for kind in notes.kinds()]


@merchant_required
def inbox(request):
    form = InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = notes.notifications_for(request.user, unread=bool(filters.get("unread")),
                                 kind=filters.get("kind") or "")
    page = keyset_page(qs, keys=("-created_at", "-id"),
                       size=config.get("notifications.page_size"),
                       after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    rows = [{"n": n, "message": notes.notification_message(n), "url": notes.notification_url(n),
             "label": notes.kind_label(n.kind)} for n in page.object_list]
    return render(request, "seller/notifications/inbox.html", {
        "form": form, "page": page, "rows": rows, "filtered": bool(any(filters.values())),
        "query": {k: v for k, v in request.GET.items() if k not in ("after", "before")},
    })


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default


@merchant_required
@require_POST
def mark_read(request, pk):
    try:
        notification = notes.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404
    if request.POST.get("open"):
        url = notes.notification_url(notification)
        if url:
            return redirect(url)
    return redirect(_back(request, "seller_notifications:inbox"))


@merchant_required
@require_POST
def mark_all_read(request):
    count = notes.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect(_back(request, "seller_notifications:inbox"))


@merchant_required
def preferences(request):
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                notes.notification_preferences_set(
                    user=request.user, email_kinds=form.cleaned_data["email_kinds"])
            except ApplicationError as exc:
                form.add_error("email_kinds", exc.message)
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("seller_notifications:preferences")
    else:
        form = PreferencesForm(initial={"email_kinds": notes.email_kinds_of(request.user)})
    return render(request, "seller/notifications/preferences.html", {
        "form": form, "has_email": bool(request.user.email)})


urlpatterns = [
    path("", inbox, name="inbox"),
    path("read-all/", mark_all_read, name="read_all"),
    path("settings/", preferences, name="preferences"),
    path("<int:pk>/read/", mark_read, name="read"),
]
