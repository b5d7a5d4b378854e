"""Options of bound dropdowns, computed from the view: the URL sync sets them in the same
response as the value, because a Dash 4 dropdown drops a value its options do not (yet) hold."""

from __future__ import annotations

from transfer.view import View

from .context import datasets


def dataset_options(view: View) -> list[dict]:
    """The catalogue, plus the shown matrix when it is an upload (reached by its link)."""
    options = [{"label": entry.name, "value": entry.id} for entry in datasets().entries]
    if not datasets().is_bundled(view.dataset_id):
        options.insert(0, {"label": f"Uploaded: {view.source.name or view.dataset_id[:8]}", "value": view.dataset_id})
    return options


def compare_options(view: View) -> list[dict]:
    """Every catalogue matrix but the shown one, plus an uploaded one the link compares with."""
    options = [{"label": entry.name, "value": entry.id} for entry in datasets().entries if entry.id != view.dataset_id]
    compare_id = view.state.compare
    if compare_id and compare_id not in {option["value"] for option in options}:
        name = view.comparison.other.name if view.comparison else ""
        options.insert(0, {"label": f"Uploaded: {name or compare_id[:8]}", "value": compare_id})
    return options


def row_options(view: View) -> list[str]:
    return list(view.source.rows)


def col_options(view: View) -> list[str]:
    return list(view.source.cols)
