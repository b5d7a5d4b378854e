"""The navigation bar: app title, dataset selector, and what the shown matrix is."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Output, dcc, html

from . import ids, share
from .state import current_view, props_of, view_dependencies

OUTPUTS = [Output(ids.DATASET_INFO, "children")]


def layout() -> dbc.Navbar:
    return dbc.Navbar(
        dbc.Container(
            [
                # the page's one level-one heading (axe: page-has-heading-one), styled as the brand
                html.H1("Transfer Matrix Explorer", className="navbar-brand fw-semibold me-3 mb-0 fs-5"),
                html.Div(
                    dcc.Dropdown(
                        id=ids.DATASET, clearable=False, searchable=True, placeholder="Dataset",
                        className="tmx-dataset",
                    ),
                    className="flex-grow-1 tmx-dataset-wrap",
                    **{"data-a11y-name": "Dataset"},  # the dropdown's name (assets/a11y.js)
                ),
                share.layout(),
            ],
            fluid=True,
            className="gap-2 tmx-header",  # wraps on a phone (assets/responsive.css)
        ),
        color="dark",
        tag="header", role="banner",  # the banner landmark (axe: region); the main content is in <main>
        dark=True,
        className="mb-2 py-1",
    )


def info_layout() -> html.Div:
    return html.Div(id=ids.DATASET_INFO, className="small text-muted mb-1")


def dataset_info(view) -> list:
    stored = view.stored
    # a matrix without a neutral value has a sequential colour scale (transfer.palettes)
    neutral = f"neutral value {stored.neutral:g}" if stored.scale_kind == "diverging" else "no neutral value"
    parts = [f"{stored.metric} · {neutral} · {stored.shape[0]} train x {stored.shape[1]} test datasets"]
    if stored.source:
        parts.append(f"Source: {stored.source}")
    # Plain strings: Dash renders them as text, so user metadata can never become markup.
    return [html.Span(stored.name, className="fw-semibold text-body me-2"), " · ".join(parts)]


def initial(view) -> dict:
    return props_of(OUTPUTS, [dataset_info(view)])


def register(app) -> None:
    @app.callback(*OUTPUTS, *view_dependencies("dataset"), prevent_initial_call=True)
    def describe(*_):
        return dataset_info(current_view())
