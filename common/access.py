"""Who may enter which area. Merchant scoping itself lives on the querysets:
`Model.objects.for_merchant(user)` (shop.models.MerchantScopedQuerySet); views narrow that
queryset and fetch with `get_owned_or_404`, so another merchant's object is a 404."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from common import roles

AREA_MESSAGES = {
    roles.MERCHANT: _("This area is for merchants. Sign in with a merchant account."),
    roles.AGENT: _("This area is for support agents. Sign in with a support agent account."),
}


def role_required(role: str, login_url: str):
    """Anonymous users go to the area's login page; signed-in users without the role get a
    translated 403 page that says whose area this is."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url)
            if not roles.has_role(request.user, role):
                raise PermissionDenied(AREA_MESSAGES[role])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


merchant_required = role_required(roles.MERCHANT, "seller:login")
agent_required = role_required(roles.AGENT, "support:login")


def get_owned_or_404(queryset, **lookup):
    """Fetch from an already-scoped queryset; anything outside it is a 404, not a 403."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
