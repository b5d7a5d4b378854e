"""assets/plotly_workarounds.js holds every use of plotly.js and Dash internals and declares the
versions they were verified on: silent on those, one console warning on any other (plotly.js
read from Plotly.version as it arrives, Dash from the page's config or its renderer's address)."""

from __future__ import annotations

import re

import pytest

from browser import HEATMAP_PLOT, wait_for_heatmap
from conftest import ROOT

WORKAROUNDS = ROOT / "assets" / "plotly_workarounds.js"
NOT_VERIFIED = "is not verified"


def verified() -> dict:
    found = re.search(r'VERIFIED = \{plotly: "([^"]+)", dash: "([^"]+)"\}', WORKAROUNDS.read_text())
    assert found, "assets/plotly_workarounds.js declares no VERIFIED versions"
    return {"plotly": found.group(1), "dash": found.group(2)}


def version_warnings(page) -> list[str]:
    """The page's console warnings about versions, as they come."""
    warnings: list[str] = []
    page.on("console",
            lambda msg: warnings.append(msg.text) if msg.type == "warning" and NOT_VERIFIED in msg.text else None)
    return warnings


def test_verified_versions_are_the_installed_ones():
    """Upgrading dash or plotly fails here first: re-check the internals listed in the file, then
    move VERIFIED."""
    import dash
    import plotly.offline

    assert verified() == {"plotly": plotly.offline.get_plotlyjs_version(), "dash": dash.__version__}


def test_no_warning_on_the_verified_versions(live_server, page):
    warnings = version_warnings(page)
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    assert page.evaluate("() => window.tmx.checkVersions()") == {"verified": verified(), "running": verified()}
    page.wait_for_timeout(300)
    assert warnings == []
    # the workarounds that run at load are in place
    assert page.evaluate("() => window.Plotly.Plots.tmxResize === true")


def test_another_plotly_version_warns_once(live_server, page):
    warnings = version_warnings(page)
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    running = page.evaluate("() => { window.Plotly.version = '4.2.0'; window.tmx.checkVersions(); "
                            "return window.tmx.checkVersions().running; }")
    assert running["plotly"] == "4.2.0"
    page.wait_for_timeout(300)
    assert len(warnings) == 1 and "plotly.js 4.2.0" in warnings[0] and verified()["plotly"] in warnings[0], warnings


# Before the page's scripts: a plotly.js that calls itself 4.9.9 as it is set on window (the setter
# that plotly_workarounds.js defines for window.Plotly sees that version).
FAKE_PLOTLY_VERSION = """
const define = Object.defineProperty;
Object.defineProperty = function (target, name, descriptor) {
  if (target === window && name === "Plotly" && descriptor && descriptor.set) {
    const set = descriptor.set;
    descriptor = Object.assign({}, descriptor, {set(value) { value.version = "4.9.9"; set.call(this, value); }});
  }
  return define.call(Object, target, name, descriptor);
};
"""


def test_another_plotly_version_warns_at_load(live_server, page):
    warnings = version_warnings(page)
    page.add_init_script(FAKE_PLOTLY_VERSION)
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    assert page.evaluate("() => window.Plotly.version") == "4.9.9"
    page.wait_for_timeout(300)
    assert len(warnings) == 1 and "plotly.js 4.9.9" in warnings[0], warnings  # as plotly arrived
    page.evaluate("() => window.tmx.checkVersions()")
    page.wait_for_timeout(300)
    assert len(warnings) == 1, warnings  # once
    assert page.locator(f"{HEATMAP_PLOT} .heatmaplayer image").count() >= 1  # the page works as before


@pytest.mark.parametrize("source", ["config", "script address"])
def test_another_dash_version_warns_at_load(live_server, page, source):
    """Dash's version is read from the page's config, or from its renderer's address without one
    (Dash serves its fingerprinted files whatever the version in the address)."""
    def another_dash(route):
        response = route.fetch()
        body = response.text()
        assert '"dash_version":"' in body and "dash_renderer.v4_4_1m" in body
        if source == "config":
            body = re.sub(r'"dash_version":"[^"]*"', '"dash_version":"4.5.0"', body)
        else:
            body = re.sub(r'"dash_version":"[^"]*",?', "", body)
            body = body.replace("dash_renderer.v4_4_1m", "dash_renderer.v4_5_0m")
        route.fulfill(response=response, body=body)

    warnings = version_warnings(page)
    page.route(live_server.url + "/", another_dash)
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    assert page.evaluate("() => window.tmx.checkVersions().running.dash") == "4.5.0"
    page.wait_for_timeout(300)
    assert len(warnings) == 1 and "Dash 4.5.0" in warnings[0], warnings
