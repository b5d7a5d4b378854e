"""The table view (`tab=table`): the displayed matrix as a table, one window of it at a time.

The matrix is the one the heatmap draws (`View.matrix`: after compare and norm, filter, where and
collapse, in the display order), and the table keeps that order unless the link sorts it
(`tsort`): by one test dataset's values, ascending or descending, missing values last and ties
in the display order; or by the row label. Only the window of the link's pages (`trpage`,
`tcpage`; `TABLE_PAGE_ROWS` x `TABLE_PAGE_COLS` cells) is formatted, so a 1000 x 1000 matrix
costs about what a small one does.

Each value reads as the heatmap's cell text writes it (`transfer.figures.cell_text`, with the
significance stars when the view marks them), each cell carries its highlight class from the
view's thresholds (`transfer.thresholds.classify`, significance included with `sig`), and with
replicates its interval as the hover writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from .figures import cell_text, interval_text
from .matrix import TransferMatrix
from .thresholds import classify
from .uncertainty import CellStats
from .uncertainty import marks as significance_marks
from .viewstate import TABLE_PAGE_COLS, TABLE_PAGE_ROWS, ViewState, format_number

# A cell's highlight class. "positive"/"negative": highlighted by a threshold; "positive-ns" /
# "negative-ns": past a threshold but not significant at `sig`, so not highlighted; "in-domain":
# an in-domain cell left out of the highlighting (`diag=0`); "": none of these.
POSITIVE, NEGATIVE = "positive", "negative"
POSITIVE_NS, NEGATIVE_NS = "positive-ns", "negative-ns"
IN_DOMAIN = "in-domain"
MISSING_TEXT = "missing"

# Each class's visible mark (never colour alone) and the words a screen reader says for it
# ({pos}, {neg}: the thresholds; {sig}: the significance level).
MARKS = {
    POSITIVE: ("▲", "positive transfer: at or above the positive threshold {pos}"),
    NEGATIVE: ("▼", "negative transfer: at or below the negative threshold {neg}"),
    POSITIVE_NS: ("△", "at or above the positive threshold {pos} but not significant at q < {sig}"),
    NEGATIVE_NS: ("▽", "at or below the negative threshold {neg} but not significant at q < {sig}"),
    IN_DOMAIN: ("⊘", "in-domain cell, left out of the highlighting"),
}


@dataclass(frozen=True)
class TableCell:
    text: str  # the value as the heatmap's cell text writes it (with its stars), or MISSING_TEXT
    mark: str = ""  # the highlight class (see MARKS), "" for none
    interval: str | None = None  # "[low, high]" with replicates, where the cell has an interval

    def to_json(self) -> dict:
        return {"text": self.text, "mark": self.mark, "interval": self.interval}


@dataclass(frozen=True)
class TablePage:
    """Which part of one axis the window shows: page `page` of `pages`, items start..stop-1 of `total`."""

    page: int
    pages: int
    start: int
    stop: int
    total: int

    def to_json(self) -> dict:
        return {"page": self.page, "pages": self.pages, "first": self.start + 1, "last": self.stop, "total": self.total}


@dataclass(frozen=True)
class Table:
    """The window of the table a view shows: its row and column labels in table order, its cells
    row by row, and what sorts it and which pages it shows."""

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: tuple[tuple[TableCell, ...], ...]
    sort: tuple[str, str | None] | None  # the view's `tsort`: (direction, test dataset or None for the row label)
    row_page: TablePage
    col_page: TablePage
    metric: str
    thresholds: dict  # {"pos", "neg", "diag", "sig"} of the view: what the marks mean
    interval_level: int | None  # the intervals' level (percent) with replicates, else None
    stars: bool  # the values carry significance stars

    def to_json(self) -> dict:
        """/api/view's `table`."""
        direction, column = self.sort if self.sort else (None, None)
        return {
            "sort": None if self.sort is None else {"direction": direction, "col": column},
            "rows": list(self.rows), "cols": list(self.cols),
            "row_page": self.row_page.to_json(), "col_page": self.col_page.to_json(),
            "text": [[cell.text for cell in row] for row in self.cells],
            "marks": [[cell.mark for cell in row] for row in self.cells],
            "intervals": ([[cell.interval for cell in row] for row in self.cells]
                          if self.interval_level is not None else None),
            "interval_level": self.interval_level,
        }


def row_order(matrix: TransferMatrix, sort: tuple[str, str | None] | None) -> np.ndarray:
    """The displayed rows' indices in table order: the display order, or sorted by `sort`.

    By a column's values: missing values last in both directions, equal values in the display
    order (a stable sort). By the row label: case-insensitively (then by the exact text)."""
    n = matrix.shape[0]
    if sort is None:
        return np.arange(n)
    direction, column = sort
    if column is None:
        order = sorted(range(n), key=lambda i: (matrix.rows[i].casefold(), matrix.rows[i]))
        return np.array(order[::-1] if direction == "desc" else order, dtype=np.intp)
    values = matrix.values[:, matrix.cols.index(column)]
    # numpy sorts NaN last; negated values sort descending with NaN still last, ties kept in order
    return np.argsort(-values if direction == "desc" else values, kind="stable")


