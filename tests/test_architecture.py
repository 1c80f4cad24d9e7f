"""The shape of the code, read from its imports with `ast` (deferred imports included):
payments knows no domain, no module imports itself back through others, and no workflow's
status is written outside its one transition writer."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["common", "payments", "shop", "compliance", "disputes", "promotions", "academy",
        "config"]
DOMAINS = {"shop", "disputes", "compliance", "promotions", "academy"}


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (the longest known prefix)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    graph = {m: imports_of(m) for m in MODULES}
    # `from pkg import name` also names the package: drop a package's edges to its own
    # children's parent chain only where the child is what is imported.
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_payments_imports_no_domain():
    offending = []
    for module in MODULES:
        if module.split(".")[0] != "payments":
            continue
        for target in imports_of(module):
            if target.split(".")[0] in DOMAINS:
                offending.append(f"{module} -> {target}")
    assert offending == []


def test_common_imports_no_app_above_it():
    offending = [f"{m} -> {t}" for m in MODULES if m.split(".")[0] == "common"
                 for t in imports_of(m) if t.split(".")[0] not in {"common"}]
    assert offending == []


def test_no_import_cycles_between_project_modules():
    graph = _graph()
    # A package importing its own submodules (shop/models/__init__.py gathering them) and
    # those submodules importing siblings through the package is one module split in files.
    cycles = []
    for component in _cycles(graph):
        packages = {m.rpartition(".")[0] for m in component} | set(component)
        if any(all(m == p or m.startswith(p + ".") for m in component) and p in component
               for p in packages):
            continue
        cycles.append(component)
    assert cycles == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_a_deferred_import_counts(tmp_path):
    source = "def f():\n    from shop.services.orders import order_lock\n"
    tree = ast.parse(source)
    names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert names == ["shop.services.orders"]
    assert _resolve("shop.services.orders.order_lock") == "shop.services.orders"


STATUS_WRITE = re.compile(r"\.status\s*=(?!=)|update\(\s*status\s*=")

# The one writer of each workflow's status (module, function). Anything else that assigns
# `.status` or calls `update(status=…)` is a second writer.
STATUS_WRITERS = {
    ("common/workflows.py", "transition_apply"),
    ("payments/services.py", "payment_settle"),
    ("shop/services/orders.py", "order_transition"),
    ("shop/services/orders.py", "orders_transition_batch"),
    ("shop/services/products.py", "product_transition"),
    ("shop/services/products.py", "product_revision_transition"),
    ("shop/services/onboarding.py", "merchant_application_transition"),
    ("compliance/services.py", "qualification_transition"),
    ("compliance/services.py", "qualifications_transition_batch"),
    ("disputes/services/transitions.py", "after_sale_request_transition"),
    ("disputes/services/transitions.py", "after_sale_requests_transition_batch"),
    ("promotions/services/coupons.py", "coupon_claims_transition"),
    ("promotions/services/campaigns.py", "campaign_entries_transition_batch"),
}
# Not a workflow: a progress flag of a batch job, and an admin form helper's attribute.
NOT_WORKFLOWS = {
    ("shop/services/deposits.py", "deposit_monthly_adjust"),
    ("compliance/admin.py", "__init__"),
}


def _status_writes():
    found = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text())
        rel = str(path.relative_to(ROOT))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                hit = False
                if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    hit = any(isinstance(t, ast.Attribute) and t.attr == "status"
                              for t in targets)
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                      and node.func.attr in {"update", "bulk_update"}):
                    hit = any(k.arg == "status" for k in node.keywords) or any(
                        isinstance(a, ast.List) and any(
                            isinstance(e, ast.Constant) and e.value == "status"
                            for e in a.elts) for a in node.args)
                if hit:
                    found.append((rel, func.name, node.lineno))
    return found


def test_every_status_is_written_by_its_one_writer():
    writes = {(path, func) for path, func, _line in _status_writes()}
    assert sorted(writes - STATUS_WRITERS - NOT_WORKFLOWS) == []
