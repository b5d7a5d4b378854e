"""The table tab (`tab=table`): the displayed matrix as an HTML table, a window of it at a time.

Row and column headers are `th` with their scope; each column header is a button that sorts the
rows by that column (the first by the row label), and the sorted header carries `aria-sort`.
Highlighted cells carry a mark and words for screen readers (`transfer.table.MARKS`), never a
colour alone. The buttons (sort, Previous/Next rows and columns) carry the change of the view
they make (`data-view-change`, the fields as the link writes them), which assets/table.js hands to
`tmx.view.change`; the table follows the view through TABLE_QUERY (assets/table.js keeps there
the fields of the view the table shows, while the table tab is open), so a click on the heatmap
or a slider moved on another tab sends nothing here.
"""

from __future__ import annotations

import json
from dataclasses import fields
from urllib.parse import quote_plus

from dash import ClientsideFunction, Input, Output, State, dcc, html

from transfer.table import MARKS, MISSING_TEXT, Table, TablePage, mark_description, possible_marks, table_model
from transfer.view import View, view_from_query
from transfer.viewstate import ViewState
from web.services import datasets

from . import ids
from .state import DATA_FIELDS, props_of

# The fields of the view the table shows (the rest, a selection or the tracks, leave it be).
TABLE_FIELDS = (*DATA_FIELDS, "pos", "neg", "diag", "ci", "sig", "marks", "tsort", "trpage", "tcpage")
SORT_ARROWS = {"asc": "↑", "desc": "↓"}
ARIA_SORT = {"asc": "ascending", "desc": "descending"}

OUTPUTS = [Output(ids.TABLE, "children"), Output(ids.TABLE_QUERY, "data")]


def table_query(query: str) -> str:
    """The fields of a view's query that the table shows, as the query writes them: the twin of
    assets/table.js `tableQuery` (the page's table is drawn for this text)."""
    return "&".join(part for part in query.split("&") if part.split("=", 1)[0] in TABLE_FIELDS)


_CODECS = {f.name: f.metadata["encode"] for f in fields(ViewState)}


def _link_value(name: str, value) -> str | None:
    """A field's value as the link writes it (URL-encoded as `ViewState.to_query` does), None
    for its default (left out of the link)."""
    if value is None or value == getattr(ViewState(), name):
        return None
    return quote_plus(_CODECS[name](value))


def _changes(**changes) -> str:
    """A button's change of the view (`data-view-change`): field -> its text in the link, or null."""
    return json.dumps({name: _link_value(name, value) for name, value in changes.items()})


def _sort_header(table: Table, column: str | None, label: str) -> dict:
    """A column header (`column` None: the row labels' header) with its sort button: the first
    press sorts ascending, the next reverses; the rows go back to their first page."""
    direction = table.sort[0] if table.sort and table.sort[1] == column else None
    after = "desc" if direction == "asc" else "asc"
    what = "the train dataset's name" if column is None else f"{label}'s values"
    button = _element(
        "Button",
        [_element("Span", label, className="tmx-table-label"),
         _element("Span", f" {SORT_ARROWS[direction]}" if direction else "", **{"aria-hidden": "true"})],
        type="button", className="btn btn-link btn-sm p-0 tmx-sort", title=f"Sort by {what}, {ARIA_SORT[after]}",
        **{"data-view-change": _changes(tsort=(after, column), trpage=1),
           "data-table-key": f"sort:{'' if column is None else column}"},
    )
    return _element("Th", button, scope="col", **({"aria-sort": ARIA_SORT[direction]} if direction else {}))


def _element(tag: str, children, **props) -> dict:
    """An html component as the renderer receives it ({type, namespace, props}): the table's
    thousand cells built as plain dicts take ~1 ms, as Dash components ~0.2 s."""
    return {"type": tag, "namespace": "dash_html_components", "props": {"children": children, **props}}


def _cell(cell, descriptions: dict[str, str]) -> dict:
    if cell.text == MISSING_TEXT:
        return _element("Td", MISSING_TEXT, className="tmx-missing")
    if not cell.mark and not cell.interval:
        return _element("Td", cell.text)
    parts = [cell.text]
    if cell.mark:
        parts += [_element("Span", f" {MARKS[cell.mark][0]}", className="tmx-mark", **{"aria-hidden": "true"}),
                  _element("Span", f", {descriptions[cell.mark]}", className="visually-hidden")]
    if cell.interval:
        parts.append(_element("Span", f" {cell.interval}", className="tmx-interval"))
    return _element("Td", parts, **({"className": f"tmx-{cell.mark}"} if cell.mark else {}))


