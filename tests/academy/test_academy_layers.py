"""The academy knows no other domain app: rules are named by strings, and domain apps
fill its registry; the link back to lessons is a template tag."""

from tests.test_architecture import MODULES, imports_of

OTHER_DOMAINS = {"shop", "compliance", "disputes", "promotions"}


def test_academy_imports_no_other_domain():
    offending = [f"{m} -> {t}" for m in MODULES if m.split(".")[0] == "academy"
                 for t in imports_of(m) if t.split(".")[0] in OTHER_DOMAINS | {"config"}]
    assert [m for m in MODULES if m.startswith("academy.")]  # the check sees the app
    assert offending == []
