"""A link opens drawn (the page arrives with its view), in real Chromium: the layout holds the link's view, so
no callback sends the heatmap on load; the dropdowns' lists, plotly and the panels still arrive."""

from __future__ import annotations

import json

from components import ids

from browser import choose_dropdown, heatmap_data, wait_for_heatmap, wait_for_order, wait_for_panels

LINK = "/?dataset=mistral-7b-instruct_auc&order=cluster&k=3&row=NLI&col=TriviaQA&pos=0.75"


def callback_outputs(page) -> list[str]:
    """The outputs of every callback request the page sends from now on."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(json.loads(r.post_data)["output"]) if "_dash-update-component" in r.url else None,
    )
    return sent


def test_a_link_arrives_drawn_without_a_heatmap_callback(live_server, page):
    sent = callback_outputs(page)
    page.goto(live_server.url + LINK)
    wait_for_heatmap(page)
    wait_for_panels(page, "NLI", "TriviaQA")
    # the cluster order with its margins, the link's highlight and its counts
    wait_for_order(page, cluster=True)
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('positive transfer ≥ 0.75')"
    )
    page.wait_for_timeout(500)  # the load's callbacks, had any been sent
    assert not [output for output in sent if "heatmap.figure" in output]
    assert page.evaluate("() => window.location.search") == LINK[1:]
    # plotly ran once: the preloaded copy, not a second one from dcc.Graph
    plotly_scripts = "() => Array.from(document.scripts).filter(s => /plotly\\.|plotly-tmx/.test(s.src)).length"
    assert page.evaluate(plotly_scripts) == 1
    # the dropdowns list every label once the heatmap is drawn
    choose_dropdown(page, ids.ROW, "Winobias")
    wait_for_panels(page, "Winobias", "TriviaQA")
    page.wait_for_function("() => window.location.search.includes('row=Winobias')")


def test_a_layout_fetched_without_its_link_is_set_from_the_address_bar(live_server, page):
    # a browser (or proxy) that sends no Referer: the default view arrives, and `sync` sets the link's
    page.route(
        "**/_dash-layout",
        lambda route: route.continue_(
            headers={k: v for k, v in route.request.headers.items() if k.lower() != "referer"}),
    )
    page.goto(live_server.url + LINK)
    wait_for_panels(page, "NLI", "TriviaQA")
    wait_for_order(page, cluster=True)
    assert heatmap_data(page)["rows"] != sorted(heatmap_data(page)["rows"])
    page.wait_for_function(
        f"() => document.getElementById('{ids.THRESHOLD_COUNTS}').innerText.includes('positive transfer ≥ 0.75')"
    )
    assert page.evaluate("() => window.location.search") == LINK[1:]
