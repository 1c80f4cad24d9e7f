"""Deadline sweeps of the compliance app (see common.deadlines)."""

from common import deadlines
from compliance import services


@deadlines.register("compliance.qualification_expiry_warning")
def qualification_expiry_warning(now):
    return services.qualification_expiry_warn_due(now=now)


@deadlines.register("compliance.qualification_expiry")
def qualification_expiry(now):
    return services.qualification_expire_due(now=now)
