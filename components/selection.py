"""Minimal train/test selection controls bound to `row` and `col`.

A stand-in so that insights can select cells on this branch: the breakdowns panel owns the real
row/column selectors (same ids, `ids.ROW` / `ids.COL`); when it is merged, drop this module.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc

from . import ids


def layout() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(dcc.Dropdown(id=ids.ROW, placeholder="Train dataset", clearable=True), width=6),
                    dbc.Col(dcc.Dropdown(id=ids.COL, placeholder="Test dataset", clearable=True), width=6),
                ],
                className="g-2",
            ),
            className="py-2",
        )
    )


def register(app) -> None:
    """Nothing to register: both dropdowns are bound (with their options) in components/state.py."""
