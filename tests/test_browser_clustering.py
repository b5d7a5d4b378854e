"""Clustering in real Chromium: cluster order with its dendrogram, a cut, a clicked cluster, the link."""

from __future__ import annotations

from components import ids
from transfer.cluster_figures import COLOUR_TRACES, FIRST_MARGIN_TRACE
from transfer.figures import HeatmapShape

from browser import (
    HEATMAP_PLOT,
    drawn_highlight,
    heatmap_data,
    hover_cell,
    query_of,
    save_screenshot,
    wait_for_heatmap,
    wait_for_order,
)

DENDROGRAM_PLOT = f"#{ids.DENDROGRAM} .js-plotly-plot"


def trace_xy(page, selector: str, index: int) -> dict:
    return page.evaluate(
        f"""() => {{ const t = document.querySelector("{selector}")._fullData[{index}];  // typed arrays decoded
                    return {{x: Array.from(t.x || []), y: Array.from(t.y || [])}}; }}"""
    )


def outline_box(page) -> list | None:
    """[left, right, top, bottom] in cell units of the cluster outline, None when there is none."""
    xy = drawn_highlight(page)["cluster"]
    xs, ys = [v for v in xy["x"] if v is not None], [v for v in xy["y"] if v is not None]
    return [min(xs), max(xs), min(ys), max(ys)] if xs else None


def members(page) -> list[list[str]]:
    """The member list as shown: one list of labels per cluster."""
    texts = page.locator(f"#{ids.CLUSTER_MEMBERS} .list-group-item").all_inner_texts()
    return [text.split(": ", 1)[1].split(", ") for text in texts]


def test_cluster_order_dendrogram_cut_click_and_link(live_server, page):
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    file_rows = heatmap_data(page)["rows"]
    page.get_by_label("Cluster order").check()
    page.wait_for_function("() => window.location.search.includes('order=cluster')")
    wait_for_order(page, cluster=True)
    rows = heatmap_data(page)["rows"]
    assert rows != file_rows and sorted(rows) == sorted(file_rows)
    assert abs(rows.index("Winobias") - rows.index("Winogrande")) == 1
    assert heatmap_data(page)["cols"] == rows  # one order for both axes: the diagonal stays put
    # the left dendrogram, uncut: one grey stroke (no gap) that reaches every row's leaf
    left = [trace_xy(page, HEATMAP_PLOT, FIRST_MARGIN_TRACE + i) for i in range(COLOUR_TRACES)]
    gap = lambda v: v is None or v != v  # noqa: E731  (NaN in a typed array; None once patched)
    strokes = lambda traces: [1 + sum(1 for v in t["y"] if gap(v)) for t in traces if t["y"]]  # noqa: E731
    assert strokes(left) == [1]
    assert {y for t in left for x, y in zip(t["x"], t["y"]) if x == 0} == set(range(len(rows)))
    # hover still reports labels in cluster order
    assert "Train: Winobias" in hover_cell(page, "Winobias", "Winogrande")

    # cut at k=3 (keyboard on the slider, as a person would)
    handle = page.locator(f"#{ids.CLUSTER_K} [role=slider]")
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('k=3')")
    # the cluster bands carry no labels: their cells sit on the rows' and columns' category indices
    band = FIRST_MARGIN_TRACE + 2 * COLOUR_TRACES
    page.wait_for_function(
        f"""() => (document.querySelector("{HEATMAP_PLOT}").data[{band}].z || []).length === {len(rows)}"""
    )
    edges = page.evaluate(f"""() => {{ const cd = document.querySelector("{HEATMAP_PLOT}").calcdata;
                                       return [Array.from(cd[{band}][0].y), Array.from(cd[{band + 1}][0].x)]; }}""")
    assert edges == [[i - 0.5 for i in range(len(rows) + 1)]] * 2
    # the cut tree: grey above the cut, one stroke per coloured cluster with links
    left = [trace_xy(page, HEATMAP_PLOT, FIRST_MARGIN_TRACE + i) for i in range(COLOUR_TRACES)]
    assert left[0]["y"] and 2 <= len(strokes(left)) <= 4 and set(strokes(left)) == {1}
    page.get_by_role("tab", name="Dendrogram").click()
    page.wait_for_selector(f"#{ids.CLUSTER_MEMBERS} .list-group-item >> nth=2")
    groups = members(page)
    assert len(groups) == 3 and sorted(sum(groups, [])) == sorted(rows)
    wino = next(i for i, g in enumerate(groups) if "Winobias" in g)
    assert "Winogrande" in groups[wino]
    assert "Cophenetic correlation 0.8" in page.inner_text(f"#{ids.CLUSTER_MEMBERS}")

    # click the cluster's entry: the URL names it and the heatmap outlines its block
    page.locator(f"#{ids.CLUSTER_MEMBERS} .list-group-item").nth(wino).click()
    page.wait_for_function(f"() => window.location.search.includes('cluster={wino + 1}')")
    page.get_by_role("tab", name="Heatmap").click()
    page.wait_for_function(
        f"""() => document.querySelector("{HEATMAP_PLOT}").layout.shapes[{int(HeatmapShape.CLUSTER)}].path"""
    )
    first = min(rows.index(label) for label in groups[wino])
    block = [first - 0.5, first + len(groups[wino]) - 0.5]
    assert outline_box(page) == [*block, *block]
    assert save_screenshot(page, "screenshot-clusters.png").stat().st_size > 10_000

    # the link reproduces the view
    link = query_of(page)
    assert "order=cluster" in link and "k=3" in link
    other = page.context.new_page()
    other.goto(live_server.url + "/" + link)
    wait_for_heatmap(other)
    other.wait_for_function(
        f"""() => document.querySelector("{HEATMAP_PLOT}").layout.shapes[{int(HeatmapShape.CLUSTER)}].path"""
    )
    assert heatmap_data(other)["rows"] == rows
    assert outline_box(other) == [*block, *block]
    other.close()


