"""Comparison and normalisation controls: `compare` (another matrix to subtract) and `norm`."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from transfer.compare import NORM_LABELS

from . import ids


def layout() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.Span("Compare and normalise", className="fw-semibold")),
            dbc.CardBody(
                [
                    dbc.Label("Subtract another matrix", html_for=ids.COMPARE, className="small mb-1"),
                    dcc.Dropdown(
                        id=ids.COMPARE, clearable=True, searchable=True, placeholder="No comparison", className="mb-2",
                    ),
                    dbc.Label("Normalise", html_for=ids.NORM, className="small mb-1"),
                    dbc.RadioItems(
                        id=ids.NORM,
                        options=[{"label": text, "value": value} for value, text in NORM_LABELS.items()],
                        value="none",
                        inline=True,
                        className="small",
                    ),
                ],
                className="py-2",
            ),
        ]
    )


def register(app) -> None:
    """Nothing to register: both controls are bound in components/state.py."""
