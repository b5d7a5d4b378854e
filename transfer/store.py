"""Uploaded datasets and task annotations, stored whole and immutable in a SQL database through
SQLAlchemy 2.

SQLite (WAL mode) by default, PostgreSQL when given a `postgresql+psycopg://` URL. A dataset's id
is the 128-bit content address of the matrix (labels, values and metadata; not `extra`), so ids
are unguessable, storing the same matrix twice yields the same id, and a row, written in one
INSERT of one transaction, is either there whole or not at all, and never changes afterwards.
Annotations (`transfer.annotations`) are kept the same way in a table of their own, by
`Annotations.content_id()`, as JSON; a database made before they existed gains the table on
first use.

An optional quota bounds the store's total size (the stored payloads: metadata, compressed
values, annotations JSON, summed in SQL). A write that would pass it raises StoreFull and
writes nothing; storing content that is already there adds nothing and always succeeds.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import zlib
from datetime import datetime, timezone

import numpy as np
from sqlalchemy import DateTime, LargeBinary, String, Text, create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .annotations import Annotations
from .lru import ByteLRU, matrix_bytes
from .matrix import TransferMatrix
from .parsing import format_size
from .replicates import Spread

log = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"[0-9a-f]{32}")
# Any driver error (connection refused, database missing, server restarting) or an exhausted
# pool means "unavailable"; the caller answers 503, never 500.
_DATABASE_ERRORS = (DBAPIError, PoolTimeout)
# Serialises CREATE TABLE between processes that start together against a fresh PostgreSQL
# database (gunicorn workers, several containers); otherwise one of them fails on pg_type.
_CREATE_LOCK_KEY = 0x746D7864  # "tmxd"


class StoreUnavailable(RuntimeError):
    """The database cannot be reached right now; the caller should answer 'try again later'."""


class StoreFull(StoreUnavailable):
    """A write would take the store past its quota: nothing was written. A kind of
    StoreUnavailable (unavailable for new data), so every caller that shows "try again" for an
    unreachable store shows this message instead of failing; the HTTP API answers 507."""

    def __init__(self, quota: int, used: int, needed: int):
        self.quota, self.used, self.needed = quota, used, needed
        super().__init__(
            f"the dataset store is full: {format_bytes(used)} of its {format_bytes(quota)} quota are used, "
            f"and this upload needs {format_bytes(needed)} more; nothing was stored"
        )


def format_bytes(n_bytes: int) -> str:
    """A size as people read it: '1.5 GB' from a GB up (powers of 1024), else as format_size."""
    if n_bytes >= 2**30:
        return f"{n_bytes / 2**30:.1f} GB".replace(".0 ", " ")
    return format_size(n_bytes)


class Base(DeclarativeBase):
    pass


class StoredDataset(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meta: Mapped[str] = mapped_column(Text)  # labels and metadata as JSON (ASCII)
    values: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed little-endian float64
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # for operators; never shown


class StoredAnnotations(Base):
    __tablename__ = "annotations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content: Mapped[str] = mapped_column(Text)  # Annotations.to_json_dict() as JSON (ASCII)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # for operators; never shown


def annotations_bytes(annotations: Annotations) -> int:
    """What decoded annotations cost in memory, roughly: a few hundred bytes per task."""
    return 256 + 96 * len(annotations.tasks) * (1 + len(annotations.fields))


def _payload_bytes(row: Base) -> int:
    """A new row's size as the quota counts it (as `DatasetStore._used_bytes` sums it)."""
    if isinstance(row, StoredDataset):
        return len(row.meta) + len(row.values)
    return len(row.content)


