"""The clustering card (method, distance, profile, order, cut) and the dendrogram tab.

The controls are bound to ViewState fields (components/state.py); a clicked cluster (a branch of
the tree or an entry of the member list) is the `cluster` field, kept in a dcc.Store. A new cut
or cluster patches the heatmap's margin traces and its CLUSTER slot instead of redrawing it.
"""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from transfer.cluster_figures import (
    COLOUR_TRACES,
    cluster_colour,
    cluster_outline,
    dendrogram_figure,
    margin_trace_updates,
)
from transfer.figures import HeatmapShape
from transfer.track_figures import view_tracks
from transfer.view import View, clusters_json
from transfer.viewstate import DISTANCES, METHODS

from . import ids
from .options import ORDER_OPTIONS
from .state import DATA_FIELDS, current_view, props_of, view_dependencies

DISTANCE_NAMES = {
    "euclidean": "Euclidean", "correlation": "Correlation (1 - r)", "cosine": "Cosine", "cityblock": "City block (L1)",
}
PROFILE_OPTIONS = [
    {"label": "Row + column", "value": "both"},
    {"label": "Row (transfer out)", "value": "rows"},
    {"label": "Column (transfer in)", "value": "cols"},
]


def _labelled(label: str, control, title: str | None = None) -> html.Div:
    # the label also names the control where Dash gives no way to tie them (assets/a11y.js)
    return html.Div([dbc.Label(label, className="small mb-0"), control], className="mb-2", title=title,
                    **{"data-a11y-name": label})


def cut_form() -> dbc.Form:
    """The k slider with its number box, in a form so that Enter in the box applies the typed k.

    Dash 4's slider commits a typed value on blur (Tab, a click elsewhere) but ignores Enter. In a
    form with a submit button, Enter submits (`n_submit`, the page does not navigate): the
    browser first checks the box against its min, max and step (saying what is wrong if it
    must), and `apply_typed_cut` then commits the slider's `drag_value`, which the box sets
    while typing. No tooltip: the box shows the value while the handle is dragged, and the
    tooltip stayed over the card's text for as long as the handle kept focus after a drag.
    """
    return dbc.Form(
        [
            dcc.Slider(id=ids.CLUSTER_K, min=1, max=10, step=1, value=1, marks=None),
            html.Button("Apply k", type="submit", className="visually-hidden", tabIndex="-1"),
        ],
        id=ids.CLUSTER_K_FORM,
    )


