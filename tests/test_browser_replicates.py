"""The heatmap of a matrix with replicates in real Chromium: the hover's statistics, significance
marks in cell text, the value-suppressing palette and its wedge (in the PNG and SVG downloads
too), "significant only" highlighting exactly what the core classifies with no request to the
server, a link with every uncertainty key, and a sequence of steps (ci, sig, Back) after which
the link and the screen still agree."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_browser_thresholds import boundary_edges, unit_edges

from components import ids
from transfer import vsup
from transfer.figures import HeatmapTrace, _d3_fixed, _d3_general, cell_labels, display_number, legend_ticks
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread, sample_means
from transfer.thresholds import classify
from transfer.uncertainty import cell_stats
from transfer.viewstate import format_number

from browser import HEATMAP_PLOT, drawn_highlight, hover_cell, query_of, save_screenshot, wait_for_heatmap
from link_checks import api_view, check_link_is_view, settle

TASKS = ["TriviaQA", "HotpotQA", "Movies", "NLI", "Math", "Code"]


def seeded(single: bool = False) -> TransferMatrix:
    """Five seeds a cell: strong in-domain transfer, small effects elsewhere, so that some cells are
    significant at each level and some at none; `single`: one cell with one seed (no interval)."""
    rng = np.random.default_rng(5)
    effect = rng.normal(0.0, 0.06, (6, 6)) + np.diag([0.3, 0.25, 0.2, 0.3, 0.15, 0.2])
    samples = effect[..., None] + rng.uniform(0.005, 0.06, (6, 6, 1)) * rng.standard_normal((6, 6, 5))
    name = "Seeds"
    if single:
        samples[4, 0, 1:] = np.nan  # Math -> TriviaQA: one seed
        name = "Seeds with a single run"
    _, mean = sample_means(samples)
    return TransferMatrix(rows=TASKS, cols=TASKS, values=mean, name=name, metric="AUC difference",
                          spread=Spread.from_samples(samples, ["0", "1", "2", "3", "4"]))


@pytest.fixture
def stored(app, live_server):
    from web import services

    store = app.server.config[services.DATASETS_KEY]
    uniform, mixed = seeded(), seeded(single=True)
    return live_server, {"uniform": (store.put(uniform), uniform), "mixed": (store.put(mixed), mixed)}


def plain(text: str) -> str:
    """A hover text as the page's textContent reads it: plotly draws each <br> as a new line."""
    return text.replace("<br>", "")


def expected_hover(matrix: TransferMatrix, row: str, col: str, level: int = 95) -> str:
    """The statistics of a cell as the hover must write them (the page's d3 or the server's text)."""
    stats = cell_stats(matrix, level)
    i, j = matrix.rows.index(row), matrix.cols.index(col)
    value = lambda name: float(np.float32(getattr(stats, name)[i, j]))  # noqa: E731
    if np.isnan(stats.ci_low[i, j]):
        return "1 replicate, no interval"
    return (f"{_d3_fixed(float(np.float32(matrix.values[i, j])), 4)} ± {_d3_fixed(value('std'), 4)} sd, "
            f"n = {int(stats.n[i, j])}{level}% CI [{_d3_fixed(value('ci_low'), 4)}, {_d3_fixed(value('ci_high'), 4)}]"
            f"p = {_d3_general(value('p'))}, q = {_d3_general(value('q'))}")


HOVER_JS = f"""() => Array.from(document.querySelectorAll("{HEATMAP_PLOT} .hoverlayer .hovertext text"))
                       .map(t => t.textContent).join(" ")"""


def hover(page, row: str, col: str) -> str:
    """The tooltip of a cell, waiting for that cell's own (a previous one may still be shown)."""
    page.mouse.move(1, 1)
    page.wait_for_function(f"() => !document.querySelector('{HEATMAP_PLOT} .hoverlayer .hovertext')")
    hover_cell(page, row, col)
    page.wait_for_function(f"([row, col]) => ({HOVER_JS})().startsWith(`Train: ${{row}}Test: ${{col}}`)",
                           arg=[row, col])
    text = page.evaluate(HOVER_JS)
    page.mouse.move(1, 1)
    return text


def cell_texts(page) -> list[str]:
    return sorted(page.evaluate(
        f"""() => Array.from(document.querySelectorAll("{HEATMAP_PLOT} .heatmaplayer text")).map(t => t.textContent)"""
    ))


