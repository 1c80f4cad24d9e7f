from django import template
from django.conf import settings
from django.templatetags.tz import do_timezone
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common import config
from common.money import format_cny

register = template.Library()

# The merchant area's sections in navigation order: (URL name, label). A section is active
# on its own page and on pages named `<section>_…` (seller:products → seller:products_edit),
# or anywhere in its own namespace. A section whose page does not exist yet is greyed out.
SELLER_NAV = [
    ("seller:dashboard", _("Dashboard")),
    ("seller:store", _("Store")),
    ("seller:products", _("Products")),
    ("seller:orders", _("Orders")),
    ("seller:invoices", _("Invoices")),
    ("seller_aftersales:list", _("After-sales")),
    ("seller_promotions:live", pgettext_lazy("merchant menu", "Live selling")),
    ("seller_promotions:flash_sales", _("Flash sales")),
    ("seller_promotions:coupons", _("Coupons")),
    ("seller_promotions:videos", _("Short videos")),
    ("seller_promotions:lightning", _("Lightning purchase")),
    ("seller_promotions:selection", _("Selection center")),
    ("seller_promotions:ads", _("Paid promotion")),
    ("seller_promotions:campaigns", _("Platform campaigns")),
    ("seller_compliance:center", _("Compliance")),
    ("seller:deposit", _("Deposit")),
    ("seller_notifications:inbox", _("Notifications")),
    ("academy:index", _("Academy")),
]


# Namespaces holding several sections of the menu: a page belongs to the section its URL
# name starts with.
SECTIONED_NAMESPACES = {"seller", "seller_promotions"}


def _is_active(url_name: str, match) -> bool:
    if match is None:
        return False
    namespace, section = url_name.split(":")
    if match.namespace != namespace:
        return False
    if namespace not in SECTIONED_NAMESPACES:
        return True
    return match.url_name == section or match.url_name.startswith(section + "_")


@register.inclusion_tag("includes/sidenav.html", takes_context=True)
def seller_nav(context):
    match = context["request"].resolver_match
    items = []
    for url_name, label in SELLER_NAV:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = None
        items.append({"url": url, "label": label, "active": _is_active(url_name, match)})
    return {"items": items, "aria_label": _("Merchant navigation")}


@register.inclusion_tag("includes/notification_bell.html", takes_context=True)
def notification_bell(context):
    """The header's link to the inbox with the unread count (one bounded query; "99+")."""
    from common.notifications import unread_count

    user = context["request"].user
    count, more = unread_count(user) if user.is_authenticated else (0, False)
    return {"count": count, "more": more}


@register.filter
def cny(value):
    if value is None or value == "":
        return "—"
    return format_cny(value)


@register.filter
def platform_time(value):
    """A datetime in the platform time zone (settings.PLATFORM_TIME_ZONE), for `date`:
    `{{ at|platform_time|date:"Y-m-d H:i" }}`."""
    if value in (None, ""):
        return ""
    return do_timezone(value, settings.PLATFORM_TIME_ZONE)


@register.simple_tag
def seven_day_return_days():
    """The configured no-reason return window in days (aftersale.seven_day_return_days):
    `{% seven_day_return_days as days %}`."""
    return config.get("aftersale.seven_day_return_days")


@register.inclusion_tag("includes/countdown.html")
def countdown(deadline, now=None):
    """A deadline as remaining time (or how long ago it passed); its title shows it in the
    platform time zone."""
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
