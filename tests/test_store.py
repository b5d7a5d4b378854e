"""The dataset store against real SQLite and a real PostgreSQL server: same tests, both backends."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
from sqlalchemy import create_engine, func, select

from transfer.lru import ByteLRU, matrix_bytes
from transfer.matrix import TransferMatrix
from transfer.store import DatasetStore, StoredDataset, StoreUnavailable, _decode

from conftest import ROOT


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres_databases").new()


def awkward_matrix(name: str = "awkward") -> TransferMatrix:
    """Values that lose something under any lossy encoding: NaN, -0.0, subnormals, 17 digits."""
    values = np.array(
        [
            [0.1 + 0.2, math.nan, -0.0, 5e-324],
            [1 / 3, -2.2250738585072014e-308, 1.7976931348623157e308, -1e-300],
            [math.nan, math.nan, 0.30000000000000004, -123456.78901234567],
        ]
    )
    return TransferMatrix(
        rows=("TriviaQA", "Ünïcödé ✓", "a,b;\"c\"\ttab"),
        cols=("x", "y'", "z\\", "中文"),
        values=values,
        name=name,
        metric="AUC difference",
        neutral=0.5,
        description="line one\nline two <b>not markup</b>",
        scale=(-1.0, 1.0),
        source="https://example.org/paper",
    )


def random_matrix(seed: int, n: int = 6) -> TransferMatrix:
    rng = np.random.default_rng(seed)
    labels = tuple(f"task {i}" for i in range(n))
    return TransferMatrix(rows=labels, cols=labels, values=rng.normal(size=(n, n)), name=f"random {seed}")


def assert_same_matrix(actual: TransferMatrix, expected: TransferMatrix) -> None:
    assert actual.rows == expected.rows and actual.cols == expected.cols
    assert actual.metadata() == expected.metadata()
    assert actual.values.dtype == np.float64
    # Bit for bit: NaN where NaN, -0.0 stays -0.0, every float64 digit kept.
    assert actual.values.tobytes() == expected.values.tobytes()


def row_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(StoredDataset)).scalar_one()
    finally:
        engine.dispose()


def test_round_trip_keeps_every_bit_labels_and_metadata(store_url):
    matrix = awkward_matrix()
    dataset_id = DatasetStore(store_url).put(matrix)
    assert dataset_id == matrix.content_id() and len(dataset_id) == 32
    fresh = DatasetStore(store_url)  # another instance: nothing cached, read from the database
    stored = fresh.get(dataset_id)
    assert_same_matrix(stored, matrix)
    assert stored.content_id() == dataset_id
    assert not stored.values.flags.writeable


def test_same_content_is_stored_once_and_other_metadata_is_another_dataset(store_url):
    first, second = DatasetStore(store_url), DatasetStore(store_url)
    id_a = first.put(awkward_matrix())
    assert first.put(awkward_matrix()) == id_a
    assert second.put(awkward_matrix()) == id_a  # another process's store: same id, no new row
    assert row_count(store_url) == 1
    id_b = second.put(awkward_matrix(name="renamed"))
    assert id_b != id_a
    assert row_count(store_url) == 2
    assert first.get(id_b).name == "renamed" and first.get(id_a).name == "awkward"


@pytest.mark.parametrize(
    "dataset_id",
    [
        "0" * 32,
        "f" * 32,
        "A" * 32,
        "0" * 31,
        "0" * 33,
        "",
        "' OR 1=1 --" + "0" * 21,
        "0" * 16 + "\x00" + "0" * 15,
        "g" * 32,
        "0" * 10_000,
        None,
        12345,
    ],
    ids=["zeros", "effs", "uppercase", "short", "long", "empty", "sql", "nul", "non-hex", "huge", "none", "int"],
)
def test_unknown_and_garbage_ids_are_none(store_url, dataset_id):
    store = DatasetStore(store_url)
    store.put(awkward_matrix())
    assert store.get(dataset_id) is None


def test_a_miss_is_not_cached_the_dataset_appears_when_another_instance_stores_it(store_url):
    reader, writer = DatasetStore(store_url), DatasetStore(store_url)
    matrix = random_matrix(7)
    assert reader.get(matrix.content_id()) is None
    writer.put(matrix)
    assert_same_matrix(reader.get(matrix.content_id()), matrix)


def test_threads_storing_the_same_and_different_matrices(store_url):
    shared = DatasetStore(store_url)
    stores = [shared, DatasetStore(store_url), DatasetStore(store_url)]  # one engine each, like processes
    same = random_matrix(0, n=40)
    results: dict[int, str] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(16)

    def work(i: int) -> None:
        try:
            start.wait()
            store = stores[i % len(stores)]
            results[i] = store.put(same if i % 2 == 0 else random_matrix(100 + i, n=40))
        except BaseException as err:  # reported below, with the thread's index
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert {results[i] for i in range(0, 16, 2)} == {same.content_id()}
    assert row_count(store_url) == 1 + 8
    reader = DatasetStore(store_url)
    for i in range(1, 16, 2):
        assert_same_matrix(reader.get(results[i]), random_matrix(100 + i, n=40))


CHILD = """
import sys, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from sqlalchemy import event
from test_store import big_matrix
from transfer.store import DatasetStore

url, seed, pause = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
store = DatasetStore(url)

