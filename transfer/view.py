"""A view: a link's state resolved against the stored data, and its JSON twin (/api/view).

`open_view` is the one path from a query string (or control values) to what is shown; both the
page's callbacks and the HTTP API use it, so the JSON describes exactly what the page draws.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .datasets import Datasets
from .matrix import TransferMatrix, values_to_json
from .thresholds import highlight_json
from .viewstate import ViewState, parse_query, resolve


@dataclass(frozen=True)
class View:
    state: ViewState  # resolved and valid for `source`
    notices: tuple[str, ...]
    dataset_id: str
    source: TransferMatrix  # the matrix as stored
    matrix: TransferMatrix  # the matrix as displayed (derived and ordered)

    @property
    def query(self) -> str:
        return self.state.to_query()


def open_view(datasets: Datasets, state: ViewState, notices: list[str] | tuple[str, ...] = ()) -> View:
    """Resolve a parsed state: unknown datasets fall back to the default with a notice."""
    notices = list(notices)
    source = datasets.get(state.dataset)
    if source is None:
        if state.dataset is not None:
            notices.append(f"Unknown dataset '{state.dataset}'; showing the default dataset.")
        state = replace(state, dataset=datasets.default_id)
        source = datasets.get(state.dataset)
    state, more = resolve(state, source, known_dataset=lambda other: datasets.get(other) is not None)
    notices.extend(more)
    derived = derived_matrix(datasets, source, state)
    return View(state=state, notices=tuple(notices), dataset_id=state.dataset, source=source, matrix=arranged_matrix(derived, state))


def view_from_query(datasets: Datasets, query: str | None) -> View:
    state, notices = parse_query(query)
    return open_view(datasets, state, notices)


def derived_matrix(datasets: Datasets, source: TransferMatrix, state: ViewState) -> TransferMatrix:
    """The values the view shows: the source, or a comparison / normalisation of it (`compare`, `norm`)."""
    return source


def arranged_matrix(matrix: TransferMatrix, state: ViewState) -> TransferMatrix:
    """The displayed matrix in display order (`order=data` keeps the file's order)."""
    return matrix


def view_json(view: View) -> dict:
    """The JSON twin of a view: a pure function of the link and the stored data."""
    matrix = view.matrix
    highlight = highlight_json(matrix, view.state)
    return {
        "query": view.query,
        "notices": list(view.notices),
        "state": view.state.as_dict(),
        "dataset": {
            "id": view.dataset_id,
            "name": view.source.name,
            "metric": view.source.metric,
            "neutral": view.source.neutral,
            "description": view.source.description,
            "source": view.source.source,
            "shape": list(view.source.shape),
        },
        "color_range": list(matrix.value_range()),
        "rows": list(matrix.rows),
        "cols": list(matrix.cols),
        "values": values_to_json(matrix.values),
        **({"highlight": highlight} if highlight else {}),
    }
