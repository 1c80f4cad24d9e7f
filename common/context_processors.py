from django.conf import settings

from common import roles


def platform(request):
    user = getattr(request, "user", None)
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "is_merchant": roles.has_role(user, roles.MERCHANT) if user else False,
        "is_agent": roles.has_role(user, roles.AGENT) if user else False,
    }
