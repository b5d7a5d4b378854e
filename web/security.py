"""Security headers, request limits and error pages: safe defaults for a server anyone with a
link can reach."""

from __future__ import annotations

import hmac
from html import escape
from typing import Any

import flask
from dash.exceptions import DependencyException
from werkzeug.exceptions import HTTPException, NotFound

# Longer query strings are refused before any parsing (414). gunicorn refuses request lines over
# 4,094 bytes itself; this holds behind any other server too. ViewState reads 4,000 at most.
MAX_QUERY_BYTES = 4096
UPLOAD_TOKEN_KEY = "TMX_UPLOAD_TOKEN"


def content_security_policy(script_hashes: list[str], frame_ancestors: str) -> str:
    """Only the app's own scripts (plus Dash's inline bootstrap, by hash); no eval anywhere.

    plotly.js writes style attributes and draws images from data: URLs, so styles may be inline
    and images may be data:/blob:; nothing may be loaded from another origin.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(script_hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def token_matches(given: Any, expected: str | None) -> bool:
    """Whether a request may store a dataset: always when no token is set, else only with it
    (compared in constant time)."""
    if not expected:
        return True
    return isinstance(given, str) and hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _is_pattern(component_id: Any) -> bool:
    """A pattern-matching id ({"type": ..., "index": ALL}); Dash's callback map keeps it as JSON text."""
    return isinstance(component_id, dict) or (isinstance(component_id, str) and component_id.startswith("{"))


def _is_binding(entry: Any, declared: dict) -> bool:
    """One entry of a callback request's `inputs`/`state` against its declaration: the same id and
    property, or for a pattern-matching (dict) id a list of entries with dict ids."""
    if _is_pattern(declared["id"]):
        def matches(item):
            return (isinstance(item, dict) and isinstance(item.get("id"), dict)
                    and item.get("property") == declared["property"])
        return all(map(matches, entry)) if isinstance(entry, list) else matches(entry)  # ALL or MATCH
    return (isinstance(entry, dict) and entry.get("id") == declared["id"]
            and entry.get("property") == declared["property"])


def _is_output(entry: Any) -> bool:
    if isinstance(entry, list):  # pattern-matching output: one entry per matching component
        return all(map(_is_output, entry))
    return (isinstance(entry, dict) and isinstance(entry.get("id"), (str, dict))
            and isinstance(entry.get("property"), str))


def callback_request_problem(body: Any, callback_map: dict) -> str | None:
    """Why a body sent to Dash's callback endpoint is not one the page could send (None if it
    could). Dash itself assumes a well-formed body and fails with a KeyError/TypeError (a 500)."""
    if not isinstance(body, dict):
        return "expected a JSON object"
    callback = callback_map.get(body.get("output")) if isinstance(body.get("output"), str) else None
    if callback is None or "callback" not in callback:  # clientside callbacks run in the browser only
        return "unknown callback output"
    for key in ("inputs", "state"):
        entries, declared = body.get(key, []), callback[key]
        if (not isinstance(entries, list) or len(entries) != len(declared)
                or not all(map(_is_binding, entries, declared))):
            return f"'{key}' does not match the callback"
    declared, outputs = callback["output"], body.get("outputs")
    if isinstance(declared, list):
        fits = isinstance(outputs, list) and len(outputs) == len(declared) and all(map(_is_output, outputs))
    else:
        fits = _is_output(outputs)
    if not fits:
        return "'outputs' does not match the callback"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(prop, str) for prop in changed):
        return "'changedPropIds' must be a list of strings"
    return None


def _json_paths(app) -> tuple[str, ...]:
    """Paths whose errors answer JSON (the API, the health check and Dash's own endpoints);
    others are pages, whose errors answer the HTML page (`error_page`)."""
    return ("/api/", "/healthz", app.config.routes_pathname_prefix + "_")


JSON_PATHS_KEY = "TMX_JSON_PATHS"

# Self-contained: no script, stylesheet, font or image to load (the page may be all a client
# gets from a server in trouble, and the Content-Security-Policy applies to it too).
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} {title} - Transfer Matrix Explorer</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212529; margin: 0;
       background: #f8f9fa; }}
main {{ max-width: 36rem; margin: 12vh auto; padding: 1.5rem 2rem; background: #fff; border: 1px solid #dee2e6;
       border-radius: .5rem; }}
