"""The foundation in real Chromium: load, hover, switch datasets, reload from the URL."""

from __future__ import annotations

import numpy as np

from components import ids
from transfer.figures import _d3_fixed, plot_text
from web import services

from browser import HEATMAP_PLOT, choose_dropdown, heatmap_data, hover_cell, query_of, save_screenshot, wait_for_heatmap


def test_default_heatmap_has_100_labelled_cells_and_a_colour_bar(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    data = heatmap_data(page)
    assert len(data["rows"]) == 10 and len(data["cols"]) == 10
    assert sum(len(row) for row in data["z"]) == 100
    labels = page.locator(f"{HEATMAP_PLOT} .heatmaplayer text")
    assert labels.count() == 100
    assert page.locator(f"{HEATMAP_PLOT} .colorbar").count() == 1
    assert "dataset=mistral-7b-instruct_auc-diff" in query_of(page)
    assert save_screenshot(page, "screenshot-heatmap.png").stat().st_size > 10_000


def test_hover_shows_both_labels_and_the_value(app, live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    text = hover_cell(page, "Winobias", "Winobias")
    assert "Train: Winobias" in text and "Test: Winobias" in text
    assert "0.33" in text
    # The cells arrive packed (transfer.wire: two decimals, one digit a cell) and plotly draws the
    # very float32 values plotly.py's own encoding carried, so each hover writes what it did.
    matrix = app.server.config[services.DATASETS_KEY].get("mistral-7b-instruct_auc-diff")
    assert page.evaluate(f"""() => document.querySelector("{HEATMAP_PLOT}").data[0].z.tmx.decimals""") == 2
    data, shown = heatmap_data(page), matrix.values.astype(np.float32)
    at = {label: i for i, label in enumerate(matrix.rows)}, {label: j for j, label in enumerate(matrix.cols)}
    drawn = np.array([[shown[at[0][r], at[1][c]] for c in data["cols"]] for r in data["rows"]], dtype=np.float32)
    assert np.array_equal(np.array(data["z"], dtype=np.float32), drawn, equal_nan=True)
    for row, col in (("TriviaQA", "Winogrande"), ("IMDB", "HotpotQA"), ("Winogrande", "TriviaQA")):
        page.mouse.move(1, 1)  # off the plot: the last hover closes first
        page.wait_for_selector(f"{HEATMAP_PLOT} .hoverlayer .hovertext", state="detached", timeout=10_000)
        text, value = hover_cell(page, row, col), shown[at[0][row], at[1][col]]
        assert f"Train: {row}" in text and f"{plot_text(matrix.metric)}: {_d3_fixed(float(value), 4)}" in text


def test_switching_dataset_updates_heatmap_and_url(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    before = heatmap_data(page)["z"]
    choose_dropdown(page, ids.DATASET, "Llama-3-8B: probe AUC minus logit baseline")
    page.wait_for_function("() => window.location.search.includes('llama-3-8b_auc-diff')")
    page.wait_for_function(
        f"""() => document.querySelector("{HEATMAP_PLOT}")._fullData[0].z[0][1] !== {before[0][1]}"""
    )
    assert abs(heatmap_data(page)["z"][0][0] - 0.06) < 1e-6  # Llama TriviaQA -> TriviaQA


def test_reload_with_auc_dataset_shows_zero_to_one_scale(live_server, page):
    page.goto(live_server.url + "/?dataset=mistral-7b-instruct_auc")
    wait_for_heatmap(page)
    data = heatmap_data(page)
    assert abs(data["z"][0][0] - 0.86) < 1e-6
    trace = page.evaluate(
        f"""() => {{ const t = document.querySelector("{HEATMAP_PLOT}")._fullData[0]; return [t.zmin, t.zmax]; }}"""
    )
    assert trace == [0, 1]
    assert "probe AUC" in page.inner_text(f"#{ids.DATASET_INFO}")


def test_unknown_dataset_shows_default_with_a_notice(live_server, page):
    page.goto(live_server.url + "/?dataset=does-not-exist")
    wait_for_heatmap(page)
    assert "Unknown dataset 'does-not-exist'" in page.inner_text(f"#{ids.NOTICES}")
    assert "dataset=mistral-7b-instruct_auc-diff" in query_of(page)
