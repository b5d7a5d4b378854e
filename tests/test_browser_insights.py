"""Insights, comparisons and small multiples in real Chromium."""

from __future__ import annotations

import json

from components import ids

from browser import HEATMAP_PLOT, choose_dropdown, heatmap_data, hover_cell, query_of, wait_for_heatmap
from conftest import ROOT, get_json

BUNDLED = len(json.loads((ROOT / "data" / "catalog.json").read_text())["datasets"])  # all share the tasks

MINUS = "\u2212"


def test_insights_name_the_extremes_and_a_chip_selects_the_cell(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    panel = page.locator(f"#{ids.INSIGHTS}")
    panel.get_by_text("Strongest negative off-diagonal transfers").wait_for()
    text = panel.inner_text()
    assert f"Strongest negative off-diagonal transfers: NLI \u2192 TriviaQA ({MINUS}0.24)" in text
    assert "Strongest positive off-diagonal transfers: Winobias \u2192 Winogrande (0.12)" in text
    assert f"NLI is the specialist: 0.32 in-domain against {MINUS}0.13" in text
    page.wait_for_timeout(350)
    negative = panel.locator(".list-group-item", has_text="Strongest negative transfer")
    negative.get_by_role("button", name="NLI \u2192 TriviaQA", exact=True).click()
    page.wait_for_function("() => window.location.search.includes('row=NLI&col=TriviaQA')")
    assert "row=NLI&col=TriviaQA" in query_of(page)
    # The selection is part of the link: reopening it keeps the cell selected.
    page.goto(live_server.url + "/" + query_of(page))
    wait_for_heatmap(page)
    assert page.locator(f"#{ids.ROW}").inner_text().strip() == "NLI"


def test_compare_shows_the_difference_with_both_sources_in_the_hover(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    choose_dropdown(page, ids.COMPARE, "Llama-3-8B: probe AUC minus logit baseline")
    page.wait_for_function("() => window.location.search.includes('compare=llama-3-8b_auc-diff')")
    # TriviaQA -> TriviaQA: 0.11 (Mistral-7B-Instruct) minus 0.06 (Llama-3-8B).
    page.wait_for_function(
        f"""() => Math.abs(document.querySelector("{HEATMAP_PLOT}")._fullData[0].z[0][0] - 0.05) < 1e-6"""
    )
    zmin, zmax, scale = page.evaluate(
        f"""() => {{ const t = document.querySelector("{HEATMAP_PLOT}").data[0];
                     return [t.zmin, t.zmax, t.colorscale]; }}""")
    assert zmin == -zmax and [0.5, "#f7f7f7"] in scale  # a difference: white at 0, in the middle
    text = hover_cell(page, "TriviaQA", "TriviaQA")
    assert "Mistral-7B-Instruct: probe AUC minus logit baseline: 0.11" in text
    assert "Llama-3-8B: probe AUC minus logit baseline: 0.06" in text
    page.get_by_label("z-score per row").check()
    page.wait_for_function("() => window.location.search.includes('norm=zrow')")
    # The page draws what /api/view describes for the same link (z-scores of the difference).
    expected = get_json(live_server.url + "/api/view" + query_of(page))["values"][0][0]
    page.wait_for_function(
        f"""() => Math.abs(document.querySelector("{HEATMAP_PLOT}")._fullData[0].z[0][0] - {expected}) < 1e-5"""
    )
    assert abs(expected - 0.05) > 0.1


def test_small_multiples_share_a_scale_and_open_a_matrix(live_server, page):
    page.goto(live_server.url + "/?tab=multiples")
    page.locator(f"#{ids.MULTIPLES} .js-plotly-plot").nth(BUNDLED - 1).wait_for()
    assert page.locator(f"#{ids.MULTIPLES} .js-plotly-plot").count() == BUNDLED
    ranges = page.evaluate(
        f"""() => Array.from(document.querySelectorAll("#{ids.MULTIPLES} .js-plotly-plot"))
                  .map(gd => [gd._fullData[0].zmin, gd._fullData[0].zmax])"""
    )
    # The AUC-difference matrices on one symmetric scale, the three AUC matrices on 0..1.
    assert len({tuple(r) for r in ranges}) == 2 and [0, 1] in ranges
    page.wait_for_timeout(350)
    card = page.locator(f"#{ids.MULTIPLES} .card", has_text="Llama-3-8B: probe AUC minus logit baseline")
    card.get_by_role("button", name="Open").click()
    page.wait_for_function("() => window.location.search === '?dataset=llama-3-8b_auc-diff'")  # back on the heatmap tab
    wait_for_heatmap(page)
    # Llama-3-8B TriviaQA -> TriviaQA is 0.06 (Mistral-7B-Instruct's 0.11 must be gone).
    page.wait_for_function(
        f"""() => Math.abs(document.querySelector("{HEATMAP_PLOT}")._fullData[0].z[0][0] - 0.06) < 1e-6"""
    )
    assert abs(heatmap_data(page)["z"][0][0] - 0.06) < 1e-6
