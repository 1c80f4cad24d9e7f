"""Hooks of the schema fuzz (.ci/schema_fuzz.py).

Valid input can still be refused by a business rule about the current state of things (an
order that is already paid cannot be paid again, a request not yet contacted cannot be
rejected). Such a refusal is a 400 with a stable `code` (common.api's exception handler);
a 400 without one is input validation, and input that the schema accepts must pass it.
So the positive-data check here is schemathesis's, less the business-rule refusals. A
service's own refusal of the input's shape (a text left empty or over its cap) is still a
failure: the schema must say the same up front.
"""

import schemathesis
from schemathesis.checks import positive_data_acceptance

# Codes with which a service refuses the input itself rather than the state of things.
SHAPE_CODES = {"required", "too_long"}


def _is_business_rule_refusal(response) -> bool:
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    code = body.get("code") if isinstance(body, dict) else None
    return isinstance(code, str) and code not in SHAPE_CODES


@schemathesis.check
def valid_input_passes_validation(ctx, response, case):
    if _is_business_rule_refusal(response):
        return True
    return positive_data_acceptance(ctx, response, case)
