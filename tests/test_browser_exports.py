"""The heatmap's PNG and SVG and the CSV download of a comparison under a normalisation, in real
Chromium: each file is named after what the view is (transfer/exports.py view_filename), the SVG
and the CSV carry its title (view_title), the page's own figure stays untitled, and the CSV reads
back through the parser."""

from __future__ import annotations

import re

import numpy as np

from components import ids
from transfer.exports import view_filename, view_title
from transfer.figures import HeatmapImage
from transfer.parsing import parse_matrix
from transfer.view import view_from_query
from web.services import DATASETS_KEY

from browser import HEATMAP_PLOT, wait_for_heatmap

QUERY = "dataset=mistral-7b-instruct_auc-diff&compare=mistral-7b_auc-diff&norm=zrow"


def download(page, button: str):
    with page.expect_download() as info:
        page.click(f"#{button}")
    return info.value


def test_exports_are_named_and_titled_for_the_view(app, live_server, page):
    view = view_from_query(app.server.config[DATASETS_KEY], QUERY)
    title, stem = view_title(view), view_filename(view)
    assert "minus" in title and "z-score per row" in title and stem.endswith("-norm-zrow")

    page.goto(f"{live_server.url}/?{QUERY}")
    wait_for_heatmap(page)

    svg = download(page, ids.DOWNLOAD_SVG)
    assert svg.suggested_filename == f"{stem}.svg"
    text = open(svg.path(), encoding="utf-8").read()
    assert f">{title}</text>" in text  # laid in as the figure's title, plain text
    on_page = page.evaluate(f"""() => Array.from(document.querySelectorAll("{HEATMAP_PLOT} text"))
                                         .map(t => t.textContent)""")
    assert on_page and title not in on_page  # laid into the exported copy only

    png = download(page, ids.DOWNLOAD_PNG)
    assert png.suggested_filename == f"{stem}.png"
    assert open(png.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"

    csv = download(page, ids.DOWNLOAD_CSV)
    assert csv.suggested_filename == f"{stem}.csv"
    content = open(csv.path(), encoding="utf-8").read()
    assert content.splitlines()[0] == f"# title: {title}"
    back = parse_matrix(content.encode(), filename=csv.suggested_filename)
    assert back.rows == view.matrix.rows and back.cols == view.matrix.cols
    assert np.allclose(back.values, view.matrix.values, equal_nan=True, atol=1e-12)


def test_an_export_keeps_the_threshold_highlight(live_server, page):
    """The fade over cells no threshold highlights (a layout image) and the outlines (layout
    shapes) are drawn in the SVG as on the page."""
    page.goto(f"{live_server.url}/?pos=0.1&neg=-0.1")
    wait_for_heatmap(page)
    page.wait_for_function(f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').textContent.includes('positive')")
    layout = page.evaluate(f"""() => {{ const l = document.querySelector("{HEATMAP_PLOT}").layout;
                                        return {{fade: l.images[{int(HeatmapImage.FADE)}].source,
                                                 outlines: l.shapes.slice(0, 2).map(s => s.path)}}; }}""")
    assert layout["fade"].startswith("data:image/png;base64,") and all(layout["outlines"])
    svg = open(download(page, ids.DOWNLOAD_SVG).path(), encoding="utf-8").read()
    assert layout["fade"] in svg
    assert len(re.findall(r'<path[^>]*data-index="[01]"', svg)) == 2
