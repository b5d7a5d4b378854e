"""How the app is served: behaviour under load and faults (found by benchmarks/load.py and
tests/test_load.py).

- Static bundles are compressed once per worker, not on every request: gzipping plotly.js
  alone took 0.5-0.8 s of a core, so every fresh visitor cost seconds of CPU.
- A callback that meets an unreachable dataset store answers with a visible notice ("try again
  shortly") instead of an HTTP error the page would only log to the console.
- The page lists only the scripts it uses (`App`).
- The layout's figures are written as JSON once while they are cached (`App.serve_layout`).
"""

from __future__ import annotations

import json
import uuid

import flask
from dash import Dash, dcc, set_props
from dash._utils import to_json

from components import ids
from components.state import notice_children
from transfer.lru import ByteLRU
from transfer.store import StoreUnavailable

from . import plotlyjs

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")


def compression_cache_key(request: flask.Request) -> str:
    """Static files by path (their content is fixed while the process runs: Dash fingerprints
    bundles and asset versions are query strings); anything else is never cached ("")."""
    if request.method == "GET" and request.path.startswith(STATIC_PREFIXES):
        return request.path
    return ""


class CompressedStatic:
    """flask-compress's cache backend: an LRU of compressed static files bounded by bytes
    (fingerprint variants of one path could otherwise fill it without bound)."""

    def __init__(self, max_bytes: int = 48 * 2**20):
        self._files = ByteLRU(max_bytes, len)

    @staticmethod
    def _cacheable(key: str) -> bool:
        return not key.endswith(";")  # "<algorithm>;<cache key>" with an empty key: dynamic

    def get(self, key: str) -> bytes | None:
        return self._files.get(key) if self._cacheable(key) else None

    def set(self, key: str, value: bytes) -> None:
        if self._cacheable(key):
            self._files.add(key, value)


PLOTLY_JS_ID = "tmx-plotly"  # the preload of plotly.js, which assets/plotly_workarounds.js runs
PLOTLY_JS_NAMESPACE = plotlyjs.__name__  # the package that holds the page's plotly.js (web.plotlyjs)
# Dash's own plotly.js (all of it, 4.8 MB): dcc.Graph loads it from here if window.Plotly is not set
DASH_PLOTLY_JS = "_dash-component-suites/plotly/package_data/plotly."


class App(Dash):
    """Dash whose page lists only the scripts it uses, and preloads plotly.js.

    - No dash_table: Dash 4 lists its loader (33 KB) on every page; no component is a DataTable.
    - plotly.js is web/plotlyjs's build (only the traces the app draws: 0.4 MB gzipped, not
      1.45 MB), preloaded under its fingerprinted (cached for a year) address, and
      assets/plotly_workarounds.js runs it while the server builds the layout. dcc.Graph would load it only
      once the layout had arrived and the graph mounted: ~70 ms more before the first drawing.
    - Dash's own plotly.js, which dcc.Graph would load if window.Plotly were not set by then, is
      answered with a redirect to the same build: the page never loads all of plotly.js.
    - The layout's graphs' traces are written as JSON once, while the list stays the same object
      (the heatmap's figure cache keeps it), and spliced into Dash's JSON of the rest.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.registered_paths[PLOTLY_JS_NAMESPACE].add(plotlyjs.FILE)  # served before any page is
        # the list kept with its text: its id cannot name another list while the entry lives
        self._traces_json = ByteLRU(self.TRACES_JSON_BYTES, lambda kept: len(kept[1]))
        self.server.before_request(self._plotly_js_redirect)

    def plotly_js_url(self) -> str:
        """The fingerprinted address of the page's plotly.js."""
        return self._collect_and_register_resources(
            [{"relative_package_path": plotlyjs.FILE, "namespace": PLOTLY_JS_NAMESPACE}]
        )[0]

    def _plotly_js_redirect(self):
        if flask.request.path.startswith(self.config.routes_pathname_prefix + DASH_PLOTLY_JS):
            return flask.redirect(self.plotly_js_url(), code=302)
        return None

    # The JSON of figures' traces, by the identity of their list (the heatmap's comes from its
    # figure cache, components/heatmap.py, as long as that keeps it): a warm page link spent ~45 ms
    # of its layout request re-encoding 5 MB of packed cells at 1000 tasks. Bounded by bytes.
    TRACES_JSON_BYTES = 64 * 2**20
    _TOKEN = f"tmx-traces-{uuid.uuid4().hex}-"  # stands in for the traces while the rest is encoded

    def serve_layout(self):
        """Dash's layout response, with each graph's traces spliced in as cached JSON text."""
        layout, spliced = self.get_layout(), []
        for component in [layout, *layout._traverse()]:
            figure = getattr(component, "figure", None) if isinstance(component, dcc.Graph) else None
            traces = figure.get("data") if isinstance(figure, dict) else None
            if isinstance(traces, list) and traces:
                token = f"{self._TOKEN}{len(spliced)}"
                component.figure = {**figure, "data": token}
                spliced.append((json.dumps(token), self._traces_text(traces)))
        text = to_json(layout)
        for token, traces in spliced:
            before, after = text.split(token, 1)
            text = before + traces + after
        return self.backend.make_response(text, mimetype="application/json")

    def _traces_text(self, traces: list) -> str:
        kept = self._traces_json.get(id(traces))
        if kept is None:
            kept = (traces, to_json(traces))
            self._traces_json.add(id(traces), kept)
        return kept[1]

    def interpolate_index(self, **kwargs):
        tags = [tag for tag in kwargs["scripts"].split("\n") if "/dash_table/" not in tag]
        kwargs["scripts"] = "\n".join(
            [f'<link rel="preload" as="script" id="{PLOTLY_JS_ID}" href="{self.plotly_js_url()}">', *tags]
        )
        # the page's language, for screen readers' pronunciation (axe: html-has-lang)
        return super().interpolate_index(**kwargs).replace("<html>", '<html lang="en">', 1)


def cache_headers(response: flask.Response) -> flask.Response:
    """- Files of assets/ under Dash's fingerprint (`?m=<modified>`, new whenever a file changes)
      are cached for good, like Dash's own bundles. Served `no-cache`, every load of the page
      asked for all 13 again before Dash could start (and got the compressed ones whole).
    - The layout depends on the page's link, named in the Referer (components/page.py): never
      stored, and varying with it for any cache on the way."""
    request = flask.request
    if (request.method == "GET" and request.path.startswith("/assets/") and "m" in request.args
            and response.status_code == 200):
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif request.path.endswith("/_dash-layout"):
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Referer")
    return response


def make_server(name: str) -> flask.Flask:
    """The Flask server for Dash, configured before Dash enables compression on it."""
    server = flask.Flask(name)
    server.config.update(COMPRESS_CACHE_BACKEND=CompressedStatic, COMPRESS_CACHE_KEY=compression_cache_key)
    server.after_request(cache_headers)
    return server


def callback_error(err: Exception):
    """Dash's `on_error` for every callback: an unreachable store leaves the outputs as they are
    and shows a notice; anything else goes on to the server's error handler (logged, 500)."""
    if isinstance(err, StoreUnavailable):
        message = "The dataset store cannot be reached right now; try again shortly. Bundled datasets still open."
        flask.current_app.logger.warning("callback answered 'store unavailable': %s", err.__cause__ or err)
        set_props(ids.NOTICES, {"children": notice_children([message])})
        return None  # no_update for every output
    raise err
