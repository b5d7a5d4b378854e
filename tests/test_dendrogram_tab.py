"""The dendrogram tab's figure and member list are computed and sent only while the tab is open
(the clustering card's `describe` callback, through the real Dash endpoint)."""

from __future__ import annotations

from components import ids

from callbacks import CALLBACK_PATH, callback_body

CUT = f"{ids.CLUSTER_K}.value"


def describe_key(app) -> str:
    (key,) = [k for k in app.callback_map if f"{ids.DENDROGRAM}.figure" in k and "@" not in k]
    return key


def post(client, app, tab: str, changed: str):
    values = {ids.TABS: tab, ids.CLUSTER_K: 3, ids.CLUSTER_ORDER: "cluster", ids.VIEW: f"order=cluster&k=3&tab={tab}"}
    return client.post(CALLBACK_PATH, json=callback_body(app, describe_key(app), values, changed=changed))


def test_dendrogram_is_not_sent_while_its_tab_is_closed(app, client):
    response = post(client, app, "heatmap", ids.CLUSTER_K)
    assert response.status_code == 200
    answer = response.get_json()["response"]
    assert set(answer) == {ids.CLUSTER_K, ids.CLUSTER_INFO}  # the card's slider and info only
    assert answer[ids.CLUSTER_K]["max"] > 3 and "Cophenetic" in str(answer[ids.CLUSTER_INFO])


def test_opening_the_tab_draws_the_dendrogram_for_the_current_view(app, client):
    answer = post(client, app, "dendrogram", ids.TABS).get_json()["response"]
    assert set(answer) == {ids.DENDROGRAM, ids.CLUSTER_MEMBERS}  # the card is up to date already
    figure = answer[ids.DENDROGRAM]["figure"]
    assert len(figure["data"]) > 3 and figure["layout"]["shapes"]  # coloured links and the cut line at k=3
    assert str(answer[ids.CLUSTER_MEMBERS]).count("Cluster ") == 3


def test_leaving_the_tab_sends_nothing_and_a_cut_on_the_open_tab_redraws_it(app, client):
    assert post(client, app, "heatmap", ids.TABS).status_code == 204
    answer = post(client, app, "dendrogram", ids.CLUSTER_K).get_json()["response"]
    assert set(answer) == {ids.CLUSTER_K, ids.CLUSTER_INFO, ids.DENDROGRAM, ids.CLUSTER_MEMBERS}