h1 {{ font-size: 1.4rem; margin: 0 0 .75rem; }}
p {{ line-height: 1.5; }}
.status {{ color: #6c757d; font-size: .9rem; margin: 0; }}
a {{ color: #0d6efd; }}
</style>
</head>
<body>
<main>
<p class="status">Error {status}: {name}</p>
<h1>{title}</h1>
<p>{message}</p>
<p><a href="/">Open the Transfer Matrix Explorer</a></p>
</main>
</body>
</html>
"""

# What a person is told for the errors a page request meets; the message says what to do.
_PAGE_TEXT = {
    400: ("The request could not be read", "The link may have been cut or altered on the way."),
    404: ("There is no such page", "The link may have been mistyped."),
    405: ("This page cannot be used that way", "Open it as a link instead."),
    413: ("The request is too large", "Smaller requests are accepted."),
    414: (
        "This link is too long",
        "The link may have been garbled on the way: ask for it again, or start from the default view.",
    ),
    500: ("Something went wrong", "The problem was logged. Try again, or start from the default view."),
    503: ("The service is unavailable right now", "Try again shortly."),
}


def error_page(status: int, name: str, detail: str | None = None) -> flask.Response:
    """A small self-contained HTML page for an error met by a page request, with a link home."""
    title, advice = _PAGE_TEXT.get(status, ("The request failed", "Try again, or start from the default view."))
    message = f"{detail[:300]} {advice}" if detail else advice
    body = _PAGE.format(status=status, name=escape(name), title=escape(title), message=escape(message))
    return flask.Response(body, status=status, mimetype="text/html")


def wants_json(request: flask.Request) -> bool:
    """Whether an error answers JSON: always on the API and Dash's endpoints; elsewhere (pages)
    only for a client that asks for JSON rather than HTML."""
    if request.path.startswith(flask.current_app.config.get(JSON_PATHS_KEY, ("/api/",))):
        return True
    accepted = request.accept_mimetypes
    return accepted.best_match(("text/html", "application/json"), default="text/html") == "application/json"


def error_response(status: int, name: str, message: str, page_message: str | None = None):
    """The answer to a failed request: JSON {"error": message} for the API, the HTML page (with
    `page_message`, or the message as a sentence) for a page. Neither holds internals."""
    if wants_json(flask.request):
        return flask.jsonify({"error": message}), status
    return error_page(status, name, page_message or message[:1].upper() + message[1:] + ".")


def install(app, frame_ancestors: str = "'none'") -> None:
    """Add the headers to every response, enforce request limits and answer errors without internals."""
    server: flask.Flask = app.server
    policy = content_security_policy(app.csp_hashes(), frame_ancestors)
    callback_path = app.config.routes_pathname_prefix + "_dash-update-component"
    server.config[JSON_PATHS_KEY] = _json_paths(app)

    @server.before_request
    def enforce_limits():
        request = flask.request
        if len(request.query_string) > MAX_QUERY_BYTES:
            size = len(request.query_string)
            return error_response(
                414, "URI Too Long", f"the query string is {size:,} bytes; at most {MAX_QUERY_BYTES:,} are accepted",
                f"The part of this link after '?' is {size:,} bytes long; this server accepts at most "
                f"{MAX_QUERY_BYTES:,}.",
            )
        if request.path == callback_path and request.method == "POST":
            body = request.get_json(silent=True)  # the size limit applies here (413)
            problem = "the body is not JSON" if body is None else callback_request_problem(body, app.callback_map)
            if problem:
                return flask.jsonify({"error": f"malformed callback request: {problem}"}), 400
        return None

    @server.after_request
    def add_headers(response: flask.Response) -> flask.Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if frame_ancestors == "'none'":
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @server.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code is None or err.code < 400:  # a routing redirect, not an error
            return err
        if wants_json(flask.request):
            return flask.jsonify({"error": f"{err.code} {err.name}: {err.description}"}), err.code
        return error_page(err.code, err.name)

    @server.errorhandler(DependencyException)
    def unknown_component_file(_err):
        # Dash raises this (listing every registered file) for a component-suite path it does
        # not serve: a client's mistake, a 404, not an error to log.
        return http_error(NotFound())

    @server.errorhandler(Exception)
    def unexpected_error(err: Exception):
        # Logged with its traceback for the operator; the client sees no internals.
        server.logger.exception("unhandled error on %s", flask.request.path)
        if isinstance(err, HTTPException):
            return http_error(err)
        return error_response(500, "Internal Server Error", "internal error; the problem was logged")
