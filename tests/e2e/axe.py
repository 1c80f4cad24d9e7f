"""axe-core in the browser tests: the accessibility rules run inside the page.

axe-core comes from the npm registry (``npm pack``, pinned below) and is kept in a cache
directory, so only the first run needs the registry. It is evaluated through the DevTools
protocol, which the page's Content-Security-Policy does not govern, so the pages keep
their strict policy while they are audited.

    from tests.e2e.axe import axe_source, axe_violations
    pytestmark = pytest.mark.skipif(axe_source() is None, reason=AXE_MISSING)
    assert axe_violations(page) == []
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

AXE_VERSION = "4.10.3"
AXE_MISSING = f"axe-core {AXE_VERSION} is not cached and npm cannot fetch it"
# WCAG 2.1 A and AA: what the pages promise.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def _cache_dir() -> Path:
    root = os.environ.get("AXE_CACHE_DIR") or Path.home() / ".cache" / "kshop-axe"
    return Path(root) / AXE_VERSION


@functools.cache
def axe_source() -> str | None:
    """axe.min.js, fetched once from the npm registry; None when it cannot be had."""
    target = _cache_dir() / "axe.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            try:
                subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"], cwd=tmp,
                               check=True, capture_output=True, timeout=120)
            except (subprocess.SubprocessError, OSError):
                return None
            packed = next(Path(tmp).glob("axe-core-*.tgz"), None)
            if packed is None:
                return None
            with tarfile.open(packed) as archive:
                member = archive.extractfile("package/axe.min.js")
                if member is None:
                    return None
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(".part")
                partial.write_bytes(member.read())
                partial.replace(target)
    return target.read_text(encoding="utf-8")


def axe_violations(page, tags=WCAG_TAGS, exclude=()) -> list[dict]:
    """Runs axe over the page as it is now; each violation as ``{"id", "impact", "help",
    "targets"}`` (targets: the CSS selectors of the offending elements)."""
    source = axe_source()
    if source is None:
        raise RuntimeError(AXE_MISSING)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate(
        """async ([tags, exclude]) => {
            const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
            const r = await window.axe.run(context, {runOnly: {type: "tag", values: tags},
                                                    resultTypes: ["violations"]});
            return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" "))}));
        }""",
        [list(tags), list(exclude)],
    )
    return result


def describe(violations: list[dict]) -> str:
    """One line per violation, for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'][:5])}"
        + (f" … +{len(v['targets']) - 5}" if len(v["targets"]) > 5 else "")
        for v in violations
    )
