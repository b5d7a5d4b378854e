"""The page skeleton: panels composed into one responsive layout."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from . import header, heatmap, ids


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
                            dbc.Col(heatmap.layout(), lg=8, className="mb-2"),
                            dbc.Col([], lg=4, className="mb-2 tmx-side"),
                        ],
                        className="g-2",
                    ),
                ],
                fluid=True,
            ),
        ]
    )
