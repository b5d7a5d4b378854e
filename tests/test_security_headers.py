"""Every response carries the security headers; errors expose no internals."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/api/view", "/healthz", "/assets/app.css", "/nope"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_embedding_can_be_allowed_by_the_deployer(make_app):
    client = make_app(frame_ancestors="https://wiki.example.org").server.test_client()
    headers = client.get("/").headers
    assert "frame-ancestors https://wiki.example.org" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers


def test_api_errors_are_json_without_internals(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {"error": "no API route /api/nothing-here"}


def test_unexpected_errors_hide_the_traceback(app):
    @app.server.get("/api/boom")
    def boom():
        raise RuntimeError("secret internal path /srv/app/x.py")

    response = app.server.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error; the problem was logged"}
    assert b"secret" not in response.get_data()
