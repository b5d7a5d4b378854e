"""Breakdown panels of a matrix with replicates in real Chromium: whiskers and replicate dots on
both panels' bars, n and intervals beside them, the replicates' CSV download, and a sequence of
steps (click, norm=diag, compare, Back) after which the whiskers are still what /api/view says."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from components import ids
from transfer.figures import display_number, panel_decimals, panel_number
from transfer.matrix import TransferMatrix
from transfer.replicates import Spread, sample_means

from browser import (
    PANEL_BARS,
    PANEL_STATS,
    click_cell,
    panel_bars,
    query_of,
    save_screenshot,
    wait_for_heatmap,
    wait_for_panels,
)
from link_checks import api_view, choose_option, choose_radio, settle

TASKS = ["TriviaQA", "HotpotQA", "Movies", "NLI", "Math"]
SEEDS = ["0", "1", "2", "3"]


def seeded(shift: float = 0.0, seed: int = 11, name: str = "Seeds: probe AUC difference") -> TransferMatrix:
    rng = np.random.default_rng(seed)
    samples = rng.normal(0.0, 0.04, (5, 5, 4)) + rng.normal(0.0, 0.15, (5, 5, 1)) + shift
    samples[1, 3, 2] = np.nan  # HotpotQA -> NLI lacks seed 2
    samples[4, 0, 1:] = np.nan  # Math -> TriviaQA has one seed: no interval
    _, mean = sample_means(samples)
    return TransferMatrix(rows=TASKS, cols=TASKS, values=mean, name=name, metric="AUC difference",
                          spread=Spread.from_samples(samples, SEEDS))


@pytest.fixture
def stored(app, live_server):
    from web import services

    store = app.server.config[services.DATASETS_KEY]
    this, other = seeded(), seeded(shift=-0.05, seed=12, name="Other seeds")
    return live_server, store.put(this), store.put(other), this


# What a panel draws over its bars: each whisker's interval and each dot's replicate and value by
# bar label, and the query its numbers came from.
DRAWN_JS = """(id) => { const svg = document.querySelector(`#${id} svg.tmx-bars`);
  if (!svg || !svg.dataset.whiskers) return null;
  const whiskers = {}, dots = {};
  svg.querySelectorAll("line.tmx-whisker").forEach(l => {
    whiskers[l.dataset.label] = [Number(l.dataset.low), Number(l.dataset.high)]; });
  svg.querySelectorAll("circle.tmx-replicate").forEach(c => {
    (dots[c.dataset.label] = dots[c.dataset.label] || []).push([c.dataset.replicate, Number(c.dataset.value)]); });
  return {search: svg.dataset.search, label: svg.dataset.label, mode: svg.dataset.whiskers, whiskers, dots}; }"""


def drawn(page, axis: str) -> dict | None:
    return page.evaluate(DRAWN_JS, PANEL_BARS[axis])


def wait_for_whiskers(page, timeout: float = 15_000) -> None:
    """Both panels have whiskers drawn from the numbers of the link in the address bar."""
    page.wait_for_function(
        f"""() => {[PANEL_BARS['row'], PANEL_BARS['col']]}.every(id => {{
              const svg = document.querySelector(`#${{id}} svg.tmx-bars`);
              return svg && svg.dataset.whiskers && svg.dataset.search === window.location.search; }})""",
        timeout=timeout,
    )


def expected_marks(item: dict) -> tuple[dict, dict]:
    """Whiskers and dots /api/view's breakdown item says the panel must draw."""
    whiskers = {label: [low, high] for label, low, high in zip(item["labels"], item["ci_low"], item["ci_high"])
                if low is not None}
    dots = {}
    for label, values in zip(item["labels"], item["replicates"] or []):
        kept = [[rid, v] for rid, v in zip(item["replicate_ids"], values) if v is not None]
        if kept:
            dots[label] = kept
    return whiskers, dots


def check_whiskers_agree_with_the_link(page, base_url: str, context: str) -> dict:
    """Both panels' whiskers and dots are those of /api/view for the address bar's link."""
    settle(page)
    wait_for_whiskers(page)
    api = api_view(base_url, query_of(page))
    for axis in ("row", "col"):
        item, seen = api["selection"][axis], drawn(page, axis)
        whiskers, dots = expected_marks(item)
        assert seen["label"] == item["label"], context
        # exact: full-precision numbers, written by the browser as String(x) (shortest round trip)
        assert seen["whiskers"] == whiskers, f"{axis} whiskers, {context}"
        assert seen["dots"] == dots, f"{axis} dots, {context}"
    return api


