"""The automated accessibility check of the browser tests: axe-core (from npm) against WCAG 2.1 A and AA.

axe is added to a page as an init script (CDP injects it, so the pages' strict CSP stays as served), then
`assert_accessible` runs it on what the page shows at that moment and fails listing every violation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from playwright.sync_api import BrowserContext, Page

__all__ = ["AXE_SCRIPT", "WCAG_TAGS", "assert_accessible", "with_axe"]

AXE_SCRIPT: Final = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS: Final = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_RUN: Final = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary}))
  }));
}"""


def with_axe(target: BrowserContext | Page) -> None:
    """Make axe available on every page `target` loads from now on."""
    assert AXE_SCRIPT.is_file(), f"axe-core is not installed at {AXE_SCRIPT}: run `npm ci` in the repository"
    target.add_init_script(path=str(AXE_SCRIPT))


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node['target']}: {node['summary']}" for node in v["nodes"][:8])
    return "\n".join(lines)


def assert_accessible(page: Page, what: str) -> None:
    """No WCAG 2.1 A/AA violation in what `page` shows now (hidden parts are not checked by axe)."""
    page.wait_for_function("() => window.axe !== undefined")
    violations: list[dict[str, Any]] = page.evaluate(_RUN, list(WCAG_TAGS))
    assert not violations, (
        f"{what} ({page.url}) has {len(violations)} accessibility violation(s):\n{_describe(violations)}\n"
        + json.dumps([v["id"] for v in violations])
    )
