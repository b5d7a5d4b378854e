"""The page while the dataset store is down, in real Chromium: a visible notice, no failed request."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from components import ids

from browser import wait_for_heatmap
from conftest import free_port, wait_http


def test_a_link_to_an_upload_while_the_store_is_down_shows_a_notice(make_app, page):
    # A PostgreSQL URL where nothing listens: the store is unreachable from the start.
    app = make_app(database_url=f"postgresql+psycopg://tmx:tmx@127.0.0.1:{free_port()}/tmx")
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        page.goto(f"http://127.0.0.1:{port}/?dataset={'ab' * 16}&row=x")
        notice = page.wait_for_selector(f"#{ids.NOTICES} .alert", timeout=20_000)
        assert "cannot be reached right now; try again shortly" in notice.inner_text()
        assert page.evaluate("() => window.location.search") == f"?dataset={'ab' * 16}&row=x"  # the link is kept
        # Bundled datasets still open from the same page.
        page.goto(f"http://127.0.0.1:{port}/?dataset=mistral-7b-instruct_auc-diff")
        wait_for_heatmap(page)
        assert console_errors == []
    finally:
        server.shutdown()
