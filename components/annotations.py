"""The "Tasks" card: find tasks by name, keep the tasks whose annotation field has chosen values,
draw fields as tracks, group or collapse the matrix by a field, and say which annotations are in
use (`filter`, `where`, `track`, `group` with order=group, `collapse`, `ann`).

The search box (`filter`) and "Collapse by" (`collapse`) are bound controls (components/state.py).
`where`, `track` and `group` are bound to stores holding the link's own text of each field; the
selects a person uses (the where field and its values, the tracks, "Group by") are kept in step
with the view, and write it, in the browser (assets/annotations.js, `annotation_controls`), whose
twin for a page arriving drawn is `shown` here. The fields and values they list come from the
view's annotations (`annotation_info`, in ANN_INFO).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from transfer.annotations import NONE_LABEL
from transfer.view import View
from transfer.viewstate import MAX_FILTER_LENGTH, MAX_TRACKS

from . import ids
from .state import DATA_FIELDS, current_view, props_of, view_dependencies

FILTER_PAUSE_MS = 600  # the search applies once typing rests this long (or on Enter)

# The selects assets/annotations.js keeps in step with the view, and what it sets of each.
SELECTS = (ids.ANN_WHERE_FIELD, ids.ANN_WHERE_VALUES, ids.ANN_TRACK_FIELDS, ids.ANN_GROUP_BY)
SELECT_PROPS = ("options", "value", "disabled")


def annotation_info(view: View) -> dict | None:
    """What the card's selects list: the annotations' fields and, for each, the values of the
    matrix's tasks (in the annotations' order; NONE_LABEL last when a task has no value)."""
    annotations = view.annotations
    if annotations is None:
        return None
    labels = list(dict.fromkeys([*view.stored.rows, *view.stored.cols]))
    values = {}
    for name in annotations.fields:
        present = {annotations.value(label, name) for label in labels}
        values[name] = [value for value in annotations.values(name) if value in present]
        if None in present:
            values[name].append(NONE_LABEL)
    return {"id": view.state.ann, "fields": list(annotations.fields), "values": values}


def _options(values) -> list[dict]:
    return [{"label": value, "value": value} for value in values]


def shown(view: View, info: dict | None) -> dict:
    """{(id, prop): value} of the selects for a view (the twin of assets/annotations.js `shown`,
    for a page arriving drawn): the where field is the link's, else the first field."""
    fields = info["fields"] if info else []
    state = view.state
    where_field = state.where[0] if state.where else (fields[0] if fields else None)
    chosen = list(state.where[1]) if state.where else []
    listed = list(info["values"].get(where_field, [])) if info and where_field else []
    listed += [value for value in chosen if value not in listed]
    tracks = list(view.tracks)
    full = len(tracks) >= MAX_TRACKS
    off = info is None
    return {
        (ids.ANN_WHERE_FIELD, "options"): _options(fields), (ids.ANN_WHERE_FIELD, "value"): where_field,
        (ids.ANN_WHERE_FIELD, "disabled"): off,
        (ids.ANN_WHERE_VALUES, "options"): _options(listed), (ids.ANN_WHERE_VALUES, "value"): chosen,
        (ids.ANN_WHERE_VALUES, "disabled"): off,
        (ids.ANN_TRACK_FIELDS, "options"): [
            {"label": name, "value": name, **({"disabled": True} if full and name not in tracks else {})}
            for name in fields
        ],
        (ids.ANN_TRACK_FIELDS, "value"): tracks, (ids.ANN_TRACK_FIELDS, "disabled"): off,
        (ids.ANN_GROUP_BY, "options"): _options(fields), (ids.ANN_GROUP_BY, "value"): state.group,
        (ids.ANN_GROUP_BY, "disabled"): off,
        (ids.ANN_COLLAPSE, "disabled"): off,
    }


def _tasks(count: int, total: int, kind: str) -> str:
    return f"{count} of {total} {kind}" if count != total else f"all {total} {kind}"


def status(view: View) -> list:
    """Which annotations the view uses, and what the search, the kept values and the collapse leave."""
    annotations = view.annotations
    if annotations is None:
        lines = [
            "This matrix has no task annotations. Drop an annotations file (CSV, TSV or JSON: a task "
            "column, then one column per field) on the upload card to colour, filter and group tasks "
            "by them. The search works on task names."
        ]
    else:
        source = (f"uploaded annotations {view.state.ann[:8]}…" if view.state.ann
                  else "the dataset's own annotations")
        names = ", ".join(annotations.fields)
        lines = [f"Using {source}: {len(annotations.fields)} field{'s' if len(annotations.fields) != 1 else ''} "
                 f"({names})."]
    state = view.state
    if (state.filter or state.where) and view.filtered is not None:
        rows, cols = view.filtered.shape
        total_rows, total_cols = view.stored.shape
        lines.append(f"Showing {_tasks(rows, total_rows, 'train')} and {_tasks(cols, total_cols, 'test')} tasks.")
    if view.collapsed is not None:
        rows, cols = view.matrix.shape
        lines.append(
            f"Collapsed by {state.collapse}: {rows} x {cols} groups; each block is the mean of its cells, "
            "leaving out in-domain cells (train = test)."
        )
    return [html.Div(line) for line in lines]


