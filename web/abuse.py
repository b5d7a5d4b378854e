"""Abuse limits for a public deployment: uploads are rate-limited per client address, and the
store's total size has a quota. Viewing is never limited.

- One budget per client address (`TMX_UPLOAD_RATE`, default 30 a minute) shared by every way of
  storing data: POST /api/datasets, POST /api/annotations, the page's drop zone (and its
  column-mapping step) and the neutral value's copy. Counted by Flask-Limiter (a moving window)
  in `TMX_LIMIT_STORAGE` (default in this process's memory; `redis://...` for instances that
  share one budget). The API answers 429 with `Retry-After`; the page says when to try again.
- The client address is the request's `remote_addr`: the peer of the connection, or with
  `TMX_TRUSTED_PROXIES=n` the address the n-th proxy from the app saw in X-Forwarded-For
  (werkzeug's ProxyFix; gunicorn's FORWARDED_ALLOW_IPS covers the scheme only).
- The quota (`TMX_STORE_QUOTA`, default 1 GB) is `transfer.store.DatasetStore`'s: StoreFull,
  answered 507 by the API and as a message under the drop zone.
"""

from __future__ import annotations

import math
import re
import time

import flask
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.errors import ConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from transfer.store import StoreFull, format_bytes

DEFAULT_UPLOAD_RATE = "30/minute"
DEFAULT_STORE_QUOTA = "1GB"
UPLOADS_SCOPE = "uploads"  # the one budget every way of storing data draws on
_LIMIT_KEY = "TMX_UPLOAD_LIMIT"
_UNLIMITED = ("none", "0", "unlimited")
_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)


def parse_rate(text: str | None, name: str = "TMX_UPLOAD_RATE") -> str | None:
    """A rate in Flask-Limiter's notation ("30/minute", "10 per hour", "5/second;100/day"),
    None for no limit ("none" or "0"); ValueError saying what is wrong."""
    text = (text or "").strip()
    if text.lower() in _UNLIMITED:
        return None
    try:
        items = parse_many(text)
    except ValueError:
        items = []
    if not items or any(item.amount < 1 for item in items):
        raise ValueError(f"{name}={text!r} is not a rate: write a count per period, e.g. '30/minute', "
                         f"'10 per hour' or '5/second;100/day' (or 'none' for no limit)")
    return text


def parse_quota(text: str | None, name: str = "TMX_STORE_QUOTA") -> int | None:
    """Bytes from "2GB", "500 MB", "1.5G", "1048576" (units are powers of 1024), None for no
    quota ("none" or "0"); ValueError saying what is wrong."""
    text = (text or "").strip()
    if text.lower() in _UNLIMITED:
        return None
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"{name}={text!r} is not a size: write bytes with a unit, e.g. '2GB', '500MB' "
                         f"(KB, MB, GB, TB: powers of 1024), or 'none' for no quota")
    return math.floor(float(match.group(1)) * _UNITS[match.group(2).lower()]) or None


def parse_proxies(text: str | None, name: str = "TMX_TRUSTED_PROXIES") -> int:
    """How many proxies append to X-Forwarded-For: a whole number >= 0 ("" is 0)."""
    text = (text or "0").strip()
    if not text.isdigit():
        raise ValueError(f"{name}={text!r} is not a number of proxies: write 0 (none), 1 (e.g. nginx) or more")
    return int(text)


def install(app, rate: str | None, storage_uri: str, trusted_proxies: int = 0) -> None:
    """The upload limiter on the app's server; with no rate, uploads are not limited."""
    server: flask.Flask = app.server
    if trusted_proxies:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=trusted_proxies, x_proto=0, x_host=0, x_port=0,
                                   x_prefix=0)
    rate = None if rate is None else parse_rate(rate)
    if rate is None:
        server.config[_LIMIT_KEY] = None
        return
    try:
        # in_memory_fallback_enabled: while a shared storage is down, each instance counts alone
        limiter = Limiter(get_remote_address, app=server, storage_uri=storage_uri, strategy="moving-window",
                          in_memory_fallback_enabled=True, key_prefix="tmx")
    except ConfigurationError as err:
        raise ValueError(f"TMX_LIMIT_STORAGE={storage_uri!r} cannot be used: {err} (e.g. 'memory://', or "
                         f"'redis://host:6379' with the redis package installed)") from None
    # Flask-Limiter checks its default and application limits before every request; there are
    # none here (an upload is counted where it is handled: count_upload), so a view request
    # never reaches the limiter (~0.1 ms a request saved).
    server.before_request_funcs[None].remove(limiter._check_request_limit)
    server.config[_LIMIT_KEY] = (limiter, limiter.shared_limit(rate, scope=UPLOADS_SCOPE))
    server.register_error_handler(RateLimitExceeded, _too_many_uploads)


def count_upload() -> None:
    """Count one upload against this client's budget: RateLimitExceeded (a 429) when it is spent."""
    entry = flask.current_app.config.get(_LIMIT_KEY)
    if entry is not None:
        with entry[1]:  # Flask-Limiter's check of a shared limit inside a request
            pass


def page_upload_refusal() -> str | None:
    """For the page's callbacks: count one upload, and say (a sentence) when the budget is spent,
    else None. The callback then shows it and stores nothing."""
    try:
        count_upload()
    except RateLimitExceeded as err:
        message = too_many_message(err, retry_after())
        return f"{message[:1].upper()}{message[1:]}; nothing was stored."
    return None


def retry_after() -> int:
    """Seconds until this client may upload again, after a RateLimitExceeded (at least 1)."""
    entry = flask.current_app.config.get(_LIMIT_KEY)
    breached = entry[0].current_limit if entry is not None else None
    # the moving window's reset time: when the oldest upload in the window leaves it
    return max(1, math.ceil(breached.window[0] - time.time())) if breached is not None else 60


def wait_text(seconds: int) -> str:
    """'45 seconds', '12 minutes', '3 hours': rounded up, so that the time said is enough."""
    for unit, size in (("second", 1), ("minute", 60), ("hour", 3600)):
        count = math.ceil(seconds / size)
        if count < 120 or unit == "hour":
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable")


def too_many_message(err: RateLimitExceeded, wait: int) -> str:
    return f"too many uploads from your address (at most {err.limit.limit}); try again in {wait_text(wait)}"


def _too_many_uploads(err: RateLimitExceeded):
    wait = retry_after()
    return flask.jsonify({"error": too_many_message(err, wait)}), 429, {"Retry-After": str(wait)}


def store_full(err: StoreFull):
    """507 with the quota and what is used, in bytes and as a sentence."""
    response = flask.jsonify({"error": str(err), "quota_bytes": err.quota, "used_bytes": err.used,
                              "needed_bytes": err.needed, "quota": format_bytes(err.quota)})
    return response, 507
