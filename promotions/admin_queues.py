"""The promotions' review queues on the admin home page."""

from django.utils.translation import gettext_lazy as _

from common import review_queues


def _lightning_spot_checks():
    from promotions.selectors.lightning import lightning_spot_check_queue

    return lightning_spot_check_queue()


review_queues.register(
    _("Lightning listings not spot-checked (闪电购抽查)"),
    _lightning_spot_checks,
    "admin:promotions_lightninglisting_changelist",
    "created_at",
    "promotions.view_lightninglisting",
)
