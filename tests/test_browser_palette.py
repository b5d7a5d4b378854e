"""Colours in real Chromium: the "Colours" select changes the heatmap's and the breakdown bars'
colours, the link carries `palette=`, Back restores the palette before, a fresh page on the link
shows it; a matrix without a neutral value is drawn sequential (its own palettes offered), and a
neutral value of 0.6 on a fixed 0..1 scale puts the centre colour at 0.6 in the bars too."""

from __future__ import annotations

import numpy as np
from plotly.colors import sample_colorscale

from components import ids
from transfer import palettes
from transfer.matrix import TransferMatrix
from transfer.parsing import parse_matrix

from browser import (
    HEATMAP_PLOT,
    click_cell,
    panel_bars,
    query_of,
    save_screenshot,
    wait_for_heatmap,
    wait_for_panels,
)
from link_checks import PageWatch, check_link_is_view, settle

DIFF = "mistral-7b-instruct_auc-diff"
LABELS = ["TriviaQA", "HotpotQA", "Movies", "Winobias", "Winogrande", "NLI", "IMDB", "Math", "HotpotQA_WC", "NQ_WC"]

TRACE_JS = f"""() => {{ const t = document.querySelector("{HEATMAP_PLOT}")._fullData[0];
  return {{colorscale: t.colorscale, zmin: t.zmin, zmax: t.zmax}}; }}"""


def drawn(page) -> dict:
    return page.evaluate(TRACE_JS)


def wait_for_palette(page, name: str) -> None:
    """Until the cells trace is drawn with the colours of palette `name` (and no other's)."""
    colours = sorted({colour for _, colour in palettes.PALETTES[name].stops})
    page.wait_for_function(
        f"""(colours) => {{ const gd = document.querySelector("{HEATMAP_PLOT}");
              const t = gd && gd._fullData && gd._fullData[0];
              return !!t && t.colorscale.every(s => colours.includes(s[1])); }}""",
        arg=colours, timeout=20_000,
    )


def expected_colour(trace: dict, value: float) -> str:
    """The colour plotly's own sampling gives `value` on the drawn trace, as breakdown.js writes it."""
    position = (value - trace["zmin"]) / (trace["zmax"] - trace["zmin"])
    rgb = sample_colorscale([list(stop) for stop in trace["colorscale"]], [min(max(position, 0), 1)],
                            colortype="tuple")[0]
    return "rgb({},{},{})".format(*(round(255 * c) for c in rgb))


def close(colour: str, other: str, slack: int = 1) -> bool:
    a, b = (tuple(int(c) for c in text[4:-1].split(",")) for text in (colour, other))
    return all(abs(x - y) <= slack for x, y in zip(a, b))


def assert_bars_follow(page, axis: str = "row") -> dict:
    bars, trace = panel_bars(page, axis), drawn(page)
    wrong = [(label, value, colour, expected_colour(trace, value))
             for label, value, colour in zip(bars["labels"], bars["values"], bars["colors"])
             if value is not None and not close(colour, expected_colour(trace, value))]
    assert not wrong, f"bars not in the heatmap's colours (label, value, drawn, expected): {wrong}"
    return bars


