"""axe-core in the page under test (its own axe.min.js, from the axe-playwright-python wheel): the WCAG 2.x A and
AA rules, and the violations that matter (serious or critical) as short lines a failing test prints."""

from __future__ import annotations

from typing import Any

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
GRAVE = ("serious", "critical")


def grave_violations(page: Any) -> list[str]:
    """Each serious or critical violation on the page: rule, impact and the first elements it names."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]})
    found: list[dict[str, Any]] = results.response["violations"]
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]} "
            f"{v['nodes'][0].get('failureSummary', '')}" for v in found if v["impact"] in GRAVE]