def page_of(total: int, size: int, page: int) -> TablePage:
    """Page `page` (clamped to 1..the last) of `total` items, `size` a page."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    return TablePage(page, pages, start, min(start + size, total), total)


def highlight_classes(window: TransferMatrix, state: ViewState, significant: np.ndarray | None) -> np.ndarray:
    """Each window cell's highlight class (see MARKS) under the view's thresholds; `significant`
    (the window's cells significant at `sig`) when the view highlights significant cells only."""
    classes = np.full(window.shape, "", dtype=object)
    if state.pos is None and state.neg is None:
        return classes
    highlight = classify(window, state.pos, state.neg, state.diag, significant)
    if significant is not None:
        past = classify(window, state.pos, state.neg, state.diag)
        classes[past.positive & ~highlight.positive] = POSITIVE_NS
        classes[past.negative & ~highlight.negative] = NEGATIVE_NS
    classes[highlight.positive] = POSITIVE
    classes[highlight.negative] = NEGATIVE
    if not state.diag:
        classes[window.diagonal_mask & ~np.isnan(window.values)] = IN_DOMAIN
    return classes


def window_stats(stats: CellStats, at: tuple) -> CellStats:
    """The statistics of the cells `at` (an `np.ix_` of rows and columns) alone."""
    return replace(stats, **{f.name: getattr(stats, f.name)[at] for f in fields(stats)
                             if isinstance(getattr(stats, f.name), np.ndarray)})


def table_model(matrix: TransferMatrix, state: ViewState, stats: CellStats | None = None) -> Table:
    """The table of a view's displayed matrix (`View.matrix`, `View.state`, `View.stats`): the
    window of its pages, sorted by `tsort`."""
    order = row_order(matrix, state.tsort)
    row_page = page_of(matrix.shape[0], TABLE_PAGE_ROWS, state.trpage)
    col_page = page_of(matrix.shape[1], TABLE_PAGE_COLS, state.tcpage)
    rows = order[row_page.start:row_page.stop]
    cols = np.arange(col_page.start, col_page.stop)
    window = matrix.reordered(rows, cols)
    # the window's statistics (q-values are adjusted over the whole matrix, then cut out)
    stats = window_stats(stats, np.ix_(rows, cols)) if stats is not None else None
    significant = stats.significant(state.sig) if stats is not None and state.sig is not None else None
    classes = highlight_classes(window, state, significant)
    stars = stats is not None and state.marks
    star_text = significance_marks(stats.codes()) if stars else np.full(window.shape, "")
    with_interval = stats is not None
    low, high = (stats.ci_low, stats.ci_high) if with_interval else (None, None)
    cells = []
    for i, values in enumerate(window.values):
        line = []
        for j, value in enumerate(values):
            if np.isnan(value):
                line.append(TableCell(MISSING_TEXT))
                continue
            interval = (interval_text(low[i, j], high[i, j])
                        if with_interval and not np.isnan(low[i, j]) else None)
            line.append(TableCell(cell_text(value) + str(star_text[i, j]), classes[i, j], interval))
        cells.append(tuple(line))
    return Table(
        rows=window.rows, cols=window.cols, cells=tuple(cells), sort=state.tsort, row_page=row_page,
        col_page=col_page, metric=matrix.metric,
        thresholds={"pos": state.pos, "neg": state.neg, "diag": state.diag,
                    "sig": state.sig if stats is not None else None},
        interval_level=stats.level if with_interval else None, stars=stars,
    )


def mark_description(mark: str, table: Table) -> str:
    """What a cell's mark means, with the thresholds' numbers (and the significance level)."""
    if not mark:
        return ""
    numbers = {name: "" if value is None else format_number(value) for name, value in table.thresholds.items()}
    return MARKS[mark][1].format(**numbers)


def possible_marks(table: Table) -> list[str]:
    """The marks a table's view can show, in MARKS order: what its legend explains."""
    limits = table.thresholds
    on = {POSITIVE: limits["pos"] is not None, NEGATIVE: limits["neg"] is not None}
    on[POSITIVE_NS] = on[POSITIVE] and limits["sig"] is not None
    on[NEGATIVE_NS] = on[NEGATIVE] and limits["sig"] is not None
    on[IN_DOMAIN] = (on[POSITIVE] or on[NEGATIVE]) and not limits["diag"]
    return [mark for mark in MARKS if on[mark]]
