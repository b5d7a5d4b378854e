"""The uncertainty section, for a matrix with replicates: the interval level (`ci`), the
significance marks in cell text (`marks`) and the palette (`unc`: value-suppressing or plain),
with the test and correction in force. Laid out inside the thresholds card and hidden for a matrix
without replicates (the link's keys are then dropped: `transfer.viewstate.resolve_uncertainty`).

The controls are bound to the view's fields (components/state.py); the heatmap redraws from them.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Output, html

from transfer.viewstate import CI_LEVELS, UNCERTAINTY_DISPLAYS

from . import ids
from .state import DATA_FIELDS, current_view, props_of, view_dependencies

PALETTES = dict(zip(UNCERTAINTY_DISPLAYS, ("Value-suppressing (VSUP)", "Plain colours")))  # vsup, none


def _select(label: str, control_id: str, options: list[dict], value: str) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="small text-nowrap mb-0"),
            dbc.Select(id=control_id, options=options, value=value, size="sm", className="tmx-uncertainty-select"),
        ],
        className="d-flex align-items-center gap-2",
    )


def layout() -> html.Div:
    # `hidden` on a wrapper: Bootstrap's d-flex (display: flex !important) would override it
    return html.Div(html.Div(
        [
            html.Div("Uncertainty", className="small fw-semibold"),
            html.Div(
                [
                    _select("Interval", ids.UNCERTAINTY_CI,
                            [{"label": f"{level}%", "value": str(level)} for level in CI_LEVELS], "95"),
                    _select("Uncertainty colours", ids.UNCERTAINTY_PALETTE,
                            [{"label": text, "value": key} for key, text in PALETTES.items()], "vsup"),
                ],
                className="d-flex flex-wrap gap-2",
            ),
            dbc.Switch(id=ids.UNCERTAINTY_MARKS, value=True, className="mb-0 small",
                       label="Significance marks in cells (* q < 0.05, ** < 0.01, *** < 0.001)"),
            html.Div(id=ids.UNCERTAINTY_INFO, className="small text-muted"),
        ],
        className="d-flex flex-column gap-1 border-top pt-1 mt-1",
    ), id=ids.UNCERTAINTY_CARD, hidden=True)


OUTPUTS = [Output(ids.UNCERTAINTY_CARD, "hidden"), Output(ids.UNCERTAINTY_INFO, "children")]


def describe(view) -> tuple:
    """Hidden without replicates; else the test behind the intervals and the correction."""
    stats = view.stats
    if stats is None:
        return True, ""
    if not stats.tests or view.matrix.scale_kind == "sequential":
        return False, f"{stats.level}% t-intervals; no tests: this matrix has no neutral value to test against."
    return False, (f"{stats.level}% t-intervals; {stats.test_name} tests against the neutral value, "
                   f"Benjamini-Hochberg q-values over {stats.tested} tested cells.")


def initial(view) -> dict:
    return props_of(OUTPUTS, describe(view))


def register(app) -> None:
    @app.callback(*OUTPUTS, *view_dependencies(*DATA_FIELDS, "ci"), prevent_initial_call=True)
    def show(*_):
        return describe(current_view())

