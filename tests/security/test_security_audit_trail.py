"""Every decision a reviewer or a support agent takes leaves an audit row: who, when, what,
why. Read from the code the way tests/test_architecture.py reads it (with `ast`): each
decision service writes an event row itself or through its transition writer (following
calls into the same module), and a new service named like a decision must be listed here.
Then, through the real services, the rows name the deciding user."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

# module path -> decision services in it (reviewers: admin actions; agents: the workbench)
DECISIONS = {
    "shop/services/onboarding.py": {"application_approve", "application_reject"},
    "shop/services/products.py": {"product_revision_approve", "product_revision_reject"},
    "shop/services/stores.py": {"store_profile_change_approve", "store_profile_change_reject"},
    "shop/services/accounts.py": {"withdrawal_approve", "withdrawal_reject"},
    "shop/services/closure.py": {"closure_approve", "closure_reject"},
    "compliance/services.py": {"qualification_approve", "qualification_reject"},
    "compliance/enforcement/services.py": {"violation_record", "violation_uphold",
                                           "violation_revoke"},
    "compliance/enforcement/measures.py": {"measure_lift"},
    "compliance/enforcement/sampling.py": {"inspection_plan", "inspection_result",
                                           "inspection_appeal_accept",
                                           "inspection_appeal_refuse",
                                           "inspection_retest_result"},
    "disputes/services/arbitration.py": {"after_sale_case_take", "after_sale_case_assign",
                                         "ruling_issue", "ruling_reopen"},
    "promotions/services/ads.py": {"promotion_order_approve", "promotion_order_reject"},
    "promotions/services/campaigns.py": {"campaign_entry_accept", "campaign_entry_reject"},
}

# Named like a decision but taken by a merchant, a buyer or the clock, with the reason.
NOT_REVIEWER_DECISIONS = {
    ("disputes/services/requests.py", "after_sale_request_approve"): "the merchant's",
    ("disputes/services/requests.py", "after_sale_request_reject"): "the merchant's",
    ("disputes/services/requests.py", "after_sale_request_accept_ruling"): "the merchant's",
    ("disputes/services/clocks.py", "after_sale_request_auto_approve"): "the clock's",
    ("shop/services/orders.py", "order_close"): "the order's own workflow",
    ("shop/services/invoices.py", "invoice_issue"): "the merchant's",
}

DECISION_NAME = re.compile(
    r"^[a-z]\w*_(approve|reject|uphold|revoke|take|assign|issue|reopen|lift|refuse|accept|"
    r"result|retest_result|plan)$|^ruling_\w+$|^violation_record$")

SERVICE_FILES = [p for app in ("shop", "compliance", "disputes", "promotions", "academy",
                               "payments", "common")
                 for p in (ROOT / app).rglob("*.py")
                 if "migrations" not in p.parts and (
                     "services" in p.parts or p.stem in {"services", "sampling", "measures"})]


def _module_path(module):
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _functions(path):
    """The module's top-level functions, and the project functions it imports by name
    (name -> (function node, the module it lives in))."""
    tree = ast.parse(path.read_text())
    found = {node.name: (node, path) for node in tree.body
             if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            source = _module_path(node.module)
            if source is None:
                continue
            source_tree = ast.parse(source.read_text())
            defined = {n.name: n for n in source_tree.body
                       if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
            for alias in node.names:
                if alias.name in defined and (alias.asname or alias.name) not in found:
                    found[alias.asname or alias.name] = (defined[alias.name], source)
    return found


def _callee(node):
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        parts = [func.attr]
        value = func.value
        while isinstance(value, ast.Attribute):
            parts.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name):
            parts.append(value.id)
        return ".".join(reversed(parts))
    return ""


def _writes_event(name, functions, seen=None, depth=0):
    """Does `name` (or a function it calls, in its module or imported by name from another
    project module) write an event row, either directly (`…Event(...)`,
    `…Event.objects.create/bulk_create`, an `…_event` helper) or through a transition
    writer (`…_transition`, `transition_apply`)?"""
    seen = seen if seen is not None else set()
    if name not in functions or depth > 5:
        return False
    node_of, path = functions[name] if isinstance(functions[name], tuple) else (
        functions[name], None)
    key = (path, name)
    if key in seen:
        return False
    seen.add(key)
    scope = _functions(path) if path is not None else functions
    for node in ast.walk(node_of):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node)
        last = callee.rsplit(".", 1)[-1]
        first = callee.split(".", 1)[0]
        if (first.endswith("Event") or last.endswith("Event") or "event" in last.lower()
                or last.endswith(("_transition", "_transition_batch"))
                or last == "transition_apply"):
            return True
        if last in scope and _writes_event(last, scope, seen, depth + 1):
            return True
    return False


def test_every_decision_service_writes_an_event():
    missing = []
    for rel, names in DECISIONS.items():
        functions = _functions(ROOT / rel)
        for name in names:
            assert name in functions, f"{rel}: {name} is gone; update DECISIONS"
            if not _writes_event(name, functions):
                missing.append(f"{rel}:{name}")
    assert missing == []


def test_every_service_named_like_a_decision_is_listed():
    listed = {(rel, name) for rel, names in DECISIONS.items() for name in names}
    unlisted = []
    for path in SERVICE_FILES:
        rel = str(path.relative_to(ROOT))
        for name, (_node, where) in _functions(path).items():
            if where == path and DECISION_NAME.match(name) and (rel, name) not in listed and (
                    rel, name) not in NOT_REVIEWER_DECISIONS:
                unlisted.append(f"{rel}:{name}")
    assert unlisted == [], ("decision services: add them to DECISIONS (and make them write an "
                            "event) or to NOT_REVIEWER_DECISIONS with the reason")


def test_the_finder_sees_a_missing_event():
    source = ("def decide(*, x, actor):\n    helper(x)\n\n"
              "def helper(x):\n    x.status = 'done'\n    x.save()\n\n"
              "def good(*, x, actor):\n    step(x)\n\n"
              "def step(x):\n    XEvent.objects.create(x=x)\n")
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert not _writes_event("decide", functions)
    assert _writes_event("good", functions)


# --- through the real services: the row names the deciding user ------------------------
@pytest.mark.django_db
def test_agent_decisions_are_on_the_timeline_with_the_agent(merchant, other_merchant, buyer,
                                                           other_buyer, reviewer, agent):
    from disputes import services as disputes
    from disputes.models import AfterSaleEvent
    from tests.security.tenants import World

    world = World(merchant, other_merchant, buyer, other_buyer, reviewer, agent)
    request = world.a_escalated_case
    before = AfterSaleEvent.objects.filter(request=request, actor=agent).count()
    disputes.after_sale_case_take(request=request, actor=agent)
    taken = AfterSaleEvent.objects.filter(request=request, actor=agent).count()
    assert taken == before + 1
    disputes.ruling_issue(request=request, actor=agent, outcome="full_refund",
                          fault="merchant_quality", reasoning="照片显示开线")
    ruled = AfterSaleEvent.objects.filter(request=request, actor=agent).order_by("pk").last()
    assert AfterSaleEvent.objects.filter(request=request, actor=agent).count() > taken
    assert ruled.at is not None and (getattr(ruled, "reason_code", "") or ruled.to_status)


@pytest.mark.django_db
def test_reviewer_decisions_are_on_the_timeline_with_the_reviewer(merchant, other_merchant,
                                                                  buyer, other_buyer,
                                                                  reviewer, agent):
    from compliance import services as compliance
    from compliance.enforcement import services as enforcement
    from tests.security.tenants import World

    world = World(merchant, other_merchant, buyer, other_buyer, reviewer, agent)
    qualification = compliance.qualification_approve(qualification=world.a_qualification,
                                                     actor=reviewer)
    assert qualification.events.filter(actor=reviewer).exists()
    violation = world.a_violation
    enforcement.violation_revoke(violation=violation, actor=reviewer, reason="证据不足")
    assert violation.events.filter(actor=reviewer).count() >= 2  # recorded, then revoked