def uncertainty_controls(page) -> dict:
    return {
        "ci": page.input_value(f"#{ids.UNCERTAINTY_CI}"),
        "unc": page.input_value(f"#{ids.UNCERTAINTY_PALETTE}"),
        "marks": page.is_checked(f"#{ids.UNCERTAINTY_MARKS}"),
        "sig": page.input_value(f"#{ids.THRESHOLD_SIG}"),
    }


WEDGE_IMAGE = "data:image/svg+xml;base64,"  # the wedge's colours: a layout image (transfer.figures._legend_image)


def drawn_palette(page) -> dict:
    """What the figure draws of the palette: codes over the cells, the wedge (its picture's
    segments, its texts), the colour bar."""
    return page.evaluate(
        f"""() => {{ const gd = document.querySelector("{HEATMAP_PLOT}");
                    const codes = gd._fullData[{HeatmapTrace.UNCERTAINTY}].z || [];
                    const wedge = Array.from(gd.querySelectorAll("image"))
                      .map(i => i.href.baseVal).filter(h => h.startsWith("{WEDGE_IMAGE}"));
                    return {{codes: Array.from(codes).map(r => Array.from(r)),
                             wedge: wedge.length === 1 && gd._fullData[{HeatmapTrace.LEGEND}].xaxis === "x7",
                             bars: wedge.length ? atob(wedge[0].split(",")[1]).split("<path").length - 1 : 0,
                             colorbar: document.querySelectorAll("{HEATMAP_PLOT} .colorbar").length,
                             legend_text: Array.from(document.querySelectorAll("{HEATMAP_PLOT} .annotation text"))
                                            .map(t => t.textContent)}}; }}"""
    )


def check_uncertainty_is_the_link(page, base_url: str, matrix: TransferMatrix, context: str) -> dict:
    """The controls, the palette, the marks, the hover's level and the highlight are those of
    /api/view for the address bar's link."""
    _, api = check_link_is_view(page, base_url, context)
    state, unc = api["state"], api["uncertainty"]
    seen = uncertainty_controls(page)
    assert seen == {"ci": str(state["ci"]), "unc": state["unc"], "marks": state["marks"],
                    "sig": "off" if state["sig"] is None else format_number(state["sig"])}, context
    assert unc["level"] == state["ci"] and unc["sig"] == state["sig"], context
    palette = drawn_palette(page)
    assert palette["wedge"] == (state["unc"] == "vsup") == (len(palette["codes"]) > 0), context
    assert palette["colorbar"] == (0 if state["unc"] == "vsup" else 1), context
    marked = any("*" in text for text in cell_texts(page))
    assert marked == state["marks"], context
    assert f"{state['ci']}% CI" in hover(page, "NLI", "NLI"), context
    page.mouse.move(1, 1)
    highlight = api.get("highlight")
    if highlight:
        stats = cell_stats(matrix, state["ci"])
        expected = classify(matrix, highlight["pos"], highlight["neg"], highlight["diag"],
                            stats.significant(state["sig"]) if state["sig"] is not None else None)
        assert highlight["counts"] == expected.counts(), context
        drawn = drawn_highlight(page)
        assert unit_edges(drawn["positive"]) == boundary_edges(expected.positive), context
        assert unit_edges(drawn["negative"]) == boundary_edges(expected.negative), context
        assert page.inner_text(f"#{ids.THRESHOLD_COUNTS}").startswith(
            f"{highlight['counts']['positive']} cell"), context
    return api


