"""The page's plotly.js (web/plotlyjs: a build with only the traces the app draws) holds every
trace the app's figures use, is the file scripts/build-plotly wrote, and is what the page loads,
fingerprinted, cached and compressed; Dash's own (all of plotly.js) is never sent. The browser
side (each view drawn without an error by this bundle) is tests/test_browser_plotly_bundle.py."""

from __future__ import annotations

import gzip
import hashlib
import re

import plotly.offline
import pytest
from dash.development.base_component import Component
from plotly.basedatatypes import BaseFigure

from components import ids, registry
from transfer.view import view_from_query
from web import plotlyjs, services

SEEDS = "dataset=example-seeds"  # bundled, with replicates
TASKS = "dataset=mistral-7b-instruct_auc-diff"  # bundled, with task annotations
# A link for every kind of figure: the heatmap plain, compared, in cluster order with its margins
# and a selection, grouped with gaps and annotation strips, collapsed, with replicates under the
# value-suppressing palette (wedge right, and top left in cluster order) and in plain colours; the
# dendrogram tab (with its leaves' strips); the small multiples tab. The PNG and SVG downloads
# are the heatmap's figure with a title (assets/tmx.js); the breakdown panels are HTML.
LINKS = [
    TASKS,
    f"{TASKS}&compare=mistral-7b_auc-diff&row=TriviaQA&col=HotpotQA",
    f"{TASKS}&order=cluster&k=3&row=TriviaQA&col=Movies&tab=dendrogram",
    f"{TASKS}&order=group&group=task_type&track=task_type%2Cwith_context",
    f"{TASKS}&collapse=task_type",
    f"{TASKS}&order=cluster&k=2&track=task_type&tab=dendrogram",
    SEEDS,
    f"{SEEDS}&unc=none",
    f"{SEEDS}&order=cluster&k=2&tab=dendrogram",
    f"{TASKS}&tab=multiples",
]
# Layout keys of subplots other than cartesian axes: none is in the bundle (plotly.js would drop
# them with a console warning of the trace types that need them).
OTHER_SUBPLOTS = re.compile(r"^(polar|geo|ternary|scene|mapbox|map|smith|carpet)\d*$")


def figures_in(value) -> list[dict]:
    """Every plotly figure ({"data": [...], "layout": {...}}) inside a layout value."""
    if isinstance(value, BaseFigure):
        return [value.to_dict()]
    if isinstance(value, Component):
        value = value.to_plotly_json()
    if isinstance(value, dict):
        if isinstance(value.get("data"), list) and isinstance(value.get("layout"), dict):
            return [value]
        return [f for v in value.values() for f in figures_in(v)]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in figures_in(v)]
    return []


def arrival_figures(app, link: str) -> dict[str, list[dict]]:
    """The figures the page shows on arriving at `link`, by the component that shows them."""
    with app.server.app_context():
        view = view_from_query(app.server.config[services.DATASETS_KEY], link)
        props = registry.arrival(view, link)
    found = {}
    for (component, _prop), value in props.items():
        key = component if isinstance(component, str) else str(component)
        found.setdefault(key, []).extend(figures_in(value))
    return {key: figs for key, figs in found.items() if figs}


def test_the_bundle_is_the_built_file_of_the_version_dash_ships():
    source = plotlyjs.source()
    assert hashlib.sha256(source).hexdigest() == plotlyjs.SHA256, "run scripts/build-plotly (and commit its output)"
    header = source[:400].decode()
    assert f"v{plotlyjs.__version__}\n" in header and "Built by scripts/build-plotly" in header
    assert plotlyjs.__version__ == plotly.offline.get_plotlyjs_version()  # the one Dash's plotly package ships
    assert b"window.Plotly = Plotly;" in source[-200:]  # sets window.Plotly as plotly's own bundles do


def test_the_bundle_registers_only_the_cartesian_traces_the_app_draws():
    assert plotlyjs.traces() == {"scatter", "heatmap"}
    assert f"(tmx: {', '.join(sorted(plotlyjs.traces(), reverse=True))})" in plotlyjs.source()[:200].decode()
    assert len(plotlyjs.source()) < 1.2e6 and len(gzip.compress(plotlyjs.source(), 6)) < 0.42e6


def test_every_figure_the_app_draws_uses_only_the_bundles_traces(app):
    kinds = {}
    for link in LINKS:
        shown = arrival_figures(app, link)
        assert ids.HEATMAP in shown, link
        if "tab=dendrogram" in link:
            assert ids.DENDROGRAM in shown, link
        if "tab=multiples" in link:
            assert len([f for key, figs in shown.items() if ids.MULTIPLE in key for f in figs]) >= 2, link
        for component, figs in shown.items():
            for fig in figs:
                types = {trace.get("type", "scatter") for trace in fig["data"]}
                assert types <= plotlyjs.traces(), (link, component, types - plotlyjs.traces())
                others = [key for key in fig["layout"] if OTHER_SUBPLOTS.match(key)]
                assert not others, (link, component, others)
                kinds.setdefault(component if component in (ids.HEATMAP, ids.DENDROGRAM) else "multiple",
                                 set()).update(types)
    # each figure is drawn: the heatmap's cells, outlines and margins, the dendrogram's lines, the multiples
    assert kinds == {ids.HEATMAP: {"heatmap", "scatter"}, ids.DENDROGRAM: {"heatmap", "scatter"},
                     "multiple": {"heatmap"}}


def test_the_wedge_legend_is_drawn_on_cartesian_axes(app):
    figure = arrival_figures(app, f"{SEEDS}&order=cluster&k=2")[ids.HEATMAP][0]
    layout = figure["layout"]
    wedge = [image for image in layout["images"] if image.get("name") == "uncertainty legend"]
    assert len(wedge) == 1 and wedge[0]["source"].startswith("data:image/svg+xml;base64,")
    assert (wedge[0]["xref"], wedge[0]["yref"]) == ("x7", "y7") and layout["yaxis7"]["scaleanchor"] == "x7"


def page_plotly(client) -> str:
    page = client.get("/").get_data(as_text=True)
    found = re.findall(r'<link rel="preload" as="script" id="tmx-plotly" href="([^"]+)">', page)
    assert len(found) == 1 and "package_data/plotly" not in page
    return found[0]


def test_the_page_preloads_the_bundle_fingerprinted_cached_and_compressed(client):
    address = page_plotly(client)
    assert re.fullmatch(r"/_dash-component-suites/web\.plotlyjs/plotly-tmx\.v4_1_1m\d+\.min\.js", address), address
    answer = client.get(address, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    assert answer.headers["Content-Encoding"] == "gzip" and "max-age=31536000" in answer.headers["Cache-Control"]
    assert gzip.decompress(answer.data) == plotlyjs.source()
    again = client.get(address, headers={"Accept-Encoding": "gzip"})
    assert again.data == answer.data  # from the compressed-file cache (web.serving.CompressedStatic)


@pytest.mark.parametrize("path", ["plotly.min.js", "plotly.v7_1_0m1796610208.min.js"])
def test_dash_s_own_plotly_js_is_never_sent(client, path):
    """dcc.Graph loads Dash's plotly.js itself if window.Plotly is not set when it mounts: answered
    with the bundle's address instead."""
    answer = client.get(f"/_dash-component-suites/plotly/package_data/{path}")
    assert answer.status_code == 302 and answer.headers["Location"] == page_plotly(client)
