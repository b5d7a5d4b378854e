"""The panel registry (components/registry.py) is what the app, the page and a link's arrival
read: its tabs are the link's `tab` values, and its panels are the ones registered."""

from __future__ import annotations

import pytest

from components import ids, registry
from transfer.viewstate import TABS, ViewState

from test_arrival import arrived


def test_the_tabs_are_the_links_tab_values_in_order():
    assert tuple(tab.id for tab in registry.TABS) == TABS
    assert ViewState().tab == registry.TABS[0].id == ids.HEATMAP_TAB


@pytest.mark.parametrize("panel", registry.PANELS, ids=lambda panel: panel.module.__name__)
def test_every_panel_registers_and_those_drawn_on_arrival_have_their_content(panel):
    assert callable(panel.module.register) and callable(panel.module.layout)
    assert callable(getattr(panel.module, "initial", None)) == panel.drawn_on_arrival


def test_the_page_lays_out_the_registrys_tabs(client):
    tabs = arrived(client, None)[(ids.TABS, "children")]
    shown = [(tab["props"]["tab_id"], tab["props"]["label"]) for tab in tabs]
    assert shown == [(tab.id, tab.label) for tab in registry.TABS]