def test_colours_select_link_back_fresh_page_sequential_and_a_moved_centre(live_server, page, app):
    PageWatch.attach(page)
    datasets = app.server.config["TMX_DATASETS"]
    # A diverging matrix: RdBu by default; choosing PuOr recolours the heatmap and the bars.
    page.goto(f"{live_server.url}/?dataset={DIFF}&row=NLI&col=TriviaQA")
    wait_for_heatmap(page)
    wait_for_panels(page, "NLI", "TriviaQA")
    select = page.locator(f"#{ids.PALETTE}")
    assert select.is_visible() and page.locator(f"label[for={ids.PALETTE}]").inner_text() == "Colours"
    offered = select.locator("option:not([value=''])")
    assert offered.all_inner_texts() == [palettes.PALETTES[n].label for n in ("rdbu", "puor", "brbg")]
    wait_for_palette(page, "rdbu")
    before = assert_bars_follow(page)
    select.select_option("puor")
    wait_for_palette(page, "puor")
    settle(page)
    assert "palette=puor" in query_of(page)
    seen, api = check_link_is_view(page, live_server.url, "after choosing PuOr")
    assert (seen["palette"], seen["palette_drawn"], api["displayed"]["palette"]) == ("puor", "puor", "puor")
    page.wait_for_function(
        f"""(old) => {{ const rect = document.querySelector("#{ids.BREAKDOWN_ROW_BARS} g.tmx-bar rect");
                       return rect && rect.getAttribute("fill") !== old; }}""",
        arg=before["colors"][0], timeout=10_000,
    )
    after = assert_bars_follow(page)
    assert after["labels"] == LABELS and after["colors"] != before["colors"]
    # Back: the palette before, in the link, the select and the colours
    page.go_back()
    wait_for_palette(page, "rdbu")
    settle(page)
    assert "palette=" not in query_of(page) and select.input_value() == "default"
    check_link_is_view(page, live_server.url, "after Back")
    # A fresh page on a link with a palette shows it
    fresh = page.context.new_page()
    PageWatch.attach(fresh)
    fresh.goto(f"{live_server.url}/?dataset={DIFF}&palette=brbg&row=NLI")
    wait_for_heatmap(fresh)
    wait_for_palette(fresh, "brbg")
    settle(fresh)
    assert fresh.locator(f"#{ids.PALETTE}").input_value() == "brbg"
    check_link_is_view(fresh, live_server.url, "a fresh page on the link")
    fresh.close()

    # A matrix without a neutral value (accuracies 0..99): sequential, viridis and cividis offered.
    accuracy = parse_matrix(b"# metric: accuracy\nt,A,B,C\nA,60,99,0\nB,0,70,45\nC,80,12.5,30\n")
    accuracy_id = datasets.put(accuracy)
    page.goto(f"{live_server.url}/?dataset={accuracy_id}&row=A&col=B")
    wait_for_heatmap(page)
    wait_for_palette(page, "viridis")
    settle(page)
    trace = drawn(page)
    assert (trace["zmin"], trace["zmax"]) == (0, 99)
    assert offered.all_inner_texts() == ["Viridis", "Cividis"]
    assert "no neutral value" in page.inner_text(f"#{ids.THRESHOLD_NEUTRAL}")
    assert "accuracy · no neutral value · 3 train x 3 test" in page.inner_text(f"#{ids.DATASET_INFO}")
    select.select_option("cividis")
    wait_for_palette(page, "cividis")
    settle(page)
    assert "palette=cividis" in query_of(page)
    check_link_is_view(page, live_server.url, "a sequential matrix in cividis")
    wait_for_panels(page, "A", "B")
    save_screenshot(page, "palette-sequential.png")
    bars = assert_bars_follow(page)
    lowest = bars["colors"][bars["values"].index(0.0)]
    assert close(lowest, "rgb({},{},{})".format(*(int(palettes.PALETTES["cividis"].stops[0][1][k:k + 2], 16)
                                                    for k in (1, 3, 5))))  # the bottom of the scale

    # A neutral value of 0.6 on AUC's fixed 0..1 scale: the centre colour at 0.6, bars included.
    values = np.array([[0.6, 0.9, 0.3], [0.55, 0.6, 0.75], [0.62, 0.4, 0.6]])
    shifted = TransferMatrix(rows=("A", "B", "C"), cols=("A", "B", "C"), values=values, name="AUC, neutral 0.6",
                             metric="AUC", neutral=0.6, scale=(0.0, 1.0))
    page.goto(f"{live_server.url}/?dataset={datasets.put(shifted)}")
    wait_for_heatmap(page)
    wait_for_palette(page, "rdbu")
    click_cell(page, "A", "A")
    wait_for_panels(page, "A", "A")
    bars = assert_bars_follow(page)
    assert close(bars["colors"][0], "rgb(247,247,247)")  # A -> A is 0.6: the white point
    assert not close(bars["colors"][1], "rgb(247,247,247)", slack=10)
    assert page.watch.errors == []