def test_hover_marks_palette_wedge_and_downloads(stored, page, tmp_path):
    server, datasets = stored
    dataset, matrix = datasets["uniform"]
    page.goto(f"{server.url}/?dataset={dataset}")
    wait_for_heatmap(page)
    settle(page)
    # the uncertainty section and "significant only" are shown for replicates
    assert page.is_visible(f"#{ids.UNCERTAINTY_CARD}") and page.is_visible(f"#{ids.THRESHOLD_SIG}")
    assert "one-sample t" in page.inner_text(f"#{ids.UNCERTAINTY_INFO}")

    # Hover: mean, sd, n, the 95% interval, p and q, from float32 customdata and one template.
    for row, col in (("NLI", "NLI"), ("Movies", "Math"), ("Code", "TriviaQA")):
        assert expected_hover(matrix, row, col) in hover(page, row, col)

    # Marks: each cell's label with its stars, drawn on the palette's trace.
    stats = cell_stats(matrix, 95)
    labels = cell_labels(matrix, stats, with_marks=True)
    assert cell_texts(page) == sorted(label for row in labels for label in row)
    assert any(label.endswith("***") for row in labels for label in row)
    assert any(not label.endswith("*") for row in labels for label in row)

    # The palette: the codes over the cells, the wedge with its ticks and labels, no colour bar.
    drawn = drawn_palette(page)
    zmin, zmax = matrix.value_range()
    codes = np.array(drawn["codes"], dtype=np.uint8)
    assert np.array_equal(codes & 15, vsup.codes(matrix.values, stats.ci_high - stats.ci_low, zmin, zmax))
    assert np.array_equal(codes >> 4, stats.codes())
    assert drawn["wedge"] and drawn["bars"] == vsup.COLOURS and drawn["colorbar"] == 0
    ticks = [display_number(v) for v in legend_ticks(zmin, zmax)]
    assert {"less certain", "more certain", *ticks} <= set(drawn["legend_text"]) and len(ticks) >= 3
    save_screenshot(page, "replicates-vsup.png")

    # The downloads draw what the page shows: the wedge is in the SVG, the PNG is a PNG.
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_SVG}")
    svg = open(download.value.path(), encoding="utf-8").read()
    assert "less certain" in svg and "more certain" in svg and all(f">{tick}<" in svg for tick in ticks)
    starred = [label for row in labels for label in row if label.endswith("***")]
    assert all(f">{label}<" in svg for label in starred) and WEDGE_IMAGE in svg and "colorbar" not in svg
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_PNG}")
    png = open(download.value.path(), "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


def test_cells_without_an_interval_or_a_test_say_so_cleanly(stored, page):
    server, datasets = stored
    dataset, matrix = datasets["mixed"]
    page.goto(f"{server.url}/?dataset={dataset}")
    wait_for_heatmap(page)
    settle(page)
    text = hover(page, "Math", "TriviaQA")
    assert text.endswith("1 replicate, no interval") and "NaN" not in text and "CI" not in text
    for row, col in (("NLI", "NLI"), ("Movies", "Math")):
        text = hover(page, row, col)
        assert plain(expected_hover(matrix, row, col)) in text and "NaN" not in text
    # norm=diag: each in-domain cell is itself minus itself, exact (no test): its sd, n and
    # interval from the template, p and q only where there is a test
    dataset, matrix = datasets["uniform"]
    page.goto(f"{server.url}/?dataset={dataset}&norm=diag")
    wait_for_heatmap(page)
    settle(page)
    text = hover(page, "NLI", "NLI")
    assert text.endswith("0 ± 0 sd, n = 595% CI [0, 0]") and "p =" not in text and "NaN" not in text
    text = hover(page, "Movies", "Math")
    assert "95% CI [" in text and ", q = " in text and "NaN" not in text


def test_significant_only_highlights_significant_cells_without_a_request(stored, page):
    server, datasets = stored
    dataset, matrix = datasets["uniform"]
    page.goto(f"{server.url}/?dataset={dataset}&pos=0.05&neg=-0.05")
    wait_for_heatmap(page)
    settle(page)
    requests: list = []
    page.on("request", lambda request: requests.append(request))
    stats = cell_stats(matrix, 95)
    for level in ("0.05", "0.001", "0.1", "off"):
        page.select_option(f"#{ids.THRESHOLD_SIG}", level)
        sig = None if level == "off" else float(level)
        if sig is None:
            page.wait_for_function("() => !location.search.includes('sig=')")
        else:
            page.wait_for_function(f"() => location.search.endsWith('&sig={level}')")
        expected = classify(matrix, 0.05, -0.05, True, stats.significant(sig) if sig is not None else None)
        counts = expected.counts()
        sentence = (f"{counts['positive']} {'cell shows' if counts['positive'] == 1 else 'cells show'} positive "
                    f"transfer ≥ 0.05, {counts['negative']} {'shows' if counts['negative'] == 1 else 'show'} "
                    f"negative transfer ≤ -0.05")
        page.wait_for_function(
            f"(text) => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.startsWith(text)", arg=sentence,
        )
        drawn = drawn_highlight(page)
        faded = np.array(drawn["fade"]) == 1
        assert np.array_equal(faded, ~expected.positive & ~expected.negative), level
        assert unit_edges(drawn["positive"]) == boundary_edges(expected.positive), level
        assert unit_edges(drawn["negative"]) == boundary_edges(expected.negative), level
        says = page.inner_text(f"#{ids.THRESHOLD_COUNTS}")
        assert (f"significant at q < {level}" in says) == (sig is not None), says
        assert api_view(server.url, query_of(page))["highlight"]["counts"] == counts, level
    # stricter levels kept fewer cells than none at all, and nothing asked the server
    assert classify(matrix, 0.05, -0.05, True, stats.significant(0.001)).counts()["positive"] < \
        classify(matrix, 0.05, -0.05, True).counts()["positive"]
    page.wait_for_timeout(300)
    # The highlight asked the server nothing. The insights panel (components/insights.py) reads
    # `sig` for its "significant after correction" sentence and asks for it (and its new chips fire
    # their select callback, which does nothing): those requests only.
    asked = [r for r in requests if "_favicon.ico" not in r.url and "/api/view" not in r.url]
    outputs = {json.loads(r.post_data)["output"] for r in asked if "_dash-update-component" in r.url}
    assert len(asked) == sum("_dash-update-component" in r.url for r in asked)
    insights = {f"..{ids.INSIGHTS}.children...{ids.INSIGHT_TARGETS}.data.."}
    assert {output for output in outputs if not output.startswith(f"..{ids.ROW}.value@")} <= insights, outputs


def test_a_link_with_every_uncertainty_key_reopens_with_them(stored, page):
    server, datasets = stored
    dataset, matrix = datasets["uniform"]
    link = f"/?dataset={dataset}&pos=0.05&ci=99&sig=0.05&marks=0&unc=none"
    page.goto(server.url + link)
    wait_for_heatmap(page)
    settle(page)
    assert query_of(page) == link[1:]
    assert uncertainty_controls(page) == {"ci": "99", "unc": "none", "marks": False, "sig": "0.05"}
    drawn = drawn_palette(page)
    assert drawn["codes"] == [] and drawn["wedge"] is False and drawn["colorbar"] == 1
    assert not any("*" in text for text in cell_texts(page))
    assert expected_hover(matrix, "NLI", "NLI", level=99) in hover(page, "NLI", "NLI")
    check_uncertainty_is_the_link(page, server.url, matrix, "the link as opened")
    page.reload()
    wait_for_heatmap(page)
    settle(page)
    assert query_of(page) == link[1:]
    check_uncertainty_is_the_link(page, server.url, matrix, "after a reload")


def test_changing_ci_then_sig_then_back_keeps_link_and_screen_in_agreement(stored, page):
    server, datasets = stored
    dataset, matrix = datasets["uniform"]
    page.goto(f"{server.url}/?dataset={dataset}&pos=0.05")
    wait_for_heatmap(page)
    settle(page)
    check_uncertainty_is_the_link(page, server.url, matrix, "arrival")

    page.select_option(f"#{ids.UNCERTAINTY_CI}", "90")  # a server field: the figure is redrawn
    page.wait_for_function("() => location.search.includes('&ci=90')")
    settle(page)
    check_uncertainty_is_the_link(page, server.url, matrix, "after ci=90")

    page.select_option(f"#{ids.THRESHOLD_SIG}", "0.01")  # a browser field
    page.wait_for_function("() => location.search.endsWith('&ci=90&sig=0.01')")
    settle(page)
    check_uncertainty_is_the_link(page, server.url, matrix, "after sig=0.01")

    page.click(f"#{ids.UNCERTAINTY_MARKS}")  # marks off: another redraw
    page.wait_for_function("() => location.search.endsWith('&sig=0.01&marks=0')")
    settle(page)
    check_uncertainty_is_the_link(page, server.url, matrix, "after marks=0")

    page.select_option(f"#{ids.UNCERTAINTY_PALETTE}", "none")
    page.wait_for_function("() => location.search.endsWith('&marks=0&unc=none')")
    settle(page)
    check_uncertainty_is_the_link(page, server.url, matrix, "after unc=none")

    for expected in ("&ci=90&sig=0.01&marks=0", "&ci=90&sig=0.01", "&ci=90", "&pos=0.05"):
        page.go_back()
        page.wait_for_function("(end) => location.search.endsWith(end)", arg=expected)
        settle(page)
        check_uncertainty_is_the_link(page, server.url, matrix, f"Back to ...{expected}")
    page.go_forward()
    page.wait_for_function("() => location.search.endsWith('&ci=90')")
    settle(page)
    check_uncertainty_is_the_link(page, server.url, matrix, "Forward to ci=90")


def test_a_matrix_without_replicates_shows_no_uncertainty_controls(live_server, page):
    page.goto(live_server.url + "/?pos=0.1")
    wait_for_heatmap(page)
    settle(page)
    assert not page.is_visible(f"#{ids.UNCERTAINTY_CARD}") and not page.is_visible(f"#{ids.THRESHOLD_SIG}")
    drawn = drawn_palette(page)
    assert drawn["codes"] == [] and drawn["wedge"] is False and drawn["colorbar"] == 1
    assert "CI" not in hover(page, "NLI", "NLI")
