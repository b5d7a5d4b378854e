"""The dendrogram tab and the cut: hover and click all along every branch, what a branch above the
cut says, the k box applying on Enter (and Tab), and no slider tooltip left over the card."""

from __future__ import annotations

import math

import numpy as np
import pytest

from components import clustering as card
from components import ids
from transfer.cluster_figures import COLOUR_TRACES, HOVER_STEPS, colour_slot, dendrogram_figure
from transfer.clustering import ClusterOptions, cluster_matrix, tree_links
from transfer.matrix import TransferMatrix

from callbacks import CALLBACK_PATH

DENDROGRAM_PLOT = f"#{ids.DENDROGRAM} .js-plotly-plot"


def tasks(n: int, seed: int = 0) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    labels = [f"task{i}" for i in range(n)]
    values = rng.normal(size=(n, n)) + np.repeat(np.arange(4), -(-n // 4))[:n, None]
    return TransferMatrix(rows=labels, cols=labels, values=values)


def pieces(trace) -> list[np.ndarray]:
    """The (height, position) points of each NaN-separated piece of a tab trace (leaves run down y)."""
    xs, ys = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
    out, start = [], 0
    for i in np.flatnonzero(np.isnan(xs)).tolist() + [len(xs)]:
        if i > start:
            out.append(np.column_stack([xs[start:i], ys[start:i]]))
        start = i + 1
    return out


def segments_of(links, j: int) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Link j's two legs and its bar as ((height, position), (height, position)) ends."""
    (xa, _, xb, _), (ha, h, _, hb) = links.x[j], links.height[j]
    return [((ha, xa), (h, xa)), ((h, xa), (h, xb)), ((h, xb), (hb, xb))]


@pytest.mark.parametrize("n, method, k", [(12, "average", 3), (60, "single", 4), (60, "ward", 9), (200, "complete", 5)])
def test_hover_points_run_all_along_every_link(n, method, k):
    clustering = cluster_matrix(tasks(n), ClusterOptions(method, "euclidean", "both"))
    tree, fig = clustering.rows, dendrogram_figure(clustering, k)
    links = tree_links(tree, tree.cut(k))
    steps = np.array([float(tree.linkage[:, 2].max()) / HOVER_STEPS, (n - 1) / HOVER_STEPS])
    for slot in range(COLOUR_TRACES):
        trace = fig.data[slot]
        mine = [j for j, c in enumerate(links.cluster) if colour_slot(c) == slot]
        drawn = pieces(trace)
        assert len(drawn) == len(mine)  # one piece per link
        for points in drawn:
            gaps = np.abs(np.diff(points, axis=0))
            assert np.all((gaps[:, 0] == 0) | (gaps[:, 1] < 1e-6))  # axis-parallel steps only
            assert np.all(gaps <= steps * (1 + 1e-5))  # never more than a step apart
        # every spot of every link lies within half a step of one of its points
        every = np.concatenate(drawn) if drawn else np.empty((0, 2))
        for j in mine:
            for (h0, p0), (h1, p1) in segments_of(links, j):
                for t in (0.0, 0.37, 0.5, 0.81, 1.0):
                    spot = np.array([h0 + (h1 - h0) * t, p0 + (p1 - p0) * t])
                    nearest = np.min(np.max(np.abs(every - spot) / steps, axis=1))
                    assert nearest <= 0.5 + 1e-4, (slot, j, t)


def test_every_point_of_a_cluster_hovers_and_clicks_as_that_cluster():
    clustering = cluster_matrix(tasks(40))
    fig = dendrogram_figure(clustering, 4)
    for slot in range(1, COLOUR_TRACES):
        trace = fig.data[slot]
        if not len(trace.x):
            continue
        assert trace.hovertemplate == "Cluster %{customdata}<extra></extra>"
        assert len(trace.customdata) == len(trace.x)
        for x, value in zip(trace.x, trace.customdata):
            assert (value is None) == math.isnan(x)
            if value is not None:
                assert colour_slot(value) == slot
                point = {"points": [{"curveNumber": slot, "customdata": value}]}
                assert card.clicked_cluster(point) == value


def test_a_branch_above_the_cut_says_which_clusters_it_joins():
    clustering = cluster_matrix(tasks(40))
    fig = dendrogram_figure(clustering, 3)
    above = fig.data[0]
    assert above.hovertemplate == "Above the cut: joins clusters %{customdata[0]} and %{customdata[1]}<extra></extra>"
    joins = {tuple(pair) for pair in above.customdata if pair is not None}
    # two links above a cut into 3: the root joins all three, the other two of them
    assert len(joins) == 2
    assert joins in ({("1", "2"), ("1–2", "3")}, {("2", "3"), ("1", "2–3")})
    texts = [str(t.hovertemplate) for t in fig.data]
    assert not any("Cluster 0" in t or "cluster 0" in t for t in texts)
    # a click above the cut selects nothing
    assert card.clicked_cluster({"points": [{"curveNumber": 0, "customdata": ["1", "2"]}]}) is None


def test_an_uncut_tree_hovers_as_uncut_and_offers_nothing_to_select():
    clustering = cluster_matrix(tasks(20))
    fig = dendrogram_figure(clustering, None)
    for trace in fig.data[:COLOUR_TRACES]:
        assert trace.customdata is None
        assert "not cut" in trace.hovertemplate
    leaves = fig.data[COLOUR_TRACES]
    assert leaves.customdata is None and "cluster" not in leaves.hovertemplate


def test_the_tab_stays_cheap_at_1000_tasks():
    from plotly.io.json import to_json_plotly

    clustering = cluster_matrix(tasks(1000), ClusterOptions("single", "euclidean", "both"))
    fig = dendrogram_figure(clustering, 8)
    points = sum(len(t.x) for t in fig.data[:COLOUR_TRACES])
    assert points < 60 * 999  # a few dozen points a link at most
    assert len(to_json_plotly(fig)) < 1_000_000


# --- the cut's number box -------------------------------------------------------------------


def test_the_slider_sits_in_a_form_that_enter_submits_and_has_no_tooltip():
    form = card.cut_form()
    slider = next(c for c in form._traverse() if getattr(c, "id", None) == ids.CLUSTER_K)
    assert getattr(slider, "tooltip", None) is None
    assert getattr(slider, "allow_direct_input", True) is not False  # Dash 4's number box stays
    submit = [c for c in form._traverse() if getattr(c, "type", None) == "submit"]
    assert len(submit) == 1 and form.id == ids.CLUSTER_K_FORM


@pytest.mark.parametrize(
    "typed, k", [(4, 4), (4.0, 4), (1, 1), (0, None), (None, None), ("7", None), (float("nan"), None), (True, None)],
)
def test_typed_cut(typed, k):
    assert card.typed_cut(typed) == k


def submit_body(app, drag_value) -> dict:
    (key,) = [k for k, cb in app.callback_map.items() if any(i["id"] == ids.CLUSTER_K_FORM for i in cb["inputs"])]
    return {
        "output": key,
        "outputs": {"id": ids.CLUSTER_K, "property": "value"},
        "inputs": [{"id": ids.CLUSTER_K_FORM, "property": "n_submit", "value": 1}],
        "state": [{"id": ids.CLUSTER_K, "property": "drag_value", "value": drag_value}],
        "changedPropIds": [f"{ids.CLUSTER_K_FORM}.n_submit"],
    }


def test_submitting_the_form_commits_the_typed_k(app, client):
    response = client.post(CALLBACK_PATH, json=submit_body(app, 4))
    assert response.status_code == 200
    assert response.get_json()["response"][ids.CLUSTER_K]["value"] == 4
    assert client.post(CALLBACK_PATH, json=submit_body(app, None)).status_code == 204


# --- in Chromium ----------------------------------------------------------------------------


K_BOX = f"#{ids.CLUSTER_K} input[type=number]"


def test_typing_k_and_pressing_enter_or_tab_applies_it(live_server, page):
    page.goto(live_server.url + "/?tab=dendrogram")
    page.wait_for_selector(f"{DENDROGRAM_PLOT} .scatterlayer")
    box = page.locator(K_BOX)
    box.fill("4")
    box.press("Enter")
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('k') === '4'", timeout=15_000)
    page.wait_for_selector(f"#{ids.CLUSTER_MEMBERS} .list-group-item >> nth=3")
    assert box.evaluate("e => document.activeElement === e")  # Enter leaves the focus in the box
    box.fill("2")
    box.press("Tab")
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('k') === '2'", timeout=15_000)
    # a k the slider cannot take: the browser says so and nothing is applied
    box.fill("0")
    box.press("Enter")
    page.wait_for_timeout(500)
    assert "k=2" in page.evaluate("() => window.location.search")
    assert box.evaluate("e => !e.validity.valid")


def test_no_tooltip_is_left_over_the_card_after_a_drag(live_server, page):
    page.goto(live_server.url + "/")
    thumb = page.locator(f"#{ids.CLUSTER_K} [role=slider]")
    thumb.wait_for()
    box = thumb.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('k') !== null", timeout=15_000)
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "slider"  # the handle keeps focus
    assert page.locator(f"#{ids.CLUSTER_K} .dash-slider-tooltip").count() == 0
    # the number box shows the value instead
    k = page.evaluate("() => new URLSearchParams(window.location.search).get('k')")
    assert page.locator(K_BOX).input_value() == k


# The middle of the widest gap between two hover points of a piece of trace `index` (one leg or
# bar of a link, as pixels on the page), where hover is hardest to reach.
_WORST_SPOT = """([selector, index, wantBar]) => {
  const gd = document.querySelector(selector), L = gd._fullLayout, box = gd.getBoundingClientRect();
  const t = gd._fullData[index], xs = Array.from(t.x), ys = Array.from(t.y);
  let best = null;
  for (let i = 0; i + 1 < xs.length; i++) {
    if (isNaN(xs[i]) || isNaN(xs[i + 1])) continue;
    const bar = xs[i] === xs[i + 1];  // heights run along x: a bar keeps its height
    if (bar !== wantBar) continue;
    const a = [L.xaxis.l2p(xs[i]), L.yaxis.l2p(ys[i])], b = [L.xaxis.l2p(xs[i + 1]), L.yaxis.l2p(ys[i + 1])];
    const gap = Math.hypot(a[0] - b[0], a[1] - b[1]);
    if (!best || gap > best.gap) {
      best = {gap: gap, x: box.left + L.xaxis._offset + (a[0] + b[0]) / 2,
              y: box.top + L.yaxis._offset + (a[1] + b[1]) / 2, cluster: t.customdata ? t.customdata[i] : null};
    }
  }
  return best;
}"""


def hover_text(page, spot: dict) -> str:
    page.mouse.move(spot["x"] + 6, spot["y"] + 6)  # into the plot, then onto the spot as a hand would
    page.mouse.move(spot["x"], spot["y"], steps=3)
    page.wait_for_selector(f"{DENDROGRAM_PLOT} .hoverlayer .hovertext", timeout=5_000)
    return page.evaluate(f"""() => document.querySelector("{DENDROGRAM_PLOT} .hoverlayer .hovertext").textContent""")


def test_hover_and_click_work_along_the_branches(live_server, page):
    page.goto(live_server.url + "/?k=3&tab=dendrogram")
    page.wait_for_selector(f"{DENDROGRAM_PLOT} .scatterlayer")
    page.wait_for_selector(f"#{ids.CLUSTER_MEMBERS} .list-group-item >> nth=2")
    filled = page.evaluate(f"""() => document.querySelector("{DENDROGRAM_PLOT}")._fullData.slice(1, {COLOUR_TRACES})
                                  .map((t, i) => [i + 1, t.x.length]).filter(p => p[1] > 0).map(p => p[0])""")
    slot = filled[0]
    leg = page.evaluate(_WORST_SPOT, [DENDROGRAM_PLOT, slot, False])
    assert leg["gap"] > 4  # between two points, not on one
    assert hover_text(page, leg) == f"Cluster {leg['cluster']}"
    bar = page.evaluate(_WORST_SPOT, [DENDROGRAM_PLOT, 0, True])  # a bar above the cut
    page.mouse.move(5, 5)
    page.wait_for_timeout(200)
    assert hover_text(page, bar).startswith("Above the cut: joins clusters ")
    # a click in the middle of the leg selects its cluster
    page.mouse.move(5, 5)
    page.wait_for_timeout(350)
    page.mouse.click(leg["x"], leg["y"])
    page.wait_for_function(
        f"() => new URLSearchParams(window.location.search).get('cluster') === '{leg['cluster']}'", timeout=15_000,
    )
    # a click above the cut selects nothing
    page.wait_for_timeout(400)
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_timeout(800)
    assert f"cluster={leg['cluster']}" in page.evaluate("() => window.location.search")
