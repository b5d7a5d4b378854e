"""Accessibility in real Chromium: axe-core (axe-playwright-python) scans every view a shared link
opens, at a desktop and a phone size, and finds no violation of impact serious or critical, and no
moderate or minor one outside ALLOWED (each with its reason). Plotly's modebar and Dash's
dropdowns are scanned like the rest: what they bring is fixed in assets/a11y.js, not left out."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from components import ids
from transfer.viewstate import TABS

from browser import drop, wait_for_heatmap, wait_for_panels

SIZES = {"desktop": (1280, 720), "phone": (390, 844)}
SELECTED = "?row=NLI&col=TriviaQA&pos=0.1&neg=-0.1"  # a selection and both thresholds on
VIEWS = [SELECTED, *(f"?tab={tab}" for tab in TABS if tab != "heatmap")]
BROKEN = b"train\\test,A,B\nA,0.1,0.2\nB,0.3,n/a?\n"

# Rules allowed to report moderate or minor findings, each with the reason: none today. A rule
# added here must say why it cannot be fixed (e.g. a library's markup we cannot reach).
ALLOWED: dict[str, str] = {}
FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()


def summary(violations: list[dict]) -> str:
    """One line per rule: id, impact, how many elements, the first targets and what to fix."""
    lines = []
    for rule in violations:
        targets = [" ".join(map(str, node["target"])) for node in rule["nodes"][:3]]
        lines.append(f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])} elements): {rule['help']}; {targets}")
    return "\n".join(lines)


def scan(page, what: str) -> None:
    """Run axe on the page as it is, after the attribute fixes of assets/a11y.js have run."""
    page.evaluate("() => window.tmx.a11yFix()")
    violations = _axe.run(page).response["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS or v["id"] not in ALLOWED]
    assert not failing, f"axe-core on {what}:\n{summary(failing)}"


def wait_for_tab(page, tab: str) -> None:
    page.wait_for_function(
        """(tab) => !!document.querySelector(`.tab-pane.active.show[id$="-tabpane-${tab}"]`)""",
        arg=tab, timeout=20_000,
    )
    page.wait_for_timeout(600)  # the pane's figure draws after the tab shows


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_no_axe_violations_on_every_view(live_server, browser, size):
    assert "table" in TABS  # the table view (tab=table) is scanned with the others
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=size == "phone",
                                  has_touch=size == "phone")
    page = context.new_page()
    try:
        for query in VIEWS:
            page.goto(live_server.url + "/" + query)
            wait_for_heatmap(page)
            if query == SELECTED:
                wait_for_panels(page, "NLI", "TriviaQA")
                # the tab stops axe cannot see: the dropdowns' own buttons, not their hidden inputs
                assert page.evaluate(
                    """() => Array.from(document.querySelectorAll('.dash-dropdown-focus-target'))
                                .every(el => el.tabIndex === -1)""")
                assert page.get_attribute(f"#{ids.DATASET}", "tabindex") == "0"
                assert page.evaluate("() => document.documentElement.lang") == "en"
                # names from the wrappers' data-a11y-name: the dropdown's label before its value
                assert page.evaluate(
                    """(id) => { const by = document.getElementById(id).getAttribute('aria-labelledby');
                                 return document.getElementById(by.split(' ')[0]).textContent; }""",
                    ids.DATASET) == "Dataset"
                # (on a phone the card is folded: counted in the DOM, not by what is shown)
                assert page.locator('[role="slider"][aria-label="Positive threshold"]').count() == 1
            else:
                wait_for_tab(page, query.split("=")[1])
            scan(page, f"{query} at {size}")
            if query == SELECTED and size == "phone":
                # the control sections start folded on a phone: opened, their controls are scanned too
                toggles = page.locator('.tmx-section-toggle[aria-expanded="false"]')
                folded = toggles.count()
                assert folded > 0
                for _ in range(folded):
                    toggles.first.click()
                assert toggles.count() == 0
                scan(page, f"{query} at {size}, every section open")

        # An upload refused: its message shown in the upload card.
        page.goto(live_server.url + "/")
        wait_for_heatmap(page)
        drop(page, "broken.csv", BROKEN)
        page.wait_for_function(
            f"""() => document.getElementById("{ids.UPLOAD_STATUS}").textContent.includes("broken.csv:")""",
            timeout=20_000,
        )
        scan(page, f"an upload error at {size}")
    finally:
        context.close()
