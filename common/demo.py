"""Registry of demo-data loaders. `seed_demo` runs them in order; each must be
idempotent (get_or_create on natural keys)."""

from collections.abc import Callable

_LOADERS: list[tuple[int, str, Callable[[], None]]] = []


def register(order: int, name: str):
    def decorator(func):
        if not any(n == name for _, n, _ in _LOADERS):
            _LOADERS.append((order, name, func))
        return func

    return decorator


def loaders():
    return [(name, func) for _, name, func in sorted(_LOADERS, key=lambda x: (x[0], x[1]))]


DEMO_USERS = [
    # username, role, display name
    ("reviewer", "reviewer", "审核员 王审"),
    ("agent", "support_agent", "客服 李客"),
    ("agent_b", "support_agent", "客服 周客"),
    ("lead", "support_lead", "客服主管 陈主管"),
    ("merchant_a", "merchant", "商家A 张老板"),
    ("merchant_b", "merchant", "商家B 赵老板"),
    ("merchant_c", "merchant", "商家C 孙老板"),
    ("buyer_a", "buyer", "买家A 老铁"),
    ("buyer_b", "buyer", "买家B 小美"),
]


@register(0, "users")
def load_users():
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from common import config
    from common.roles import AGENT, REVIEWER, SUPPORT_LEAD, sync_role_groups

    sync_role_groups()
    config.ensure_defaults()
    user_model = get_user_model()
    for username, role, display in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": display, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
        user.is_staff = role == REVIEWER
        user.save()
        user.groups.add(Group.objects.get(name=role))
        if role == SUPPORT_LEAD:  # a lead is an agent who may also hand over any case
            user.groups.add(Group.objects.get(name=AGENT))
