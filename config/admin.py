from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common import review_queues


class PlatformAdminSite(admin.AdminSite):
    """The reviewers' back office: the stock admin, titled for the platform, whose home
    page starts with every review queue and its oldest waiting item."""

    site_header = _("Merchant platform back office")
    site_title = _("Platform back office")
    index_title = _("Review queues and administration")
    index_template = "admin/platform_index.html"

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "review_queues": review_queues.summaries(request)}
        return super().index(request, extra_context)