def list_decimals(item: dict, cell: dict) -> int:
    """The decimals the numbers list writes every value with (transfer.figures.panel_decimals)."""
    mean = item.get("mean_interval") or {}
    return panel_decimals([item["in_domain"] if item["in_domain_index"] is not None else None,
                           item["mean_off_diagonal"], (item["best"] or {}).get("value"),
                           (item["worst"] or {}).get("value"), mean.get("ci_low"), mean.get("ci_high"),
                           cell["value"], cell["ci_low"], cell["ci_high"]])


def interval(low: float, high: float, decimals: int | None = None) -> str:
    """An interval as the numbers list writes it (at its decimals), or as a bar's tip does."""
    number = display_number if decimals is None else (lambda v: panel_number(v, decimals))
    return f"[{number(low)}, {number(high)}]"


def test_whiskers_dots_numbers_and_the_replicates_download(stored, page):
    server, dataset_id, _, matrix = stored
    page.goto(f"{server.url}/?dataset={dataset_id}")
    wait_for_heatmap(page)
    settle(page)
    click_cell(page, "HotpotQA", "NLI")
    wait_for_panels(page, "HotpotQA", "NLI")
    api = check_whiskers_agree_with_the_link(page, server.url, "after a click")
    assert query_of(page).endswith("&row=HotpotQA&col=NLI")

    # Whiskers and dots on both panels, SVG nodes over bars that carry text; HotpotQA -> NLI
    # lacks a seed (three dots).
    row, col = drawn(page, "row"), drawn(page, "col")
    assert row["mode"] == col["mode"] == "drawn"
    assert len(row["whiskers"]) == 5 and len(row["dots"]["NLI"]) == 3
    assert len(col["whiskers"]) == 5 and all(len(col["dots"][label]) == (3 if label == "HotpotQA" else 4)
                                             for label in TASKS)
    samples = matrix.spread.samples
    assert [v for _, v in row["dots"]["Movies"]] == pytest.approx(samples[1, 2].tolist(), rel=1e-12)
    assert panel_bars(page, "row")["values"] == pytest.approx(api["selection"]["row"]["values"])
    page.locator(f"#{PANEL_BARS['row']}").scroll_into_view_if_needed()
    save_screenshot(page, "breakdown-replicates.png")

    # The numbers beside the bars: the selected cell's value, n and interval; the mean's interval.
    cell = api["selection"]["cell"]
    text = page.inner_text(f"#{PANEL_STATS['row']}")
    decimals = list_decimals(api["selection"]["row"], cell)
    assert f"Selected cell\n{panel_number(cell['value'], decimals)} (n = 3)" in text
    assert f"95% CI (selected cell)\n{interval(cell['ci_low'], cell['ci_high'], decimals)}" in text
    mean = api["selection"]["row"]["mean_interval"]
    assert mean["method"] == "independent cells"  # HotpotQA -> NLI lacks a seed the others have
    assert f"95% CI of the mean\n{interval(mean['ci_low'], mean['ci_high'], decimals)} (n = 4 cells)" in text
    col_text = page.inner_text(f"#{PANEL_STATS['col']}")
    assert "(n = 3)" in col_text and "95% CI (selected cell)" in col_text

    # The hover of a bar has its n and interval.
    box = page.locator(f"#{ids.BREAKDOWN_ROW_BARS} .tmx-bars-hit").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7)  # the 4th of 5 bars: NLI
    tip = page.locator(".tmx-bars-tip:visible").inner_text().splitlines()
    assert tip[0] == "Test: NLI" and tip[2] == f"n = 3, 95% CI {interval(cell['ci_low'], cell['ci_high'])}"

    # Two downloads: the means (wide) and the replicates (long, one row per seed value).
    assert page.inner_text(f"#{ids.DOWNLOAD_CSV}") == "Download means (wide CSV)"
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_REPLICATES}")
    assert download.value.suggested_filename == "Seeds-probe-AUC-difference-replicates.csv"
    rows = [r for r in csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read()))
            if r and not r[0].startswith("#") and r[-1] != ""]  # empty rows keep the label order
    assert rows[0] == ["train", "test", "replicate", "value"]
    expected = {(TASKS[i], TASKS[j], SEEDS[k], float(samples[i, j, k])) for i, j, k in np.argwhere(~np.isnan(samples))}
    assert {(a, b, c, float(v)) for a, b, c, v in rows[1:]} == expected and len(rows) - 1 == len(expected)
    with page.expect_download() as download:
        page.click(f"#{ids.DOWNLOAD_CSV}")
    assert download.value.suggested_filename == "Seeds-probe-AUC-difference-means.csv"
    assert "train\\test" in open(download.value.path(), encoding="utf-8").read()


