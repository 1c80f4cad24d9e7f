"""The four kinds of people and the Django groups that stand for them."""

from django.utils.translation import gettext_lazy as _

from common.prepared import prepared_query

REVIEWER = "reviewer"
AGENT = "support_agent"
# A support agent who may also hand over any colleague's case (in both groups).
SUPPORT_LEAD = "support_lead"
MERCHANT = "merchant"
BUYER = "buyer"

ROLE_LABELS = {
    REVIEWER: _("Platform reviewer"),
    AGENT: _("Support agent"),
    SUPPORT_LEAD: _("Support lead"),
    MERCHANT: _("Merchant"),
    BUYER: _("Buyer"),
}

# Reviewers get model permissions on these apps; ledgers and event rows are never
# deletable (their admins refuse it too).
REVIEWER_APPS = ("payments", "shop", "compliance", "promotions", "disputes", "academy")
# Platform settings: reviewers view and change them (every change is kept in its history);
# deleting a setting (back to the default) stays with superusers.
REVIEWER_EXTRA_PERMISSIONS = (("common", "view_platformsetting"),
                              ("common", "change_platformsetting"),
                              ("common", "add_platformsetting"),
                              ("common", "view_historicalplatformsetting"))
NEVER_DELETABLE_SUFFIXES = ("entry", "event")


@prepared_query(user="id")
def _role_names(user):
    """The user's role groups (read on every API call: a statement built once)."""
    from django.contrib.auth.models import Group

    return Group.objects.filter(user__id=user).values_list("name")


def has_role(user, role: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser and role in (REVIEWER, AGENT):
        return True
    # One small query per request user, remembered on the user object.
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = {name for (name,) in _role_names.run(user=user.pk)}
        user._role_cache = cache
    return role in cache


def sync_role_groups() -> None:
    """Create the role groups and give reviewers their model permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_LABELS}
    reviewer_perms = [
        p
        for p in Permission.objects.filter(content_type__app_label__in=REVIEWER_APPS)
        if not (p.codename.startswith("delete_") and p.codename.endswith(NEVER_DELETABLE_SUFFIXES))
    ]
    for app_label, codename in REVIEWER_EXTRA_PERMISSIONS:
        reviewer_perms.extend(Permission.objects.filter(content_type__app_label=app_label,
                                                        codename=codename))
    groups[REVIEWER].permissions.set(reviewer_perms)
    agent_perms = Permission.objects.filter(
        content_type__app_label="disputes", codename__startswith="view_"
    )
    groups[AGENT].permissions.set(agent_perms)
    groups[SUPPORT_LEAD].permissions.set(agent_perms)
