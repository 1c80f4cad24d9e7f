"""The compliance review queues on the admin home page."""

from django.utils.translation import gettext_lazy as _

from common import review_queues


def _product_queue():
    from compliance.selectors import product_review_queue

    return product_review_queue()


def _qualification_queue():
    from compliance.selectors import qualification_review_queue

    return qualification_review_queue()


review_queues.register(
    _("Product review (商品初审)"),
    _product_queue,
    "admin:compliance_productreview_changelist",
    "submitted_at",
    "compliance.view_productreview",
)
review_queues.register(
    _("Qualification review"),
    _qualification_queue,
    "admin:compliance_qualificationreview_changelist",
    "submitted_at",
    "compliance.view_qualificationreview",
)
