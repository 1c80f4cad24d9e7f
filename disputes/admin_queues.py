"""The escalation queue on the admin home page (reviewers watch support's backlog)."""

from django.utils.translation import gettext_lazy as _

from common import review_queues


def _escalated_queue():
    from disputes.models import AfterSaleRequest

    return AfterSaleRequest.objects.filter(status=AfterSaleRequest.Status.ESCALATED)


review_queues.register(
    _("Escalated after-sale cases (客服介入)"),
    _escalated_queue,
    "admin:disputes_aftersalerequest_changelist",
    "escalated_at",
    "disputes.view_aftersalerequest",
)
