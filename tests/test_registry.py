"""The panel registry (components/registry.py) is what the app, the page and a link's arrival
read: its tabs are the link's `tab` values, and its panels are the ones registered."""

from __future__ import annotations

import pytest

from components import ids, registry
from transfer.viewstate import TABS, ViewState


def test_the_tabs_are_the_links_tab_values_in_order():
    assert tuple(tab.id for tab in registry.TABS) == TABS
    assert ViewState().tab == registry.TABS[0].id == ids.HEATMAP_TAB


@pytest.mark.parametrize("panel", registry.PANELS, ids=lambda panel: panel.module.__name__)
def test_every_panel_registers_and_those_drawn_on_arrival_have_their_content(panel):
    assert callable(panel.module.register) and callable(panel.module.layout)
    assert callable(getattr(panel.module, "initial", None)) == panel.drawn_on_arrival


def test_the_page_lays_out_the_registrys_tabs(client):
    layout = client.get("/_dash-layout").get_json()
    found = []

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            props = node.get("props", {}) if "type" in node else {}
            if props.get("id") == ids.TABS:
                found.extend((tab["props"]["tab_id"], tab["props"]["label"]) for tab in props["children"])
            for value in (props or node).values():
                walk(value)

    walk(layout)
    assert found == [(tab.id, tab.label) for tab in registry.TABS]
