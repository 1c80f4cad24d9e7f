"""Deadline sweeps of the compliance app (see common.deadlines), in the order their clocks
follow each other. Each sweep calls its service with `now`."""

from common import deadlines
from compliance import services
from compliance.enforcement import measures, sampling
from compliance.enforcement import services as enforcement_services

SWEEPS = [
    ("compliance.qualification_expiry_warning", services, "qualification_expiry_warn_due"),
    ("compliance.qualification_expiry", services, "qualification_expire_due"),
    ("compliance.credit_year_reset", enforcement_services, "credit_scores_reset_due"),
    ("compliance.restrictions_end", enforcement_services, "restrictions_end_due"),
    ("compliance.measures_end", measures, "measures_end_due"),
    ("compliance.sampling_appeal_due", sampling, "inspections_appeal_due"),
    ("compliance.sampling_fee_due", sampling, "inspections_fee_due"),
]


def _sweep(key, module, service):
    """The sweep `key`: calls `module.service(now=now)`, looked up when it runs."""

    def sweep(now):
        return getattr(module, service)(now=now)

    sweep.__name__ = sweep.__qualname__ = key.rsplit(".", 1)[-1]
    return deadlines.register(key)(sweep)


for _key, _module, _service in SWEEPS:
    _sweep(_key, _module, _service)
