"""The page skeleton: panels composed into one responsive layout."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from . import breakdown, clustering, compare, context, header, heatmap, ids, insights, multiples, state, thresholds, upload

# Panels whose load-time content comes from the server: `initial(view)` is their callbacks'
# answer for a view, as {(id, prop): value}.
DRAWN_ON_ARRIVAL = (state, header, heatmap, thresholds, upload, clustering, multiples)


def layout() -> html.Div:
    """The page, drawn for its link: every control, the heatmap and the panels' server-side
    content already show the view, so the browser draws it without a round of callbacks (which
    would start only after Dash has rendered the empty page). Content drawn in the browser
    (breakdown panels, highlight) comes from the initial calls of its clientside callbacks."""
    page = skeleton()
    view = context.link_view()
    if view is not None:
        wanted: dict[str, dict] = {}
        for panel in DRAWN_ON_ARRIVAL:
            arrival = panel.initial(view, context.link_query()) if panel is state else panel.initial(view)
            for (component_id, prop), value in arrival.items():
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
                                    [
                                        dbc.Tab(heatmap.layout(), label="Heatmap", tab_id="heatmap"),
                                        dbc.Tab(clustering.tab_layout(), label="Dendrogram", tab_id=clustering.DENDROGRAM_TAB),
                                        dbc.Tab(multiples.layout(), label="Small multiples", tab_id=multiples.TAB_ID),
                                    ],
                                    id=ids.TABS,
                                    active_tab="heatmap",
                                ),
                                lg=7,
                                className="mb-2",
                            ),
                            # Controls and side panels, stacked: thresholds, clustering,
                            # comparison, row/column breakdowns, insights.
                            dbc.Col(
                                [thresholds.layout(), breakdown.layout(), clustering.layout(), compare.layout(), insights.layout(), upload.layout(),
                                 html.Div(id=ids.REMEMBERED_LIST)],
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
