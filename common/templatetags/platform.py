from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.money import format_cny

register = template.Library()

# The merchant area's sections in navigation order. A section whose page does not exist
# yet is shown greyed out, so the layout does not shift as sections land.
SELLER_NAV = [
    ("seller:dashboard", _("Dashboard")),
    ("seller:store", _("Store")),
    ("seller:products", _("Products")),
    ("seller:orders", _("Orders")),
    ("seller:aftersales", _("After-sales")),
    ("seller:marketing", _("Marketing")),
    ("seller:compliance", _("Compliance")),
    ("seller:deposit", _("Deposit")),
    ("seller:academy", _("Academy")),
]


@register.inclusion_tag("includes/sidenav.html", takes_context=True)
def seller_nav(context):
    request = context["request"]
    current = request.resolver_match.namespace + ":" + request.resolver_match.url_name
    items = []
    for url_name, label in SELLER_NAV:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        section = url_name.split(":")[1]
        active = current == url_name or (
            section != "dashboard" and request.resolver_match.url_name.startswith(section)
        )
        items.append({"url": url, "label": label, "active": active})
    return {"items": items, "aria_label": _("Merchant navigation")}


@register.filter
def cny(value):
    if value is None or value == "":
        return "—"
    return format_cny(value)


@register.inclusion_tag("includes/countdown.html")
def countdown(deadline, now=None):
    """A deadline as remaining time (or how long ago it passed), in Asia/Shanghai."""
    if deadline is None:
        return {"deadline": None}
    now = now or timezone.now()
    seconds = int((deadline - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    return {
        "deadline": deadline,
        "overdue": overdue,
        "days": days,
        "hours": hours,
        "minutes": minutes,
        "urgent": not overdue and seconds < 6 * 3600,
    }