def typed_cut(value) -> int | None:
    """The slider's `drag_value` as the k to apply on Enter (None: nothing to apply)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 1:
        return None
    return round(value)


def layout() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.Span("Clustering", className="fw-semibold")),
            dbc.CardBody(
                [
                    # "Annotation groups" is offered when the view has task annotations (options.order_options)
                    _labelled("Order", dbc.RadioItems(id=ids.CLUSTER_ORDER, inline=True, value="data",
                                                      options=ORDER_OPTIONS)),
                    dbc.Row(
                        [
                            dbc.Col(
                                _labelled(
                                    "Linkage",
                                    dcc.Dropdown(
                                        id=ids.CLUSTER_METHOD, options=list(METHODS), value="average", clearable=False,
                                        searchable=False,
                                    ),
                                ),
                                xs=6,
                            ),
                            dbc.Col(_labelled("Distance", dcc.Dropdown(
                                id=ids.CLUSTER_DISTANCE, value="euclidean", clearable=False, searchable=False,
                                options=[{"label": DISTANCE_NAMES[d], "value": d} for d in DISTANCES],
                            )), xs=6),
                        ],
                        className="g-2",
                    ),
                    _labelled("Task profile",
                              dbc.RadioItems(id=ids.CLUSTER_PROFILE, options=PROFILE_OPTIONS, value="both",
                                             inline=True),
                              title="What describes a task when the same tasks are on both axes"),
                    _labelled("Clusters (k)", cut_form()),
                    html.Div(id=ids.CLUSTER_INFO, className="small text-muted"),
                    dcc.Store(id=ids.CLUSTER_SELECTED),
                ],
                className="py-2",
            ),
        ]
    )


def tab_layout() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Graph(
                            id=ids.DENDROGRAM, config={"displaylogo": False}, className="tmx-progress",
                            style={"height": "min(78vh, 820px)", "minHeight": "380px"},
                        ),
                        lg=8,
                    ),
                    dbc.Col(html.Div(id=ids.CLUSTER_MEMBERS, className="small tmx-cluster-members"), lg=4),
                ],
                className="g-2",
            ),
            className="p-1",
        ),
        className="h-100",
    )


def _cophenetic_text(tree) -> str:
    # two decimals, as the card's other number (the ARI): one format in one panel
    return "undefined" if math.isnan(tree.cophenetic) else f"{tree.cophenetic:.2f}"


def cluster_info(view: View) -> list:
    result = view.clustering
    parts = [f"Cophenetic correlation {_cophenetic_text(result.rows)}" if result.shared else
             f"Cophenetic correlation: train {_cophenetic_text(result.rows)}, test {_cophenetic_text(result.cols)}"]
    if not result.shared:
        parts.append("train and test datasets differ: rows are clustered by their rows, columns by their columns")
    undefined = result.rows.undefined_pairs + (0 if result.shared else result.cols.undefined_pairs)
    if undefined:
        parts.append(f"{undefined} task pairs share no measured cell and were placed above every measured pair")
    agreement = agreement_text(view)
    return [html.Div(part) for part in parts] + ([html.Div(
        agreement, className="tmx-agreement",
        title="Adjusted Rand index between the cut's clusters of the train tasks and the field's groups: 1 the "
              "same groups, about 0 no better than chance",
    )] if agreement else [])


def agreement_text(view: View) -> str | None:
    """How far the cut's clusters (of the row tree) match the groups of the chosen annotation
    field (`group` or `collapse`): "Clusters vs task_type: ARI 0.42"."""
    agreement = clusters_json(view).get("agreement")
    if not agreement:
        return None
    ari = agreement["ari"]
    return f"Clusters vs {agreement['field']}: ARI " + ("undefined (fewer than 2 annotated tasks)" if ari is None
                                                         else f"{ari:.2f}")


def _tree_items(tree, k: int | None, selected: int | None, clickable: bool) -> list:
    items = []
    for number, members in enumerate(tree.members(k), start=1):
        swatch = html.Span(
            className="tmx-swatch", style={"backgroundColor": cluster_colour(number if (k or 1) > 1 else 0)},
        )
        text = [swatch, html.Strong(f"Cluster {number}"), f" ({len(members)}): ", ", ".join(members)]
        if clickable:  # clusters of the row (or shared) tree can be outlined on the heatmap
            items.append(
                # a button (dbc.ListGroupItem is an <li> without a tab stop): reached and pressed by keyboard
                html.Button(
                    text, id={"type": ids.CLUSTER_ITEM, "index": number}, type="button",
                    className="list-group-item list-group-item-action py-1 px-2 text-start"
                              + (" active" if number == selected else ""),
                    **{"aria-pressed": "true" if number == selected else "false"},
                )
            )
        else:
            items.append(dbc.ListGroupItem(text, className="py-1 px-2"))
    return items


def member_list(view: View) -> list:
    result, k, selected = view.clustering, view.state.k, view.state.cluster
    if result.shared:
        return [
            *cluster_info(view),
            dbc.ListGroup(_tree_items(result.rows, k, selected, True), flush=True, className="mt-2", tag="div"),
        ]
    return [
        *cluster_info(view),
        html.H6("Train datasets (click to outline)", className="mt-2"),
        dbc.ListGroup(_tree_items(result.rows, k, selected, True), flush=True, tag="div"),
        html.H6("Test datasets", className="mt-2"),
        dbc.ListGroup(_tree_items(result.cols, k, selected, False), flush=True),
    ]


def _is_cluster_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def clicked_cluster(click) -> int | None:
    """The cluster of a click on a coloured link of the first tree; None for anything else
    (other traces, or clickData of any shape a client may send)."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    curve = point.get("curveNumber")
    if not isinstance(curve, int) or curve > COLOUR_TRACES:
        return None
    chosen = point.get("customdata")
    return chosen if _is_cluster_number(chosen) else None