@event.listens_for(store.engine, "before_cursor_execute")
def before(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT"):
        print("inserting", flush=True)

@event.listens_for(store.engine, "after_cursor_execute")
def after(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT"):
        print("inserted", flush=True)
        time.sleep(pause)  # a slow commit: the kill lands between INSERT and COMMIT

store.put(big_matrix(seed))
print("committed", flush=True)
"""


def big_matrix(seed: int) -> TransferMatrix:
    n = 400
    labels = tuple(f"t{i}" for i in range(n))
    return TransferMatrix(
        rows=labels, cols=labels, values=np.random.default_rng(seed).normal(size=(n, n)), name=str(seed),
    )


def kill_child_at(url: str, seed: int, line: str, delay: float, pause: float) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), url, str(seed), str(pause)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for output in child.stdout:
            if output.strip() in (line, "committed"):
                break
        else:
            pytest.fail(f"the writer ended before '{line}': {child.stderr.read()}")
        threading.Event().wait(delay)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(30)
        child.stdout.close()
        child.stderr.close()


def test_a_writer_killed_mid_write_never_leaves_a_half_written_dataset(store_url):
    DatasetStore(store_url)  # the table exists before the writers start
    # Killed after the INSERT ran but before COMMIT: the dataset must be absent.
    kill_child_at(store_url, seed=1, line="inserted", delay=0.05, pause=30)
    assert DatasetStore(store_url).get(big_matrix(1).content_id()) is None
    # Killed while the INSERT itself runs, at a few moments: absent, or there whole.
    for seed, delay in ((2, 0.0), (3, 0.01)):
        kill_child_at(store_url, seed=seed, line="inserting", delay=delay, pause=0)
    reader = DatasetStore(store_url)
    engine = create_engine(store_url)
    with engine.connect() as connection:
        rows = connection.execute(select(StoredDataset.id, StoredDataset.meta, StoredDataset.values)).all()
        if store_url.startswith("sqlite"):
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()
    for row in rows:  # every row that exists decodes to exactly the matrix its id names
        assert _decode(row.meta, row.values).content_id() == row.id
    for seed in range(1, 4):
        stored = reader.get(big_matrix(seed).content_id())
        assert stored is None or stored.values.tobytes() == big_matrix(seed).values.tobytes()
    # The database is healthy afterwards: the interrupted datasets can be stored again.
    for seed in range(1, 4):
        assert_same_matrix(DatasetStore(store_url).get(reader.put(big_matrix(seed))), big_matrix(seed))


def test_sqlite_database_that_appears_late(tmp_path):
    url = f"sqlite:///{tmp_path / 'later' / 'store.sqlite'}"  # the directory does not exist yet
    store = DatasetStore(url)
    assert store.ping() is False
    with pytest.raises(StoreUnavailable):
        store.put(awkward_matrix())
    with pytest.raises(StoreUnavailable):
        store.get("0" * 32)
    (tmp_path / "later").mkdir()
    assert store.ping() is True
    dataset_id = store.put(awkward_matrix())
    assert_same_matrix(DatasetStore(url).get(dataset_id), awkward_matrix())


def test_postgresql_database_that_appears_late(postgres_databases):
    url = postgres_databases.url()  # not created yet: connections fail
    store = DatasetStore(url)
    assert store.ping() is False
    with pytest.raises(StoreUnavailable):
        store.get("0" * 32)
    with pytest.raises(StoreUnavailable):
        store.put(awkward_matrix())
    postgres_databases.create(url)
    assert store.ping() is True
    assert store.get("0" * 32) is None  # the table was created on this first use
    dataset_id = store.put(awkward_matrix())
    assert_same_matrix(DatasetStore(url).get(dataset_id), awkward_matrix())


def test_unreachable_store_answers_503_and_bundled_views_still_work(postgres_databases, make_app):
    client = make_app(database_url=postgres_databases.url()).server.test_client()  # never created
    response = client.get("/api/view?dataset=" + "a" * 32)
    assert response.status_code == 503
    assert "unavailable" in response.get_json()["error"]
    assert client.get("/healthz").status_code == 503
    assert client.get("/api/view?dataset=mistral-7b_auc").status_code == 200


def test_hit_cache_is_bounded_by_bytes_and_evicts_the_least_recently_used():
    matrices = {seed: random_matrix(seed, n=10) for seed in range(4)}  # 800 bytes of values each
    size = 800 + 64 * 20
    cache = ByteLRU(3 * size, matrix_bytes)
    for seed in range(3):
        cache.add(str(seed), matrices[seed])
    assert cache.get("0") is matrices[0]  # 0 is now the most recently used
    cache.add("3", matrices[3])
    assert cache.get("1") is None
    assert [cache.get(k) is not None for k in "023"] == [True, True, True]
    cache.add("huge", random_matrix(9, n=40))  # larger than the whole cache: not kept
    assert cache.get("huge") is None and cache.get("3") is matrices[3]


def test_content_id_changes_with_any_content_but_not_with_the_nan_bit_pattern():
    base = awkward_matrix()
    other_nan = base.values.copy()
    other_nan.view(np.uint64)[0, 1] = 0x7FF8000000000001  # another NaN payload: the same missing cell
    assert TransferMatrix(base.rows, base.cols, other_nan, **_meta(base)).content_id() == base.content_id()
    last_bit = base.values.copy()
    last_bit.view(np.uint64)[0, 0] += 1
    variants = [
        TransferMatrix(base.rows, base.cols, last_bit, **_meta(base)),
        TransferMatrix(("TriviaQA ", *base.rows[1:]), base.cols, base.values, **_meta(base)),
        TransferMatrix(base.rows, base.cols, base.values, **{**_meta(base), "neutral": 0.0}),
        TransferMatrix(base.rows, base.cols, base.values, **{**_meta(base), "description": ""}),
    ]
    ids = {base.content_id(), *(variant.content_id() for variant in variants)}
    assert len(ids) == 1 + len(variants)


def _meta(matrix: TransferMatrix) -> dict:
    meta = matrix.metadata()
    return {**meta, "scale": tuple(meta["scale"]) if meta["scale"] else None}