def branch_point(page, label: str, target: int) -> dict | None:
    """The page position of the elbow of the link that joins `label` to its neighbour in cluster
    `target` (a corner of the branch)."""
    return page.evaluate(
        f"""([label, target]) => {{ const gd = document.querySelector("{DENDROGRAM_PLOT}"), L = gd._fullLayout;
                    const labels = gd.data[{COLOUR_TRACES}].text, i = labels.indexOf(label);
                    for (const t of gd._fullData.slice(0, {COLOUR_TRACES})) {{
                      for (let p = 0; p < t.x.length; p++) {{
                        // a link's leg from the leaf (each link is a piece between NaN gaps,
                        // with points all along it): the elbow is the leg's highest point
                        if (t.y[p] !== i || t.x[p] !== 0 || !t.customdata || t.customdata[p] !== target) continue;
                        let first = p, last = p;
                        while (first > 0 && !isNaN(t.x[first - 1])) first--;
                        while (last + 1 < t.x.length && !isNaN(t.x[last + 1])) last++;
                        let h = 0;
                        for (let q = first; q <= last; q++) if (t.y[q] === i) h = Math.max(h, t.x[q]);
                        const box = gd.getBoundingClientRect();
                        return {{x: box.left + L.xaxis._offset + L.xaxis.l2p(h),
                                 y: box.top + L.yaxis._offset + L.yaxis.l2p(i)}};
                      }}
                    }}
                    return null; }}""",
        [label, target],
    )


def test_clicking_a_branch_in_the_dendrogram_selects_its_cluster(live_server, page):
    page.goto(live_server.url + "/?k=3&tab=dendrogram")
    page.wait_for_selector(f"{DENDROGRAM_PLOT} .scatterlayer")
    page.wait_for_selector(f"#{ids.CLUSTER_MEMBERS} .list-group-item >> nth=2")
    groups = members(page)
    target = next(i for i, g in enumerate(groups) if "Winobias" in g) + 1
    point = branch_point(page, "Winobias", target)
    assert point is not None
    page.wait_for_timeout(350)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function(f"() => window.location.search.includes('cluster={target}')")
    assert page.locator(f"#{ids.CLUSTER_MEMBERS} .list-group-item.active").inner_text().startswith(f"Cluster {target}")
