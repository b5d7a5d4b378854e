"""What the first screen does not show waits for the heatmap: the insights are asked for once it
is drawn and the page idle, and the hidden dendrogram tab's empty graph is drawn then too. A
dendrogram tab opened before the page was ever idle draws the held empty graph at once, then its
tree, which takes clicks."""

from __future__ import annotations

from test_browser_clustering import DENDROGRAM_PLOT, branch_point, members

from components import ids

from browser import HEATMAP_PLOT, wait_for_heatmap

# When the heatmap is first drawn, whether the dendrogram's graph had been drawn by then, and when
# each callback request was sent (its outputs), all in performance.now() of the page.
RECORD_JS = f"""
window.__load = {{heatmap: null, dendrogramThen: null, requests: []}};
const fetchBefore = window.fetch;
window.fetch = function (url, init) {{
  if (String(url).includes("_dash-update-component") && init && typeof init.body === "string") {{
    window.__load.requests.push([performance.now(), JSON.parse(init.body).output]);
  }}
  return fetchBefore.apply(this, arguments);
}};
(function poll() {{
  const gd = document.querySelector("{HEATMAP_PLOT}");
  if (gd && gd._fullLayout && gd.querySelector("g.hm image")) {{
    const tree = document.querySelector("{DENDROGRAM_PLOT}");
    window.__load.heatmap = performance.now();
    window.__load.dendrogramThen = !!(tree && tree._fullLayout);
    return;
  }}
  requestAnimationFrame(poll);
}})();
"""
INSIGHTS_OUTPUT = f"..{ids.INSIGHTS}.children...{ids.INSIGHT_TARGETS}.data.."


def test_insights_and_the_hidden_dendrogram_wait_for_the_heatmap(live_server, page):
    page.add_init_script(RECORD_JS)
    page.goto(live_server.url + "/")
    wait_for_heatmap(page)
    page.locator(f"#{ids.INSIGHTS}").get_by_text("Strongest negative off-diagonal transfers").wait_for()
    page.wait_for_function(f"() => !!document.querySelector('{DENDROGRAM_PLOT}')?._fullLayout")
    record = page.evaluate("() => window.__load")
    asked = [at for at, output in record["requests"] if output == INSIGHTS_OUTPUT]
    assert record["heatmap"] is not None
    assert len(asked) == 1 and asked[0] > record["heatmap"], record
    assert record["dendrogramThen"] is False  # drawn later, when the page was idle
    # the tab then shows its tree as before
    page.get_by_role("tab", name="Dendrogram").click()
    page.wait_for_selector(f"{DENDROGRAM_PLOT} .scatterlayer .trace")


def test_a_dendrogram_opened_before_the_page_is_idle_draws_and_takes_clicks(live_server, page):
    # the page is never idle: the held drawing runs when the tab shows the graph
    page.add_init_script("window.requestIdleCallback = function () { return 0; };")
    page.goto(live_server.url + "/?k=3")
    wait_for_heatmap(page)
    assert page.evaluate(f"() => !document.querySelector('{DENDROGRAM_PLOT}')?._fullLayout")
    page.get_by_role("tab", name="Dendrogram").click()
    page.wait_for_selector(f"{DENDROGRAM_PLOT} .scatterlayer .trace")
    page.wait_for_selector(f"#{ids.CLUSTER_MEMBERS} .list-group-item >> nth=2")
    target = next(i for i, g in enumerate(members(page)) if "Winobias" in g) + 1
    point = branch_point(page, "Winobias", target)
    assert point is not None
    page.wait_for_timeout(350)
    page.mouse.click(point["x"], point["y"])  # the graph's click events were bound after the tree's drawing
    page.wait_for_function(f"() => window.location.search.includes('cluster={target}')")
