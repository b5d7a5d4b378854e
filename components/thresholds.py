"""The thresholds panel: a switch, a slider and a typed box for positive and for negative
transfer, the diagonal switch, "significant only" for a matrix with replicates, and the counts of
highlighted cells. The uncertainty section (components/uncertainty.py) is laid out in its card.

Only the slider ranges come from the server (once per displayed matrix). Everything a slider
move or a typed value changes happens in the browser (assets/thresholds.js): the switches,
sliders and boxes are kept in step with the `pos`/`neg` stores (the view's fields, whose link
assets/view.js writes), and the heatmap's fade and outlines (layout slots: transfer.figures
HeatmapImage, HeatmapShape) are drawn from the values already drawn.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from transfer.matrix import CHANCE, SIGNS, TransferMatrix
from transfer.thresholds import ThresholdScale, threshold_scale
from transfer.viewstate import SIG_LEVELS, format_number

from . import ids, uncertainty
from .options import PALETTE_DEFAULT
from .state import DATA_FIELDS, SIG_OFF, current_view, props_of, view_dependencies

SLIDERS = (
    # (switch, slider, typed box, label, aria label)
    (
        ids.THRESHOLD_POS_ON, ids.THRESHOLD_POS_SLIDER, ids.THRESHOLD_POS_INPUT, "Positive transfer ≥",
        "positive threshold",
    ),
    (
        ids.THRESHOLD_NEG_ON, ids.THRESHOLD_NEG_SLIDER, ids.THRESHOLD_NEG_INPUT, "Negative transfer ≤",
        "negative threshold",
    ),
)


def _threshold_row(switch: str, slider: str, box: str, label: str, aria: str) -> html.Div:
    return html.Div(
        [
            dbc.Switch(
                id=switch, label=label, value=False, className="mb-0 text-nowrap tmx-threshold-switch",
                input_class_name="me-1",
            ),
            html.Div(
                # The slider's own number box rounds to its step and applies what it shows only
                # sometimes: a text box of ours applies exactly what was typed (on Enter or Tab).
                dcc.Slider(id=slider, min=0, max=1, value=None, updatemode="drag", disabled=True,
                           allow_direct_input=False, className="tmx-threshold-slider"),
                className="flex-grow-1",
                title=aria,
                **{"data-a11y-name": aria.capitalize()},  # the slider's name (assets/a11y.js)
            ),
            html.Label(f"{aria} value", htmlFor=box, className="visually-hidden"),
            dbc.Input(id=box, type="text", inputMode="decimal", debounce=True, size="sm",
                      className="tmx-threshold-input", placeholder="value", autoComplete="off"),
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
                    dbc.Switch(
                        id=ids.THRESHOLD_DIAG, value=True, label="Include in-domain cells (train = test)",
                        className="mb-1 small",
                    ),
                    significance_row(),
                    palette_row(),
                    html.Div(id=ids.THRESHOLD_INPUT_STATUS, className="small text-danger", role="status"),
                    html.Div(id=ids.THRESHOLD_COUNTS, className="small fw-semibold", **{"aria-live": "polite"}),
                    html.Div(id=ids.THRESHOLD_SELECTION_COUNTS, className="small text-muted"),
                    html.Div("Highlighted cells keep their colour; positive ones get a solid outline, "
                             "negative ones a dotted outline, and all other cells "
                             "fade.", className="small text-muted mt-1"),
                    dcc.Store(id=ids.THRESHOLD_POS),
                    dcc.Store(id=ids.THRESHOLD_NEG),
                    dcc.Store(id=ids.THRESHOLD_SCALE),
                    uncertainty.layout(),
                ],
                className="py-2 d-flex flex-column gap-1",
            ),
        ],
        className="tmx-thresholds",
    )


def palette_row() -> html.Div:
    """"Colours": the colour-blind-safe palettes of the matrix's kind of scale, bound to `palette`
    (components/state.py sets its options: components/options.palette_options)."""
    return html.Div(
        [
            html.Label("Colours", htmlFor=ids.PALETTE, className="small text-nowrap mb-0"),
            dbc.Select(id=ids.PALETTE, options=[], value=PALETTE_DEFAULT, size="sm", className="tmx-palette-select"),
        ],
        id=ids.PALETTE_ROW, className="d-flex align-items-center gap-2",
        title="Colour-blind-safe palettes: diverging around the neutral value, or sequential without one",
    )


def significance_row() -> html.Div:
    """"Significant only": highlight a cell only if its q-value is below the level chosen (the
    link's `sig`; option values are the link's text, SIG_OFF for none). Shown for replicates only."""
    levels = [format_number(level) for level in SIG_LEVELS]
    options = [{"label": "off", "value": SIG_OFF}] + [{"label": f"q < {level}", "value": level} for level in levels]
    # `hidden` on a wrapper: Bootstrap's d-flex (display: flex !important) would override it
    return html.Div(html.Div(
        [
            html.Label("Significant only", htmlFor=ids.THRESHOLD_SIG, className="small text-nowrap mb-0"),
            dbc.Select(id=ids.THRESHOLD_SIG, options=options, value=SIG_OFF, size="sm", className="tmx-sig-select"),
        ],
        className="d-flex align-items-center gap-2",
        title="Highlight only cells whose Benjamini-Hochberg q-value is below this level",
    ), id=ids.THRESHOLD_SIG_ROW, hidden=True)


def _marks(*values: float) -> dict:
    return {format_number(v): format_number(v) for v in values}


def slider_props(scale: ThresholdScale) -> tuple:
    """min, max, step, marks of the positive slider, then of the negative one."""
    return (
        scale.neutral, scale.high, scale.step, _marks(scale.neutral, scale.high),
        scale.low, scale.neutral, scale.step, _marks(scale.low, scale.neutral),
    )


OUTPUTS = [
    *(Output(slider, prop) for _, slider, *_ in SLIDERS for prop in ("min", "max", "step", "marks")),
    Output(ids.THRESHOLD_SCALE, "data"),
    Output(ids.THRESHOLD_NEUTRAL, "children"),
    Output(ids.THRESHOLD_SIG_ROW, "hidden"),
]


def configuration(view) -> tuple:
    """The sliders' ranges, the scale the browser classifies with, the neutral value's text, and
    whether "significant only" is hidden (a matrix without replicates)."""
    scale = threshold_scale(view.matrix)
    neutral = neutral_text(view.matrix, scale)
    return *slider_props(scale), scale.as_dict(), neutral, view.matrix.spread is None


NEUTRAL_BASIS_TEXT = {CHANCE: ", its chance level", SIGNS: ", values of both signs"}


def neutral_text(matrix: TransferMatrix, scale: ThresholdScale) -> str:
    """The card header's note: the neutral value the sliders start from, and where it comes from;
    a sequential scale has none, and its sliders start from the middle of its range."""
    if matrix.scale_kind == "sequential":
        return f"no neutral value ({matrix.metric}): sliders from the middle, {format_number(scale.neutral)}"
    basis = NEUTRAL_BASIS_TEXT.get(matrix.neutral_basis, "")
    return f"neutral value {format_number(scale.neutral)} ({matrix.metric}{basis})"


def initial(view) -> dict:
    return props_of(OUTPUTS, configuration(view))


def register(app) -> None:
    @app.callback(*OUTPUTS, *view_dependencies(*DATA_FIELDS), prevent_initial_call=True)
    def configure(*_):
        return configuration(current_view())

    controls = [(row[column], "value") for column in range(3) for row in SLIDERS]  # switches, sliders, boxes
    stores = [(ids.THRESHOLD_POS, "data"), (ids.THRESHOLD_NEG, "data")]
    app.clientside_callback(
        ClientsideFunction("tmx", "threshold_controls"),
        *(Output(i, p) for i, p in controls + stores),
        *(Output(slider, "disabled") for _, slider, *_ in SLIDERS),
        Output(ids.THRESHOLD_INPUT_STATUS, "children"),
        *(Input(i, p) for i, p in controls + stores),
        Input(ids.THRESHOLD_SCALE, "data"),
        prevent_initial_call=False,  # on load: the switches, sliders and boxes from the view's stores
    )

    app.clientside_callback(
        ClientsideFunction("tmx", "threshold_highlight"),
        Output(ids.HEATMAP, "figure", allow_duplicate=True),
        Output(ids.THRESHOLD_COUNTS, "children"),
        Output(ids.THRESHOLD_SELECTION_COUNTS, "children"),
        Input(ids.THRESHOLD_POS, "data"),
        Input(ids.THRESHOLD_NEG, "data"),
        Input(ids.THRESHOLD_DIAG, "value"),
        Input(ids.THRESHOLD_SIG, "value"),  # "significant only": the q-value level as the link writes it, or "off"
        Input(ids.HEATMAP_META, "data"),  # a rebuilt heatmap (new values or order), not every patch
        Input(ids.ROW, "value"),  # the selection, for its counts
        Input(ids.COL, "value"),
        State(ids.HEATMAP, "figure"),
        State(ids.HEATMAP, "id"),
        prevent_initial_call="initial_duplicate",  # on load too: the link's highlight and counts
    )
