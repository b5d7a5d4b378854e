"""Options of the controls whose choices depend on the view, computed from it: `sync` sets them
in the same response as the answer that changes the data, because a Dash 4 dropdown drops a
value its options do not hold when new options arrive. (The dataset lists are built in the
browser.)"""

from __future__ import annotations

from transfer import palettes
from transfer.view import View

ORDER_OPTIONS = [{"label": "File order", "value": "data"}, {"label": "Cluster order", "value": "cluster"}]
GROUP_ORDER_OPTION = {"label": "Annotation groups", "value": "group"}


def _shown(view: View):
    """The displayed matrix in the file's order: after the filters, or the collapsed groups (a
    selection names one of these; resolve_shown drops any other)."""
    return view.derived if view.derived is not None else view.stored


def row_options(view: View) -> list[str]:
    return list(_shown(view).rows)


def col_options(view: View) -> list[str]:
    return list(_shown(view).cols)


def order_options(view: View) -> list[dict]:
    """File and cluster order, and the annotations' groups when the view has annotations."""
    return ORDER_OPTIONS + ([GROUP_ORDER_OPTION] if view.annotations is not None else [])


def field_options(view: View) -> list[dict]:
    """The fields of the view's annotations (none without annotations)."""
    return [{"label": name, "value": name} for name in view.annotations.fields] if view.annotations else []


PALETTE_DEFAULT = "default"  # the "Colours" option of the kind's default palette (left out of the link)


def palette_options(view: View) -> list[dict]:
    """The palettes of the displayed matrix's kind of scale, its default first."""
    kind = view.matrix.scale_kind
    return [{"label": palettes.PALETTES[name].label,
             "value": PALETTE_DEFAULT if name == palettes.DEFAULT[kind] else name} for name in palettes.names_of(kind)]