def describe_view(view: View, tab_opened: bool = False) -> tuple:
    """The `describe` callback's outputs: the cut slider's maximum, the card's info, and the
    dendrogram tab (figure and member list: every link and label, 0.12 MB at 1000 tasks) only
    while that tab is the active one, so the heatmap tab neither computes nor sends them;
    switching to the tab (`tab_opened`) draws them then, for the view as it is by that time."""
    if view.state.tab != ids.DENDROGRAM_TAB:
        if tab_opened:
            raise PreventUpdate  # left the dendrogram tab: nothing of the card changed
        return max(view.matrix.shape), cluster_info(view), no_update, no_update
    figure = dendrogram_figure(view.clustering, view.state.k, tracks=view_tracks(view))
    if tab_opened:  # the card's slider and info already show this view
        return no_update, no_update, figure, member_list(view)
    return max(view.matrix.shape), cluster_info(view), figure, member_list(view)


DESCRIBE_OUTPUTS = [
    Output(ids.CLUSTER_K, "max"),
    Output(ids.CLUSTER_INFO, "children"),
    Output(ids.DENDROGRAM, "figure"),
    Output(ids.CLUSTER_MEMBERS, "children"),
]


def initial(view: View) -> dict:
    return props_of(DESCRIBE_OUTPUTS, describe_view(view))


def register(app) -> None:
    @app.callback(
        *DESCRIBE_OUTPUTS,
        *view_dependencies(*DATA_FIELDS, "k", "cluster", "tab", "track"),
        prevent_initial_call=True,
    )
    def describe(*_):
        view = current_view()
        # only the tab changed (on load, the sync callback sets every control at once)
        return describe_view(view, tab_opened=set(ctx.triggered_prop_ids) == {f"{ids.TABS}.active_tab"})

    @app.callback(
        Output(ids.HEATMAP, "figure", allow_duplicate=True),
        Input(ids.HEATMAP_META, "data"),  # after every redraw, so a patch never precedes its figure
        *view_dependencies("k", "cluster"),
        prevent_initial_call=True,
    )
    def patch_heatmap(meta, *_):
        if not isinstance(meta, dict) or not meta:
            raise PreventUpdate
        view = current_view()
        if meta.get("key") != view.dataset_id:
            raise PreventUpdate
        # A redraw already shows the current cut (ctx.triggered_id names only the first input: on
        # load the cut's slider fires together with the new figure's meta).
        if (f"{ids.HEATMAP_META}.data" in ctx.triggered_prop_ids
                and meta.get("cut") == [view.state.k, view.state.cluster]):
            raise PreventUpdate  # the figure just drawn shows this cut already: never send it twice
        patch = Patch()
        path = cluster_outline(view.matrix, view.clustering, view.state.k, view.state.cluster)
        patch["layout"]["shapes"][HeatmapShape.CLUSTER]["path"] = path
        if view.state.order == "cluster":
            for index, update in margin_trace_updates(view.clustering, view.state.k).items():
                for key, value in update.items():
                    patch["data"][index][key] = value
        return patch

    @app.callback(
        Output(ids.CLUSTER_K, "value", allow_duplicate=True),
        Input(ids.CLUSTER_K_FORM, "n_submit"),
        State(ids.CLUSTER_K, "drag_value"),
        prevent_initial_call=True,
    )
    def apply_typed_cut(_, typed):
        k = typed_cut(typed)
        if k is None:
            raise PreventUpdate
        return k  # the view's own rules clamp it to the tree (resolve)

    @app.callback(
        Output(ids.CLUSTER_SELECTED, "data", allow_duplicate=True),
        Input(ids.DENDROGRAM, "clickData"),
        Input({"type": ids.CLUSTER_ITEM, "index": ALL}, "n_clicks"),
        State(ids.CLUSTER_SELECTED, "data"),
        prevent_initial_call=True,
    )
    def choose_cluster(click, _clicks, selected):
        if isinstance(ctx.triggered_id, dict):
            if not ctx.triggered or not ctx.triggered[0]["value"]:
                raise PreventUpdate  # the list was redrawn, nobody clicked
            chosen = ctx.triggered_id.get("index")
        else:
            chosen = clicked_cluster(click)
        if not _is_cluster_number(chosen):
            raise PreventUpdate  # a link above the cut, the other tree (or a forged request)
        return None if chosen == selected else chosen  # a second click clears the outline