def _enable_sqlite_wal(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _encode(matrix: TransferMatrix) -> tuple[str, bytes]:
    """Labels and metadata as JSON; the values, then the replicates' arrays if any, as one blob.
    A matrix without replicates is stored exactly as before they existed."""
    meta = {"rows": list(matrix.rows), "cols": list(matrix.cols), **matrix.metadata()}
    if not matrix.neutral_declared:
        meta["neutral"] = None  # inferred again when read (transfer.matrix.infer_neutral), as from a file
    arrays = [matrix.values]
    if matrix.spread is not None:
        meta["spread"] = {**matrix.spread.header(), "shapes": [list(a.shape) for a in matrix.spread.stored_arrays()]}
        arrays += matrix.spread.stored_arrays()
    blob = b"".join(np.ascontiguousarray(a, dtype="<f8").tobytes() for a in arrays)
    # ensure_ascii: a label with a lone surrogate would not encode for PostgreSQL's TEXT.
    return json.dumps(meta, ensure_ascii=True), zlib.compress(blob, 6)


def _decode(meta_json: str, blob: bytes) -> TransferMatrix:
    meta = json.loads(meta_json)
    rows, cols = meta.pop("rows"), meta.pop("cols")
    flat = np.frombuffer(zlib.decompress(blob), dtype="<f8")
    size = len(rows) * len(cols)
    values, spread = flat[:size].reshape(len(rows), len(cols)), None
    header = meta.pop("spread", None)
    if header is not None:
        arrays, start = [], size
        for shape in header["shapes"]:
            count = int(np.prod(shape))
            arrays.append(flat[start:start + count].reshape(shape))
            start += count
        spread = Spread.from_stored(header, arrays)
    scale = meta.pop("scale", None)
    return TransferMatrix(rows=rows, cols=cols, values=values, scale=tuple(scale) if scale else None, spread=spread,
                          **meta)


class DatasetStore:
    """put(matrix) -> id and get(id) -> matrix or None; put_annotations / get_annotations the same
    for task annotations. Thread-safe; no listing by design.

    Works when the database comes up after the app: the tables are created on first use, and
    until then every call raises StoreUnavailable (ping() says False). With a `quota` (bytes), a
    write that would take the stored payloads past it raises StoreFull and writes nothing.
    """

    def __init__(self, url: str, cache_bytes: int = 256 * 2**20, quota: int | None = None):
        self.url = url
        self.quota = quota or None  # bytes of stored payload; None (or 0): no quota
        options: dict = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 10, "check_same_thread": False}
        elif url.startswith("postgresql"):
            options["connect_args"] = {"connect_timeout": 5}  # a down server answers 503 quickly
        self.engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            _enable_sqlite_wal(self.engine)
        # Decoded matrices and annotations of hits only (a miss may be stored a moment later by
        # another instance); stored rows never change, so a hit never goes stale.
        self._cache = ByteLRU(cache_bytes, matrix_bytes)
        self._annotations_cache = ByteLRU(max(cache_bytes // 16, 2**20), annotations_bytes)
        self._tables_ready = False
        self._tables_lock = threading.Lock()
        try:
            self._ensure_tables()
        except StoreUnavailable as err:
            log.warning("dataset store not reachable yet (%s); the table is created on first use", err.__cause__)

    def _ensure_tables(self) -> None:
        if self._tables_ready:
            return
        with self._tables_lock:
            if self._tables_ready:
                return
            for attempt in (1, 2):
                try:
                    with self.engine.begin() as connection:
                        if connection.dialect.name == "postgresql":
                            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_CREATE_LOCK_KEY})")
                        Base.metadata.create_all(connection)
                    break
                except _DATABASE_ERRORS as err:
                    # SQLite has no such lock: a process that lost the race to CREATE TABLE
                    # finds the table on its second look.
                    if attempt == 2:
                        raise StoreUnavailable("the dataset store is unavailable; try again shortly") from err
            self._tables_ready = True

    def put(self, matrix: TransferMatrix) -> str:
        """Store the matrix (a no-op if the same content is stored already) and return its id."""
        return self.put_both(matrix, None)[0]

    def put_both(self, matrix: TransferMatrix | None, annotations: Annotations | None, *, quota: bool = True) -> tuple:
        """Store a matrix and annotations (either may be None) in one transaction, both or
        neither (StoreFull over the quota): (dataset id, annotations id), None for one not given.
        `quota=False`: the operator's own data (a file given at start-up, a notebook's frame),
        stored whatever the quota."""
        rows = []
        dataset_id = None if matrix is None else matrix.content_id()
        if dataset_id is not None and self._cache.get(dataset_id) is None:
            # encoded only when absent: compressing a large matrix takes a while
            rows.append((StoredDataset, dataset_id, lambda: dict(zip(("meta", "values"), _encode(matrix)))))
        ann_id = None if annotations is None else annotations.content_id()
        if ann_id is not None and self._annotations_cache.get(ann_id) is None:
            rows.append((StoredAnnotations, ann_id,
                         lambda: {"content": json.dumps(annotations.to_json_dict(), ensure_ascii=True)}))
        if rows:
            self._insert(rows, self.quota if quota else None)
        return dataset_id, ann_id

    def get(self, dataset_id: str) -> TransferMatrix | None:
        """The stored matrix, or None for an unknown (or malformed) id."""
        return self._fetch(StoredDataset, dataset_id, self._cache, (StoredDataset.meta, StoredDataset.values),
                           lambda row: _decode(row.meta, row.values), "dataset")

    def put_annotations(self, annotations: Annotations) -> str:
        """Store task annotations (a no-op if the same content is stored already) and return their id."""
        return self.put_both(None, annotations)[1]

    def get_annotations(self, annotations_id: str) -> Annotations | None:
        """The stored annotations, or None for an unknown (or malformed) id."""
        return self._fetch(StoredAnnotations, annotations_id, self._annotations_cache, (StoredAnnotations.content,),
                           lambda row: Annotations.from_json_dict(json.loads(row.content)), "annotations")

    def _insert(self, rows: list[tuple], quota: int | None) -> None:
        """Each (table, key, columns) row unless its table has one under `key` already, in one
        transaction; `columns()` gives its other columns. StoreFull, writing nothing, when the new
        rows would take the store past `quota` bytes."""
        self._ensure_tables()
        try:
            with Session(self.engine) as session:
                new = [table(id=key, created=datetime.now(timezone.utc), **columns())
                       for table, key, columns in rows
                       if session.scalar(select(table.id).where(table.id == key)) is None]
                if not new:
                    return
                if quota is not None:
                    needed = sum(map(_payload_bytes, new))
                    used = self._used_bytes(session)
                    if used + needed > quota:
                        raise StoreFull(quota, used, needed)
                session.add_all(new)
                try:
                    session.commit()
                except IntegrityError:  # stored concurrently by another worker: same content
                    session.rollback()
                    if len(rows) > 1:  # the others may still be missing
                        for row in rows:
                            self._insert([row], quota)
        except _DATABASE_ERRORS as err:
            raise StoreUnavailable("the dataset store is unavailable; try again shortly") from err

    def _used_bytes(self, session: Session) -> int:
        """The stored payloads' total size, summed by the database from the lengths alone
        (PostgreSQL's octet_length and SQLite's length of a blob read no stored value; the
        JSON text is ASCII, so its length in characters is its length in bytes)."""
        length = func.octet_length if self.engine.dialect.name == "postgresql" else func.length
        datasets = select(func.coalesce(func.sum(length(StoredDataset.meta) + length(StoredDataset.values)), 0))
        annotations = select(func.coalesce(func.sum(length(StoredAnnotations.content)), 0))
        return int(session.scalar(datasets)) + int(session.scalar(annotations))

    def used_bytes(self) -> int:
        """What the store holds, as the quota counts it."""
        self._ensure_tables()
        try:
            with Session(self.engine) as session:
                return self._used_bytes(session)
        except _DATABASE_ERRORS as err:
            raise StoreUnavailable("the dataset store is unavailable; try again shortly") from err

    def _fetch(self, table: type[Base], key, cache: ByteLRU, columns: tuple, decode, what: str):
        """The decoded row of `table` under `key` (cached), or None for an unknown or malformed key."""
        if not isinstance(key, str) or not ID_PATTERN.fullmatch(key):
            return None
        item = cache.get(key)
        if item is not None:
            return item
        self._ensure_tables()
        try:
            with self.engine.connect() as connection:
                row = connection.execute(select(*columns).where(table.id == key)).first()
        except _DATABASE_ERRORS as err:
            raise StoreUnavailable("the dataset store is unavailable; try again shortly") from err
        if row is None:
            return None
        try:
            item = decode(row)
        except Exception:  # a damaged row (edited by hand?) is shown as unknown, not as a crash
            log.exception("stored %s %s cannot be decoded", what, key)
            return None
        cache.add(key, item)
        return item

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return True
        except _DATABASE_ERRORS:
            return False