def test_whiskers_follow_norm_compare_and_back(stored, page):
    server, dataset_id, other_id, _ = stored
    page.goto(f"{server.url}/?dataset={other_id}")  # opened once: listed among the matrices to compare with
    wait_for_heatmap(page)
    settle(page)
    page.goto(f"{server.url}/?dataset={dataset_id}")
    wait_for_heatmap(page)
    settle(page)
    click_cell(page, "Movies", "Math")
    wait_for_panels(page, "Movies", "Math")
    first = check_whiskers_agree_with_the_link(page, server.url, "after a click")

    choose_radio(page, ids.NORM, "diag")
    page.wait_for_function("() => new URLSearchParams(location.search).get('norm') === 'diag'")
    diag = check_whiskers_agree_with_the_link(page, server.url, "after norm=diag")
    assert diag["selection"]["row"]["ci_low"] != first["selection"]["row"]["ci_low"]
    in_domain = diag["selection"]["row"]["labels"].index("Movies")
    assert diag["selection"]["row"]["ci_low"][in_domain] == 0.0  # a cell minus itself

    assert choose_option(page, ids.COMPARE, other_id)
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('compare') === {other_id!r}")
    compared = check_whiskers_agree_with_the_link(page, server.url, "after compare")
    # the same seeds on both sides: paired, but for HotpotQA -> NLI (a seed short) against its in-domain cell
    assert compared["uncertainty"]["test"] == "paired t where the replicate ids match, Welch t elsewhere"

    page.go_back()
    page.wait_for_function("() => !new URLSearchParams(location.search).get('compare')")
    back = check_whiskers_agree_with_the_link(page, server.url, "after Back")
    assert back["selection"]["row"]["ci_low"] == diag["selection"]["row"]["ci_low"]


def test_many_bars_have_painted_whiskers_and_a_matrix_without_replicates_has_none(app, live_server, page):
    from web import services

    rng = np.random.default_rng(5)
    labels = [f"task{k:02d}" for k in range(60)]
    samples = rng.normal(0.0, 0.1, (60, 60, 3))
    _, mean = sample_means(samples)
    big = TransferMatrix(rows=labels, cols=labels, values=mean, name="big",
                         spread=Spread.from_samples(samples, ["a", "b", "c"]))
    dataset_id = app.server.config[services.DATASETS_KEY].put(big)
    page.goto(f"{live_server.url}/?dataset={dataset_id}&row=task07&col=task31")
    wait_for_heatmap(page)
    wait_for_panels(page, "task07", "task31")
    wait_for_whiskers(page)
    row = page.evaluate(
        """(id) => { const svg = document.querySelector(`#${id} svg.tmx-bars`), u = svg.tmxUncertainty;
                     return {mode: svg.dataset.whiskers, low: u.ci_low,
                             nodes: svg.querySelectorAll(".tmx-whisker").length}; }""",
        PANEL_BARS["row"],
    )
    api = api_view(live_server.url, query_of(page))
    assert row["mode"] == "painted" and row["nodes"] == 0 and row["low"] == api["selection"]["row"]["ci_low"]
    assert panel_bars(page, "row")["painted_rows"] > 0.5

    # The bundled matrix has no replicates: no whiskers, no dots, no intervals, one download.
    page.goto(f"{live_server.url}/?row=NLI&col=TriviaQA")
    wait_for_heatmap(page)
    wait_for_panels(page, "NLI", "TriviaQA")
    settle(page)
    for axis in ("row", "col"):
        assert page.evaluate(
            "(id) => document.querySelectorAll(`#${id} .tmx-uncertainty, #${id} .tmx-whisker, #${id} .tmx-replicate`)"
            ".length", PANEL_BARS[axis]) == 0
        assert "CI" not in page.inner_text(f"#{PANEL_STATS[axis]}")
    assert page.inner_text(f"#{ids.DOWNLOAD_CSV}") == "Download CSV (displayed order)"
    assert not page.locator(f"#{ids.DOWNLOAD_REPLICATES}").is_visible()