OUTPUTS = [Output(ids.ANN_INFO, "data"), Output(ids.ANN_STATUS, "children")]


def describe_view(view: View) -> tuple:
    return annotation_info(view), status(view)


def initial(view: View) -> dict:
    info, lines = describe_view(view)
    return {**props_of(OUTPUTS, (info, lines)), **shown(view, info)}


def _labelled(label: str, control, control_id: str) -> html.Div:
    # a dropdown's button is named by its value: assets/a11y.js puts the label's text in front
    return html.Div([dbc.Label(label, html_for=control_id, className="small mb-0"), control], className="mb-2",
                    **{"data-a11y-name": label})


def layout() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.Span("Tasks", className="fw-semibold")),
            dbc.CardBody(
                [
                    dbc.Label("Search tasks", html_for=ids.ANN_FILTER, className="small mb-0"),
                    dbc.InputGroup(
                        [
                            # applied after a pause in typing, and on Enter (annotation_filter)
                            dbc.Input(
                                id=ids.ANN_FILTER, type="search", debounce=FILTER_PAUSE_MS,
                                maxlength=MAX_FILTER_LENGTH, placeholder="Part of a task's name", autoComplete="off",
                            ),
                            html.Button(
                                "×", id=ids.ANN_FILTER_CLEAR, type="button", className="btn btn-outline-secondary",
                                title="Clear the search", **{"aria-label": "Clear the search"},
                            ),
                        ],
                        className="mb-2",
                    ),
                    dbc.Label("Keep tasks whose", html_for=ids.ANN_WHERE_FIELD, className="small mb-0"),
                    dbc.Row(
                        [
                            dbc.Col(dcc.Dropdown(
                                id=ids.ANN_WHERE_FIELD, clearable=False, searchable=False, placeholder="Field",
                                disabled=True,
                            ), xs=5),
                            dbc.Col(
                                [
                                    html.Label("is one of", htmlFor=ids.ANN_WHERE_VALUES, className="visually-hidden"),
                                    dcc.Dropdown(
                                        id=ids.ANN_WHERE_VALUES, multi=True, value=[], placeholder="is one of …",
                                        disabled=True,
                                    ),
                                ],
                                xs=7,
                            ),
                        ],
                        className="g-1 mb-2",
                    ),
                    _labelled("Tracks (up to 3 fields)", dcc.Dropdown(
                        id=ids.ANN_TRACK_FIELDS, multi=True, value=[], placeholder="No tracks", disabled=True,
                        searchable=False,
                    ), ids.ANN_TRACK_FIELDS),
                    dbc.Row(
                        [
                            dbc.Col(_labelled("Group by", dcc.Dropdown(
                                id=ids.ANN_GROUP_BY, clearable=True, searchable=False, placeholder="No grouping",
                                disabled=True,
                            ), ids.ANN_GROUP_BY), xs=12, sm=6),
                            dbc.Col(_labelled("Collapse by", dcc.Dropdown(
                                id=ids.ANN_COLLAPSE, clearable=True, searchable=False, placeholder="No collapse",
                                disabled=True,
                            ), ids.ANN_COLLAPSE), xs=12, sm=6),
                        ],
                        className="g-1",
                    ),
                    html.Div(id=ids.ANN_STATUS, className="small text-muted", role="status"),
                    dcc.Store(id=ids.ANN),
                    dcc.Store(id=ids.ANN_WHERE),
                    dcc.Store(id=ids.ANN_TRACK),
                    dcc.Store(id=ids.ANN_GROUP),
                    dcc.Store(id=ids.ANN_INFO),
                ],
                className="py-2",
            ),
        ],
        className="tmx-tasks",
    )


def register(app) -> None:
    @app.callback(*OUTPUTS, *view_dependencies(*DATA_FIELDS), prevent_initial_call=True)
    def describe(*_):
        return describe_view(current_view())

    # The selects <-> the view, in one callback (a select it sets does not fire it again): a
    # person's choice changes the view (tmx.view.change, one step), and any view shows in them.
    app.clientside_callback(
        ClientsideFunction("tmx", "annotation_controls"),
        *(Output(select, prop) for select in SELECTS for prop in SELECT_PROPS),
        Output(ids.ANN_COLLAPSE, "disabled"),
        Input(ids.VIEW, "data"),
        Input(ids.ANN_INFO, "data"),
        *(Input(select, "value") for select in SELECTS),
        *(State(select, prop) for select in SELECTS for prop in ("options", "disabled")),
        State(ids.ANN_COLLAPSE, "disabled"),
        prevent_initial_call=True,
    )
    # Enter applies the search at once (the box's pause timer would too, later); × clears it.
    app.clientside_callback(
        ClientsideFunction("tmx", "annotation_filter"),
        Output(ids.ANN_FILTER, "value", allow_duplicate=True),
        Input(ids.ANN_FILTER, "n_submit"),
        Input(ids.ANN_FILTER_CLEAR, "n_clicks"),
        State(ids.ANN_FILTER, "id"),
        State(ids.ANN_FILTER_CLEAR, "id"),
        prevent_initial_call=True,
    )
