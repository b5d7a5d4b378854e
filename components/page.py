"""The page skeleton: panels composed into one responsive layout."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from web import services

from . import annotations, breakdown, clustering, compare, header, ids, insights, registry, state, thresholds, upload


def layout() -> html.Div:
    """The page, drawn for its link: every control, the heatmap and the panels' server-side
    content already show the view, so the browser draws it without a round of callbacks (which
    would start only after Dash has rendered the empty page). Content drawn in the browser
    (breakdown panels, highlight) comes from the initial calls of its clientside callbacks."""
    page = skeleton()
    view = services.link_view()
    if view is not None:
        wanted: dict[str, dict] = {}
        for (component_id, prop), value in registry.arrival(view, services.link_query()).items():
            wanted.setdefault(component_id, {})[prop] = value
        for component in page._traverse():
            component_id = getattr(component, "id", None)
            for prop, value in wanted.get(component_id, {}).items() if isinstance(component_id, str) else ():
                # a prop left unset stays unset: a Store given data=None reports a change on mount
                if value is not None or getattr(component, prop, None) is not None:
                    setattr(component, prop, value)
    return page


def view_stores() -> list:
    """The view state's stores (components/state.py, assets/view.js)."""
    return [
        dcc.Store(id=ids.VIEW),
        dcc.Store(id=ids.VIEW_REQUEST),
        dcc.Store(id=ids.VIEW_ANSWER),
        dcc.Store(id=ids.VIEW_OPEN),
        dcc.Store(id=ids.VIEW_SPEC, data=state.view_spec()),
        dcc.Store(id=ids.CATALOGUE, data=state.catalogue()),
        dcc.Store(id=ids.REMEMBERED, storage_type="local", data=[]),
    ]


def skeleton() -> html.Div:
    return html.Div(
        [
            *view_stores(),
            header.layout(),
            dbc.Container(
                [
                    html.Div(id=ids.NOTICES),
                    header.info_layout(),
                    dbc.Row(
                        [
                            dbc.Col(
                                dbc.Tabs(
                                    [dbc.Tab(tab.layout(), label=tab.label, tab_id=tab.id) for tab in registry.TABS],
                                    id=ids.TABS,
                                    active_tab=ids.HEATMAP_TAB,
                                ),
                                lg=7,
                                className="mb-2",
                            ),
                            # Controls and side panels, stacked: thresholds, row/column breakdowns,
                            # clustering, tasks (annotations), comparison, insights.
                            dbc.Col(
                                [thresholds.layout(), breakdown.layout(), clustering.layout(), annotations.layout(),
                                 compare.layout(),
                                 insights.layout(), upload.layout(), html.Div(id=ids.REMEMBERED_LIST)],
                                lg=5,
                                className="mb-2 tmx-side d-flex flex-column gap-2",
                            ),
                        ],
                        className="g-2",
                    ),
                ],
                fluid=True,
            ),
        ]
    )
