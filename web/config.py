"""The app's settings: `Config`, read from the environment, and what follows from it.

Environment variables (each a field of `Config`, overridable by passing the field):
- DATABASE_URL: where datasets are stored (SQLAlchemy URL; default: SQLite in instance/).
- TMX_FRAME_ANCESTORS: who may embed the page (CSP frame-ancestors; default "'none'").
- TMX_MAX_UPLOAD_BYTES, TMX_MAX_CELLS: upload limits for every entry point.
- TMX_UPLOAD_TOKEN: when set, storing a dataset needs it.
- TMX_UPLOAD_RATE, TMX_LIMIT_STORAGE, TMX_STORE_QUOTA, TMX_TRUSTED_PROXIES: abuse limits (web/abuse.py).
- TMX_LEAF_ORDER_SECONDS: the most seconds a tree's optimal leaf ordering may take (transfer/clustering.py).

gunicorn's own settings (TMX_BIND, TMX_WORKERS, TMX_THREADS, TMX_LOG_LEVEL) are read by
gunicorn.conf.py, in gunicorn's master process, which never loads the app.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from transfer.clustering import DEFAULT_LEAF_ORDER_SECONDS
from transfer.matrix import TransferMatrix
from transfer.parsing import DEFAULT_LIMITS, Limits

from .abuse import DEFAULT_STORE_QUOTA, DEFAULT_UPLOAD_RATE, parse_proxies, parse_quota, parse_rate

ROOT = Path(__file__).resolve().parent.parent  # the repository: assets/, data/, instance/


def _default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'transfer.sqlite'}"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def parse_seconds(name: str, text: str) -> float:
    """A budget in seconds from the environment: a finite number >= 0, else a ValueError naming the variable."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a number of seconds >= 0 (e.g. 2 or 0.5), not {text!r}")
    return value


@dataclass
class Config:
    database_url: str = field(default_factory=_default_database_url)
    initial_file: str | None = None  # a matrix file to open as the default view
    initial_matrix: TransferMatrix | None = None  # or a matrix already parsed (notebooks)
    debug: bool = False
    # CSP frame-ancestors: "'none'" forbids embedding; e.g. "https://wiki.example.org" allows it.
    frame_ancestors: str = field(default_factory=lambda: os.environ.get("TMX_FRAME_ANCESTORS", "'none'"))
    # Upload limits for every entry point (page, API, command line, notebook).
    max_upload_bytes: int = field(default_factory=lambda: _env_int("TMX_MAX_UPLOAD_BYTES", DEFAULT_LIMITS.max_bytes))
    max_cells: int = field(default_factory=lambda: _env_int("TMX_MAX_CELLS", DEFAULT_LIMITS.max_cells))
    # When set, storing a dataset needs it: `Authorization: Bearer <token>` on POST /api/datasets,
    # and typed into the page's "Upload token" field for the drop zone and the neutral value.
    upload_token: str | None = field(default_factory=lambda: os.environ.get("TMX_UPLOAD_TOKEN") or None)
    # Abuse limits (web/abuse.py): uploads per client address ("30/minute"; "none": unlimited),
    # where they are counted ("memory://": this process; "redis://...": shared by instances),
    # the store's total size in bytes (None: no quota), and how many proxies in front of the app
    # append to X-Forwarded-For (0: the connection's peer is the client).
    upload_rate: str | None = field(
        default_factory=lambda: parse_rate(os.environ.get("TMX_UPLOAD_RATE") or DEFAULT_UPLOAD_RATE))
    limit_storage: str = field(default_factory=lambda: os.environ.get("TMX_LIMIT_STORAGE") or "memory://")
    store_quota: int | None = field(
        default_factory=lambda: parse_quota(os.environ.get("TMX_STORE_QUOTA") or DEFAULT_STORE_QUOTA))
    trusted_proxies: int = field(default_factory=lambda: parse_proxies(os.environ.get("TMX_TRUSTED_PROXIES")))
    # The most seconds a tree's optimal leaf ordering may take; past it the view shows the tree's
    # plain order and says so (0: never order trees of 200 tasks or more). Well under gunicorn's timeout.
    leaf_order_seconds: float = field(default_factory=lambda: parse_seconds(
        "TMX_LEAF_ORDER_SECONDS", os.environ.get("TMX_LEAF_ORDER_SECONDS") or str(DEFAULT_LEAF_ORDER_SECONDS)))

    @property
    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_upload_bytes, max_cells=self.max_cells)


def request_size_limit(limits: Limits) -> int:
    """Flask's MAX_CONTENT_LENGTH: room for the largest file base64-encoded in a Dash callback
    (4/3 of its size) plus the request around it; the exact limit is the parser's."""
    return limits.max_bytes * 4 // 3 + 2**20
