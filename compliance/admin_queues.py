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


def _violation_appeal_queue():
    from compliance.enforcement.selectors import violation_appeal_queue

    return violation_appeal_queue()


review_queues.register(
    _("Violation appeals"),
    _violation_appeal_queue,
    "admin:compliance_violationappeal_changelist",
    "appealed_at",
    "compliance.view_violationappeal",
)


def _sampling_queue():
    from compliance.enforcement.selectors import sampling_review_queue

    return sampling_review_queue()


review_queues.register(
    _("Sampling inspections"),
    _sampling_queue,
    "admin:compliance_samplinginspection_changelist",
    "planned_at",
    "compliance.view_samplinginspection",
)
