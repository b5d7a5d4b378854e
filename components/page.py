"""The page skeleton: panels composed into one responsive layout."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from . import breakdown, clustering, compare, header, heatmap, ids, insights, multiples, thresholds, upload


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
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
                                [thresholds.layout(), breakdown.layout(), clustering.layout(), compare.layout(), insights.layout(), upload.layout()],
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
