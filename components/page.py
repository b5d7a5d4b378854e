"""The page skeleton: panels composed into one responsive layout."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from web import services

from . import annotations, breakdown, clustering, compare, header, ids, insights, registry, state, thresholds, upload


def layout() -> html.Div:
    """The page, drawn for its link: every control, the heatmap and the panels' server-side
    content already show the view, so the browser draws it without a round of callbacks (which
    would start only after Dash has rendered the empty page). Content drawn in the browser
    (breakdown panels, highlight) comes from the initial calls of its clientside callbacks."""
    page = skeleton()
    view = services.link_view()
    if view is not None:
        wanted: dict[str, dict] = {}
        for (component_id, prop), value in registry.arrival(view, services.link_query()).items():
            wanted.setdefault(component_id, {})[prop] = value
        for component in page._traverse():
            component_id = getattr(component, "id", None)
            for prop, value in wanted.get(component_id, {}).items() if isinstance(component_id, str) else ():
                # a prop left unset stays unset: a Store given data=None reports a change on mount
                if value is not None or getattr(component, prop, None) is not None:
                    setattr(component, prop, value)
    return page


def view_stores() -> list:
    """The view state's stores (components/state.py, assets/view.js)."""
    return [
        dcc.Store(id=ids.VIEW),
        dcc.Store(id=ids.VIEW_REQUEST),
        dcc.Store(id=ids.VIEW_ANSWER),
        dcc.Store(id=ids.VIEW_OPEN),
        dcc.Store(id=ids.VIEW_SPEC, data=state.view_spec()),
        dcc.Store(id=ids.CATALOGUE, data=state.catalogue()),
        dcc.Store(id=ids.REMEMBERED, storage_type="local", data=[]),
    ]


SKIP_LABEL = "Skip to the heatmap"


def skip_link() -> html.A:
    """The page's first focusable element: to the heatmap's one tab stop (shown only when focused)."""
    return html.A(SKIP_LABEL, href=f"#{ids.HEATMAP_KEYS}", className="visually-hidden-focusable tmx-skip")


def section(card: dbc.Card, key: str, name: str) -> dbc.Card:
    """A side card that folds to its header: a toggle button at the header's end. Folded by
    default on a phone, open on wider screens (assets/responsive.css; assets/responsive.js flips
    it and keeps the button's aria-expanded true to what is shown). Classes tmx-section and
    tmx-section-{key}."""
    header = next(part for part in card.children if isinstance(part, dbc.CardHeader))
    toggle = html.Button(
        html.Span(className="tmx-chevron", **{"aria-hidden": "true"}), type="button",
        className="tmx-section-toggle btn btn-sm btn-link p-0 px-1",
        title=f"Show or hide {name}", **{"aria-expanded": "true", "aria-label": f"Show or hide {name}"},
    )
    parts = header.children if isinstance(header.children, list) else [header.children]
    header.children = [*parts, toggle]
    card.className = f"{getattr(card, 'className', None) or ''} tmx-section tmx-section-{key}".strip()
    return card


def side_panels() -> list:
    """The side column, top to bottom: the breakdowns (beside the heatmap on a laptop's first
    screen), then the controls, each a folding section: thresholds, clustering, tasks, comparison,
    insights, upload."""
    controls = [(thresholds, "Highlight transfer"), (clustering, "Clustering"), (annotations, "Tasks"),
                (compare, "Compare and normalise"), (insights, "Insights"), (upload, "Your matrix")]
    return [breakdown.layout(), *(section(module.layout(), module.__name__.rsplit(".", 1)[-1], name)
                                  for module, name in controls), html.Div(id=ids.REMEMBERED_LIST)]


def skeleton() -> html.Div:
    return html.Div(
        [
            skip_link(),
            *view_stores(),
            header.layout(),
            dbc.Container(
                [
                    html.Div(id=ids.NOTICES),
                    header.info_layout(),
                    dbc.Row(
                        [
                            dbc.Col(
                                dbc.Tabs(
                                    [dbc.Tab(tab.layout(), label=tab.label, tab_id=tab.id) for tab in registry.TABS],
                                    id=ids.TABS,
                                    active_tab=ids.HEATMAP_TAB,
                                ),
                                lg=7,
                                className="mb-2",
                            ),
                            # Controls and side panels, stacked (below the heatmap on a phone or tablet)
                            dbc.Col(
                                side_panels(),
                                lg=5,
                                className="mb-2 tmx-side d-flex flex-column gap-2",
                            ),
                        ],
                        className="g-2",
                    ),
                ],
                fluid=True,
                tag="main",  # the page's main landmark (axe: landmark-one-main, region); the header is its banner
            ),
        ]
    )
