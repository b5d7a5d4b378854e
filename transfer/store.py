"""Uploaded datasets, stored whole and immutable in a SQL database through SQLAlchemy 2.

SQLite (WAL mode) by default, PostgreSQL when given a `postgresql+psycopg://` URL. A dataset's id
is the 128-bit content address of the matrix, so ids are unguessable, storing the same matrix
twice yields the same id, and a row, once written in its single transaction, never changes.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np
from sqlalchemy import DateTime, LargeBinary, String, Text, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, InterfaceError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .matrix import TransferMatrix


class StoreUnavailable(RuntimeError):
    """The database cannot be reached right now; the caller should answer 'try again later'."""


class _NotStored(LookupError):
    pass


class Base(DeclarativeBase):
    pass


class StoredDataset(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meta: Mapped[str] = mapped_column(Text)  # labels and metadata as JSON
    values: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed little-endian float64
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _enable_sqlite_wal(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _encode(matrix: TransferMatrix) -> tuple[str, bytes]:
    meta = {"rows": list(matrix.rows), "cols": list(matrix.cols), **matrix.metadata()}
    return json.dumps(meta, ensure_ascii=False), zlib.compress(matrix.values.astype("<f8").tobytes(), 6)


def _decode(row: StoredDataset) -> TransferMatrix:
    meta = json.loads(row.meta)
    rows, cols = meta.pop("rows"), meta.pop("cols")
    values = np.frombuffer(zlib.decompress(row.values), dtype="<f8").reshape(len(rows), len(cols))
    scale = meta.pop("scale", None)
    return TransferMatrix(rows=rows, cols=cols, values=values, scale=tuple(scale) if scale else None, **meta)


class DatasetStore:
    """put(matrix) -> id and get(id) -> matrix or None. Thread-safe; no listing by design."""

    def __init__(self, url: str):
        self.url = url
        options = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 10, "check_same_thread": False}
        self.engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            _enable_sqlite_wal(self.engine)
        self._get_cached = lru_cache(maxsize=32)(self._get_uncached)
        try:
            Base.metadata.create_all(self.engine)
        except (OperationalError, InterfaceError):
            # The database may come up after the app: tables are created on first use then.
            self._tables_ready = False
        else:
            self._tables_ready = True

    def _ensure_tables(self) -> None:
        if not self._tables_ready:
            Base.metadata.create_all(self.engine)
            self._tables_ready = True

    def put(self, matrix: TransferMatrix) -> str:
        """Store the matrix (a no-op if the same content is stored already) and return its id."""
        dataset_id = matrix.content_id()
        meta, values = _encode(matrix)
        try:
            self._ensure_tables()
            with Session(self.engine) as session:
                if session.get(StoredDataset, dataset_id) is None:
                    session.add(StoredDataset(id=dataset_id, meta=meta, values=values, created=datetime.now(timezone.utc)))
                    try:
                        session.commit()
                    except IntegrityError:  # stored concurrently by another worker: same content
                        session.rollback()
        except (OperationalError, InterfaceError) as err:
            raise StoreUnavailable("the dataset store is unavailable; try again shortly") from err
        return dataset_id

    def get(self, dataset_id: str) -> TransferMatrix | None:
        """The stored matrix, or None for an unknown id."""
        if not isinstance(dataset_id, str) or len(dataset_id) != 32 or not all(c in "0123456789abcdef" for c in dataset_id):
            return None
        try:
            return self._get_cached(dataset_id)
        except _NotStored:
            return None
        except (OperationalError, InterfaceError) as err:
            raise StoreUnavailable("the dataset store is unavailable; try again shortly") from err

    def _get_uncached(self, dataset_id: str) -> TransferMatrix:
        # Misses raise instead of returning None so that lru_cache never caches them: another
        # instance may store that id a moment later.
        self._ensure_tables()
        with Session(self.engine) as session:
            row = session.scalars(select(StoredDataset).where(StoredDataset.id == dataset_id)).first()
            if row is None:
                raise _NotStored(dataset_id)
            return _decode(row)

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return True
        except (OperationalError, InterfaceError):
            return False
