"""Share a view: a "Copy link" button that copies the canonical URL of what is on screen.

The URL already is the whole view (components/state.py keeps it canonical), so sharing needs no
server: the browser copies `origin + path + search` (assets/share.js). Where the clipboard API is
missing (plain http on another host), the link is shown selected in a text field to copy by hand.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, html

from . import ids


def layout() -> html.Div:
    return html.Div(
        [
            dbc.Button("Copy link", id=ids.SHARE_BUTTON, size="sm", color="light", outline=True,
                       className="text-nowrap",
                       title="Copy a link that opens exactly this view, for anyone on this server"),
            dbc.Popover(
                dbc.PopoverBody(
                    [
                        html.Div(id=ids.SHARE_STATUS, className="small mb-1", role="status"),
                        html.Label("Link to this view", htmlFor=ids.SHARE_LINK, className="visually-hidden"),
                        dbc.Input(id=ids.SHARE_LINK, type="text", readonly=True, size="sm", className="font-monospace"),
                        html.Div(
                            [
                                html.A(
                                    "This view as JSON", id=ids.SHARE_JSON, target="_blank", rel="noopener",
                                    className="small",
                                ),
                                dbc.Button("Close", id=ids.SHARE_CLOSE, size="sm", color="link", className="p-0 small"),
                            ],
                            className="d-flex justify-content-between align-items-center mt-1",
                        ),
                    ],
                    className="tmx-share",
                ),
                id=ids.SHARE_POPOVER,
                target=ids.SHARE_BUTTON,
                placement="bottom-end",
                is_open=False,
            ),
        ]
    )


def register(app) -> None:
    app.clientside_callback(
        ClientsideFunction("tmx", "share_link"),
        Output(ids.SHARE_POPOVER, "is_open"),
        Output(ids.SHARE_LINK, "value"),
        Output(ids.SHARE_STATUS, "children"),
        Output(ids.SHARE_JSON, "href"),
        Input(ids.SHARE_BUTTON, "n_clicks"),
        Input(ids.SHARE_CLOSE, "n_clicks"),
        State(ids.SHARE_LINK, "id"),
        State(ids.SHARE_CLOSE, "id"),
        State(ids.SHARE_BUTTON, "id"),  # Escape gives it the focus back
        prevent_initial_call=True,
    )
