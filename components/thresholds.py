"""The thresholds panel: sliders (with number entry) for positive and negative transfer, the
diagonal switch, and the counts of highlighted cells.

Only the slider ranges come from the server (once per displayed matrix). Everything a slider
move changes happens in the browser (assets/thresholds.js): the switches and sliders are kept in
step with the `pos`/`neg` stores, the link is rewritten with `history.replaceState`, and the
heatmap's fade and outline slots are patched from the values already drawn.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from transfer.thresholds import ThresholdScale, threshold_scale
from transfer.viewstate import FIELD_NAMES, format_number

from . import ids
from .state import DATA_FIELDS, current_view, props_of, view_dependencies

SLIDERS = (
    # (switch, slider, label, aria label)
    (ids.THRESHOLD_POS_ON, ids.THRESHOLD_POS_SLIDER, "Positive transfer ≥", "positive threshold"),
    (ids.THRESHOLD_NEG_ON, ids.THRESHOLD_NEG_SLIDER, "Negative transfer ≤", "negative threshold"),
)


def _threshold_row(switch: str, slider: str, label: str, aria: str) -> html.Div:
    return html.Div(
        [
            dbc.Switch(id=switch, label=label, value=False, className="mb-0 text-nowrap tmx-threshold-switch", input_class_name="me-1"),
            html.Div(
                dcc.Slider(id=slider, min=0, max=1, value=None, updatemode="drag", disabled=True, className="tmx-threshold-slider"),
                className="flex-grow-1",
                title=aria,
            ),
        ],
        className="d-flex align-items-center gap-2",
    )


def layout() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Span("Highlight transfer", className="fw-semibold"),
                    html.Span(id=ids.THRESHOLD_NEUTRAL, className="small text-muted ms-auto"),
                ],
                className="d-flex align-items-center gap-2 py-1",
            ),
            dbc.CardBody(
                [
                    *(_threshold_row(*row) for row in SLIDERS),
                    dbc.Switch(id=ids.THRESHOLD_DIAG, value=True, label="Include in-domain cells (train = test)", className="mb-1 small"),
                    html.Div(id=ids.THRESHOLD_COUNTS, className="small fw-semibold", **{"aria-live": "polite"}),
                    html.Div(id=ids.THRESHOLD_SELECTION_COUNTS, className="small text-muted"),
                    html.Div("Highlighted cells keep their colour; positive ones get a solid outline, "
                             "negative ones a dotted outline, and all other cells fade.", className="small text-muted mt-1"),
                    dcc.Store(id=ids.THRESHOLD_POS),
                    dcc.Store(id=ids.THRESHOLD_NEG),
                    dcc.Store(id=ids.THRESHOLD_SCALE),
                    dcc.Store(id=ids.QUERY_KEYS, data=list(FIELD_NAMES)),
                ],
                className="py-2 d-flex flex-column gap-1",
            ),
        ],
        className="tmx-thresholds",
    )


def _marks(*values: float) -> dict:
    return {format_number(v): format_number(v) for v in values}


def slider_props(scale: ThresholdScale) -> tuple:
    """min, max, step, marks of the positive slider, then of the negative one."""
    return (
        scale.neutral, scale.high, scale.step, _marks(scale.neutral, scale.high),
        scale.low, scale.neutral, scale.step, _marks(scale.low, scale.neutral),
    )


OUTPUTS = [
    *(Output(slider, prop) for _, slider, _, _ in SLIDERS for prop in ("min", "max", "step", "marks")),
    Output(ids.THRESHOLD_SCALE, "data"),
    Output(ids.THRESHOLD_NEUTRAL, "children"),
]


def configuration(view) -> tuple:
    """The sliders' ranges, the scale the browser classifies with, and the neutral value's text."""
    scale = threshold_scale(view.matrix)
    return *slider_props(scale), scale.as_dict(), f"neutral value {format_number(scale.neutral)} ({view.matrix.metric})"


def initial(view) -> dict:
    return props_of(OUTPUTS, configuration(view))


def register(app) -> None:
    @app.callback(*OUTPUTS, *view_dependencies(*DATA_FIELDS), prevent_initial_call=True)
    def configure(*_):
        return configuration(current_view())

    controls = [(switch, "value") for switch, _, _, _ in SLIDERS] + [(slider, "value") for _, slider, _, _ in SLIDERS]
    stores = [(ids.THRESHOLD_POS, "data"), (ids.THRESHOLD_NEG, "data")]
    app.clientside_callback(
        ClientsideFunction("tmx", "threshold_controls"),
        *(Output(i, p) for i, p in controls + stores),
        *(Output(slider, "disabled") for _, slider, _, _ in SLIDERS),
        *(Input(i, p) for i, p in controls + stores),
        Input(ids.THRESHOLD_SCALE, "data"),
        prevent_initial_call=False,  # on load: the switches and sliders from the link's stores
    )

    app.clientside_callback(
        ClientsideFunction("tmx", "threshold_highlight"),
        Output(ids.HEATMAP, "figure", allow_duplicate=True),
        Output(ids.THRESHOLD_COUNTS, "children"),
        Output(ids.THRESHOLD_SELECTION_COUNTS, "children"),
        Input(ids.THRESHOLD_POS, "data"),
        Input(ids.THRESHOLD_NEG, "data"),
        Input(ids.THRESHOLD_DIAG, "value"),
        Input(ids.HEATMAP_META, "data"),  # a rebuilt heatmap (new values or order), not every patch
        Input(ids.ROW, "value"),  # the selection, for its counts
        Input(ids.COL, "value"),
        State(ids.HEATMAP, "figure"),
        State(ids.QUERY_KEYS, "data"),
        State(ids.HEATMAP, "id"),
        prevent_initial_call="initial_duplicate",  # on load too: the link's highlight and counts
    )
