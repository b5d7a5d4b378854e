"""Task annotations in the store, against real SQLite and a real PostgreSQL server: content-addressed,
immutable, cached like datasets; a database made before annotations existed gains their table."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, update
from test_store import awkward_matrix

from transfer.annotations import Annotations, parse_annotations
from transfer.datasets import DATA_DIR, Datasets
from transfer.store import DatasetStore, StoredAnnotations, StoreUnavailable

DATA = Path(__file__).resolve().parent / "data"
BEFORE = DATA / "store-before-replicates.sqlite"  # written by the code of commit 68d89c2
BEFORE_IDS = json.loads((DATA / "store-before-replicates.json").read_text())

TASKS = (
    "task,task_type,with_context\n"
    "TriviaQA,factual QA,no\n"
    "Ünïcödé ✓,coreference,\n"
    "\"a,b;\"\"c\"\"\ttab\",factual QA,yes\n"
).encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres_databases").new()


def tasks() -> Annotations:
    return parse_annotations(TASKS, filename="tasks.csv")


def assert_same_annotations(actual: Annotations, expected: Annotations) -> None:
    assert actual.fields == expected.fields and actual.tasks == expected.tasks
    assert actual.table == expected.table
    assert actual.content_id() == expected.content_id()
    for field in expected.fields:  # the colours follow the order of first appearance: kept
        assert actual.values(field) == expected.values(field)
        assert [actual.colour(field, v) for v in actual.values(field)] == [
            expected.colour(field, v) for v in expected.values(field)]


def annotation_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(StoredAnnotations)).scalar_one()
    finally:
        engine.dispose()


def test_round_trip_keeps_labels_values_blanks_and_order(store_url):
    annotations = tasks()
    assert annotations.value("Ünïcödé ✓", "with_context") is None
    ann_id = DatasetStore(store_url).put_annotations(annotations)
    assert ann_id == annotations.content_id() and len(ann_id) == 32 and int(ann_id, 16) >= 0  # 128 bits of hex
    stored = DatasetStore(store_url).get_annotations(ann_id)  # another instance: read from the database
    assert_same_annotations(stored, annotations)
    assert stored.value("a,b;\"c\"\ttab", "with_context") == "yes"


def test_same_content_is_stored_once_and_other_content_is_another_id(store_url):
    first, second = DatasetStore(store_url), DatasetStore(store_url)
    ann_id = first.put_annotations(tasks())
    assert first.put_annotations(tasks()) == ann_id
    assert second.put_annotations(parse_annotations(TASKS.replace(b",", b"\t").replace(b"\"a\tb;", b"\"a,b;"),
                                                    filename="tasks.tsv")) == ann_id  # TSV, same content
    assert annotation_rows(store_url) == 1
    # Another value, or the same values in another order (the order decides the colours): another id.
    changed = parse_annotations(TASKS.replace(b"TriviaQA,factual QA", b"TriviaQA,math"))
    lines = TASKS.decode().splitlines()
    reordered = parse_annotations(("\n".join([lines[0], lines[2], lines[1], lines[3]]) + "\n").encode())
    ids = {ann_id, second.put_annotations(changed), second.put_annotations(reordered)}
    assert len(ids) == 3 and annotation_rows(store_url) == 3
    assert first.get_annotations(second.put_annotations(changed)).value("TriviaQA", "task_type") == "math"


def test_annotations_and_datasets_live_apart(store_url):
    store = DatasetStore(store_url)
    dataset_id = store.put(awkward_matrix())
    ann_id = store.put_annotations(tasks())
    assert store.get_annotations(dataset_id) is None and store.get(ann_id) is None


@pytest.mark.parametrize(
    "ann_id",
    ["0" * 32, "A" * 32, "0" * 31, "0" * 33, "", "' OR 1=1 --" + "0" * 21, "g" * 32, "0" * 10_000, None, 12345],
    ids=["zeros", "uppercase", "short", "long", "empty", "sql", "non-hex", "huge", "none", "int"],
)
def test_unknown_and_garbage_ids_are_none(store_url, ann_id):
    store = DatasetStore(store_url)
    store.put_annotations(tasks())
    assert store.get_annotations(ann_id) is None


def test_hits_are_cached_and_a_miss_is_not(store_url):
    reader, writer = DatasetStore(store_url), DatasetStore(store_url)
    annotations = tasks()
    assert reader.get_annotations(annotations.content_id()) is None  # not cached: stored a moment later
    writer.put_annotations(annotations)
    first = reader.get_annotations(annotations.content_id())
    assert first is not None and reader.get_annotations(annotations.content_id()) is first


def test_a_damaged_row_is_unknown_not_a_crash(store_url, caplog):
    store = DatasetStore(store_url)
    ann_id = store.put_annotations(tasks())
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(update(StoredAnnotations).values(content='{"fields": ["a"], "tasks": 3}'))
    engine.dispose()
    assert DatasetStore(store_url).get_annotations(ann_id) is None
    assert "cannot be decoded" in caplog.text


def test_threads_storing_the_same_annotations(store_url):
    stores = [DatasetStore(store_url) for _ in range(3)]  # one engine each, like processes
    start, results, errors = threading.Barrier(9), [], []

    def work(i: int) -> None:
        try:
            start.wait()
            results.append(stores[i % 3].put_annotations(tasks()))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert set(results) == {tasks().content_id()} and annotation_rows(store_url) == 1


def test_a_database_made_before_annotations_gains_their_table(tmp_path):
    copy = tmp_path / "store.sqlite"
    shutil.copy(BEFORE, copy)  # the fixture itself stays as it was
    url = f"sqlite:///{copy}"
    engine = create_engine(url)
    assert inspect(engine).get_table_names() == ["datasets"]
    store = DatasetStore(url)
    assert "annotations" in inspect(engine).get_table_names()
    engine.dispose()
    ann_id = store.put_annotations(tasks())
    assert_same_annotations(DatasetStore(url).get_annotations(ann_id), tasks())
    for dataset_id in BEFORE_IDS.values():  # the old datasets are all still there
        assert DatasetStore(url).get(dataset_id) is not None


def test_postgresql_database_made_before_annotations_gains_their_table(postgres_databases):
    url = postgres_databases.new()
    engine = create_engine(url)
    with engine.begin() as connection:  # the datasets table exactly as the old code created it
        StoredAnnotations.metadata.tables["datasets"].create(connection)
    assert inspect(engine).get_table_names() == ["datasets"]
    old_id = DatasetStore(url).put(awkward_matrix())
    assert "annotations" in inspect(engine).get_table_names()
    engine.dispose()
    store = DatasetStore(url)
    assert_same_annotations(store.get_annotations(store.put_annotations(tasks())), tasks())
    assert store.get(old_id) is not None


def test_sqlite_database_that_appears_late(tmp_path):
    url = f"sqlite:///{tmp_path / 'later' / 'store.sqlite'}"
    store = DatasetStore(url)
    with pytest.raises(StoreUnavailable):
        store.put_annotations(tasks())
    with pytest.raises(StoreUnavailable):
        store.get_annotations("0" * 32)
    (tmp_path / "later").mkdir()
    ann_id = store.put_annotations(tasks())
    assert_same_annotations(DatasetStore(url).get_annotations(ann_id), tasks())


def test_postgresql_database_that_appears_late(postgres_databases):
    url = postgres_databases.url()  # not created yet
    store = DatasetStore(url)
    with pytest.raises(StoreUnavailable):
        store.get_annotations("0" * 32)
    postgres_databases.create(url)
    assert store.get_annotations("0" * 32) is None  # the tables were created on this first use
    assert store.get_annotations(store.put_annotations(tasks())) is not None


# --- Datasets: uploads by id, the catalogue's defaults --------------------------------------------


def test_datasets_annotations_by_id_and_bundled_defaults(sqlite_url):
    datasets = Datasets(DatasetStore(sqlite_url))
    ann_id = datasets.put_annotations(tasks())
    assert_same_annotations(datasets.annotations(ann_id), tasks())
    assert datasets.annotations(None) is None and datasets.annotations("0" * 32) is None
    catalog = json.loads((DATA_DIR / "catalog.json").read_text())
    orgad = parse_annotations((DATA_DIR / "orgad2025-tasks.csv").read_bytes(), filename="orgad2025-tasks.csv")
    assert orgad.fields == ("task_type", "with_context") and len(orgad.tasks) == 10
    for entry in catalog["datasets"]:
        default = datasets.default_annotations(entry["id"])
        assert default is not None, entry["id"]
        assert_same_annotations(default, orgad)
        matrix = datasets.get(entry["id"])
        assert default.coverage_notices(matrix.rows, matrix.cols) == []  # every label annotated, nothing extra
    assert datasets.default_annotations(datasets.put(awkward_matrix())) is None  # uploads have none
    assert datasets.default_annotations(None) is None and datasets.default_annotations("nope") is None


def test_catalogue_entry_without_annotations_and_one_file_read_once(tmp_path, sqlite_url):
    (tmp_path / "m.csv").write_text("t,A,B\nA,1,2\nB,3,4\n")
    (tmp_path / "tasks.csv").write_text("task,kind\nA,x\nB,y\n")
    entry = {"file": "m.csv", "name": "M", "model": "m", "metric": "v"}
    (tmp_path / "catalog.json").write_text(json.dumps({"default": "a", "datasets": [
        {**entry, "id": "a", "annotations": "tasks.csv"}, {**entry, "id": "b", "annotations": "tasks.csv"},
        {**entry, "id": "c"}]}))
    datasets = Datasets(DatasetStore(sqlite_url), data_dir=tmp_path)
    assert datasets.default_annotations("a") is datasets.default_annotations("b")
    assert datasets.default_annotations("a").value("B", "kind") == "y"
    assert datasets.default_annotations("c") is None
