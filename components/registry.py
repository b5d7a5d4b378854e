"""The panels, in one place: `web.factory` registers their callbacks in this order (the view
state's first: every other panel reads it), components/page.py lays out the tabs from `TABS`,
and a page arriving for a link shows the content of the panels `drawn_on_arrival`.

A new panel is a module with `layout()` and `register(app)` (and `initial(view)` if the page
should arrive with its content), added here, and placed on the page in components/page.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from . import (
    annotations,
    breakdown,
    clustering,
    compare,
    downloads,
    header,
    heatmap,
    ids,
    insights,
    multiples,
    share,
    state,
    table,
    thresholds,
    uncertainty,
    upload,
)


@dataclass(frozen=True)
class Panel:
    module: ModuleType  # its `register(app)` adds the panel's callbacks
    # `initial(view)`: the panel's callbacks' answer for a view, as {(id, prop): value}, which the
    # page's layout carries when it is drawn for its link (components/page.py)
    drawn_on_arrival: bool = False


@dataclass(frozen=True)
class Tab:
    id: str  # its tab_id, and the link's `tab` value (transfer.viewstate.TABS)
    label: str
    layout: Callable[[], Any]


# The view state (components/state.py) is not among them: it comes first, before every panel.
PANELS = (
    Panel(header, drawn_on_arrival=True),
    Panel(heatmap, drawn_on_arrival=True),
    Panel(share),
    Panel(upload, drawn_on_arrival=True),
    Panel(downloads, drawn_on_arrival=True),  # laid out inside upload's card
    Panel(compare),
    Panel(breakdown),
    Panel(thresholds, drawn_on_arrival=True),
    Panel(uncertainty, drawn_on_arrival=True),  # laid out inside the thresholds card
    Panel(insights),
    Panel(multiples, drawn_on_arrival=True),
    Panel(clustering, drawn_on_arrival=True),
    Panel(annotations, drawn_on_arrival=True),  # the "Tasks" card
    Panel(table, drawn_on_arrival=True),  # the table tab
)

TABS = (
    Tab(ids.HEATMAP_TAB, "Heatmap", heatmap.layout),
    Tab(ids.DENDROGRAM_TAB, "Dendrogram", clustering.tab_layout),
    Tab(ids.MULTIPLES_TAB, "Small multiples", multiples.layout),
    Tab(ids.TABLE_TAB, "Table", table.layout),
)


def register(app) -> None:
    """Every callback of the page: the view state's, then each panel's."""
    state.register(app)
    for panel in PANELS:
        panel.module.register(app)


def arrival(view, requested: str | None) -> dict:
    """What the page's layout shows when drawn for `view`, as {(id, prop): value}: the view
    state's controls, then the panels drawn on arrival (`requested`: see `state.initial`)."""
    props = dict(state.initial(view, requested))
    for panel in PANELS:
        if panel.drawn_on_arrival:
            props.update(panel.module.initial(view))
    return props
