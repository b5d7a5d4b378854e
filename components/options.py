"""Options of the train/test dropdowns, computed from the view: `sync` sets them in the same
response as the answer that changes the data, because a Dash 4 dropdown drops a value its
options do not hold when new options arrive. (The dataset lists are built in the browser.)"""

from __future__ import annotations

from transfer.view import View


def row_options(view: View) -> list[str]:
    return list(view.stored.rows)


def col_options(view: View) -> list[str]:
    return list(view.stored.cols)
