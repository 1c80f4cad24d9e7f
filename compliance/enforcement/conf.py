"""Configuration keys of enforcement (see common.config). The credit-score nodes are five
(threshold, days) pairs; 0 days means permanent. The account ban in steps (梯度封禁) is a
ladder of durations, lightest first: a merchant banned before gets the next step, and the
last step repeats; 0 days means permanent."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from common.config import define

CREDIT_NODE_COUNT = 5
_NODES = [(80, 14), (60, 21), (40, 28), (20, 42), (0, 0)]
BAN_STEP_COUNT = 4
_BAN_STEPS = [7, 30, 90, 0]

define("credit.initial_score", 100, _("Credit score every promoter starts the year with"), "pt")
for _index, (_score, _days) in enumerate(_NODES, start=1):
    define(f"credit.node{_index}.score", _score,
           format_lazy(_("Credit score node {n}: score at or below which it applies"),
                       n=_index), "pt")
    define(f"credit.node{_index}.days", _days,
           format_lazy(_("Credit score node {n}: days of warning and restrictions "
                         "(0 = permanent)"), n=_index), "d")
for _index, _days in enumerate(_BAN_STEPS, start=1):
    define(f"measure.ban_step{_index}.days", _days,
           format_lazy(_("Account ban step {n}: days the ban lasts (0 = permanent)"),
                       n=_index), "d")
define("violation.appeal_days", 7, _("Natural days a merchant has to appeal a violation"), "d")
define("violation.shipped_late_type", "late_shipment",
       _("Violation type recorded for an order shipped late"))
define("violation.pickup_late_type", "late_pickup",
       _("Violation type recorded for an order picked up late"))
define("violation.dispute_contact_missed_type", "aftersale_contact_missed",
       _("Violation type recorded when the merchant misses the after-sale contact deadline"))
define("violation.dispute_reship_overdue_type", "aftersale_reship_overdue",
       _("Violation type recorded when the merchant reships an exchange too late"))
define("violation.dispute_merchant_fault_type", "aftersale_merchant_fault",
       _("Violation type recorded when a ruling finds the merchant at fault"))

define("sampling.appeal_days", 7,
       _("Natural days a merchant has to appeal a failed sampling inspection"), "d")
define("sampling.fee_working_days", 3,
       _("Working days a merchant has to prepay the re-inspection fee"), "d")
define("sampling.key_supervision_months", 2,
       _("Months of key supervision after a final sampling failure"), "mo")
define("sampling.violation_type", "sampling_failure",
       _("Violation type recorded for a failed sampling inspection"))
define("sampling.high_risk_categories", "food,beauty,baby,toys,digital",
       _("Top-level category codes the sampling draw treats as high-risk (comma-separated)"))
define("sampling.draw_weight_base", 1, _("Sampling draw: weight of any listed product"))
define("sampling.draw_weight_key_supervision", 3,
       _("Sampling draw: weight multiplier for a store under key supervision"))
define("sampling.draw_weight_high_risk", 2,
       _("Sampling draw: weight multiplier for a high-risk category"))
define("sampling.draw_weight_complaint", 1,
       _("Sampling draw: weight added per recent quality complaint"))
define("sampling.complaint_days", 90,
       _("Sampling draw: days a quality complaint counts as recent"), "d")
