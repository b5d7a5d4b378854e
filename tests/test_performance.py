"""Behaviour behind the performance benchmarks' figures (never timings): callback JSON without plotly's slash
escapes, through the real callback and flask-compress."""

from __future__ import annotations

import gzip
import json
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from transfer.viewstate import ViewState  # noqa: E402
from web.routes import unescape_slashes  # noqa: E402

from dash_client import Callbacks  # noqa: E402


def test_unescaping_keeps_every_string_exactly():
    from dash._utils import to_json

    value = {
        "a": "x/y", "literal": "\\u002f stays", "backslash then slash": "\\/", "html": "</script>", "none": "plain",
    }
    encoded = to_json(value).encode()
    assert b"\\u002f" in encoded
    compact = unescape_slashes(encoded)
    assert json.loads(compact) == value
    assert compact.count(b"/") == 3 and len(compact) < len(encoded)


def test_heatmap_callback_response_has_no_slash_escapes_and_is_compressed(client):
    callbacks = Callbacks(client.get("/_dash-dependencies").get_json())
    body = callbacks.body("heatmap-meta.data", ViewState(order="cluster", k=3), changed="norm")
    response = client.post(
        "/_dash-update-component", data=body, content_type="application/json", headers={"Accept-Encoding": "gzip"},
    )
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    text = gzip.decompress(response.get_data())
    assert b"\\u002f" not in text and b"bdata" in text
    figure = json.loads(text)["response"]["heatmap"]["figure"]
    assert len(figure["data"]) > 5 and figure["data"][0]["z"]["tmx"]["decimals"] == 2  # packed (transfer.wire)
    assert b"/" in text  # there were slashes to unescape (in base64 text)