def _pager(axis: str, page: TablePage) -> html.Div:
    """Previous and Next buttons of one axis ('rows' or 'columns')."""
    field = "trpage" if axis == "rows" else "tcpage"

    def button(text: str, target: int, enabled: bool) -> html.Button:
        target = min(max(target, 1), page.pages)
        return html.Button(
            text, type="button", className="btn btn-outline-secondary btn-sm", disabled=not enabled,
            **{"aria-label": f"{text} {axis}", "data-view-change": _changes(**{field: target}),
               "data-table-key": f"{field}:{text}"},
        )

    return html.Div(
        [html.Span(axis.capitalize(), className="small text-muted me-1", **{"aria-hidden": "true"}),
         html.Div([button("Previous", page.page - 1, page.page > 1),
                   button("Next", page.page + 1, page.page < page.pages)],
                  role="group", className="btn-group", **{"aria-label": f"Pages of {axis}"})],
        className="d-flex align-items-center",
    )


def status_text(table: Table) -> str:
    """'Rows 1–50 of 1000, columns 1–20 of 1000' (and the sort)."""
    rows, cols = table.row_page, table.col_page
    text = (f"Rows {rows.start + 1}–{rows.stop} of {rows.total}, "
            f"columns {cols.start + 1}–{cols.stop} of {cols.total}")
    if table.sort is not None:
        direction, column = table.sort
        text += f"; sorted by {'the train dataset' if column is None else column}, {ARIA_SORT[direction]}"
    return text + "."


def legend_text(table: Table) -> str:
    """What the marks of this view mean, in one line."""
    parts = [f"{MARKS[mark][0]} {mark_description(mark, table)}" for mark in possible_marks(table)]
    if table.stars:
        parts.append("* q < 0.05, ** q < 0.01, *** q < 0.001")
    if table.interval_level is not None:
        parts.append(f"[low, high]: the {table.interval_level}% interval")
    if not parts:
        return "No threshold is on: switch one on to mark the cells past it."
    return "Marks: " + "; ".join(parts) + "."


def render(view: View) -> list:
    """The table tab's content for a view."""
    table = table_model(view.matrix, view.state, view.stats)
    caption = (f"{view.matrix.metric}: train datasets (rows) by test datasets (columns), values as on the heatmap. "
               "The column headers sort the rows.")
    header = _element("Tr", [_sort_header(table, None, "Train \\ test"),
                             *(_sort_header(table, column, column) for column in table.cols)])
    descriptions = {mark: mark_description(mark, table) for mark in MARKS}
    body = [_element("Tr", [_element("Th", row, scope="row"), *(_cell(cell, descriptions) for cell in cells)])
            for row, cells in zip(table.rows, table.cells)]
    return [
        html.Div(
            [html.Div(status_text(table), id=ids.TABLE_STATUS, className="small me-auto",
                      **{"aria-live": "polite", "aria-atomic": "true"}),
             _pager("rows", table.row_page), _pager("columns", table.col_page)],
            className="d-flex flex-wrap align-items-center gap-2 mb-1",
        ),
        html.P(legend_text(table), id=ids.TABLE_LEGEND, className="small text-muted mb-1"),
        html.Div(
            html.Table([html.Caption(caption, className="small"), html.Thead(header), html.Tbody(body)],
                       className="table table-sm table-bordered tmx-table"),
            className="tmx-table-scroll",
        ),
    ]


def answer(view: View) -> list:
    return [render(view), table_query(view.query)]


def initial(view: View) -> dict:
    # drawn when the table tab is open, not for every view
    return props_of(OUTPUTS, answer(view)) if view.state.tab == ids.TABLE_TAB else {}


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Store(id=ids.TABLE_SPEC, data={"fields": list(TABLE_FIELDS), "tab": ids.TABLE_TAB,
                                                  "container": ids.TABLE}),
            dcc.Store(id=ids.TABLE_QUERY),
            dcc.Store(id=ids.TABLE_SORT),
            dcc.Store(id=ids.TABLE_ROW_PAGE, data=1),
            dcc.Store(id=ids.TABLE_COL_PAGE, data=1),
            html.Div(id=ids.TABLE, className="tmx-progress"),
        ],
        className="pt-2",
    )


def register(app) -> None:
    # the view's fields the table shows, while its tab is open (assets/table.js)
    app.clientside_callback(
        ClientsideFunction("tmx", "table_query"),
        Output(ids.TABLE_QUERY, "data"),
        Input(ids.VIEW, "data"),
        State(ids.TABLE_QUERY, "data"),
        State(ids.TABLE_SPEC, "data"),
    )

    @app.callback(Output(ids.TABLE, "children"), Input(ids.TABLE_QUERY, "data"), prevent_initial_call=True)
    def draw(query):
        return render(view_from_query(datasets(), query if isinstance(query, str) else ""))

