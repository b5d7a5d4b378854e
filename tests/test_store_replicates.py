"""Datasets stored before replicates existed open exactly as before, and both forms of a spread
(every replicate's value, or std and n) go through SQLite and PostgreSQL bit for bit."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from transfer.matrix import TransferMatrix
from transfer.parsing import parse_matrix
from transfer.replicates import Spread, sample_means
from transfer.store import DatasetStore

DATA = Path(__file__).resolve().parent / "data"
SOURCES = DATA / "before-replicates"
# Written by tests/data/make_store_before_replicates.py with the code of commit 68d89c2.
BEFORE = DATA / "store-before-replicates.sqlite"
BEFORE_IDS = json.loads((DATA / "store-before-replicates.json").read_text())


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres_databases").new()


def assert_same(actual: TransferMatrix, expected: TransferMatrix) -> None:
    assert actual.rows == expected.rows and actual.cols == expected.cols
    assert actual.metadata() == expected.metadata()
    assert actual.values.tobytes() == expected.values.tobytes()  # NaN, -0.0 and every digit
    assert actual.content_id() == expected.content_id()
    if expected.spread is None:
        assert actual.spread is None
        return
    assert actual.spread.form == expected.spread.form and actual.spread.ids == expected.spread.ids
    for name in ("n", "std", "se", "df", "test"):
        assert np.array_equal(getattr(actual.spread, name), getattr(expected.spread, name), equal_nan=True), name
    if expected.spread.samples is not None:
        assert actual.spread.samples.tobytes() == expected.spread.samples.tobytes()


# --- a store written before replicates -----------------------------------------------------------


def test_the_fixture_is_small_and_lists_every_source():
    assert BEFORE.stat().st_size < 100_000
    assert sorted(BEFORE_IDS) == sorted(path.name for path in SOURCES.iterdir())


@pytest.mark.parametrize("name", sorted(BEFORE_IDS))
def test_datasets_stored_before_replicates_open_exactly_as_before(tmp_path, name):
    copy = tmp_path / "store.sqlite"
    shutil.copy(BEFORE, copy)  # the store may write (WAL); the fixture stays as it was
    stored = DatasetStore(f"sqlite:///{copy}").get(BEFORE_IDS[name])
    assert stored is not None, f"{name}: the id the old code gave is not found"
    now = parse_matrix((SOURCES / name).read_bytes(), filename=name)
    assert now.spread is None  # none of these files has two replicates in a cell
    assert now.content_id() == BEFORE_IDS[name]  # parsing today gives the id it always had
    assert_same(stored, now)


def test_the_old_fixture_holds_what_it_claims():
    """The comparison above is not vacuous: NaNs, -0.0, metadata and a scale are in there."""
    awkward = parse_matrix((SOURCES / "awkward-nans.csv").read_bytes(), filename="awkward-nans.csv")
    assert np.isnan(awkward.values).sum() == 3 and math.copysign(1, awkward.values[0, 2]) == -1
    scaled = parse_matrix((SOURCES / "scaled.json").read_bytes())
    assert scaled.scale == (0.0, 1.0) and scaled.neutral == 0.5 and scaled.source and scaled.description


# --- both spread forms round trip ------------------------------------------------------------------

LABELS = ("TriviaQA", "HotpotQA", "Movies")


def replicated() -> TransferMatrix:
    """Ragged replicates: 3, 2, 1 and 0 per cell, under string ids; awkward floats."""
    rng = np.random.default_rng(7)
    samples = rng.normal(size=(3, 3, 3))
    samples[0, 1, 2] = np.nan
    samples[1, :, 1:] = np.nan
    samples[2, 2, :] = np.nan
    samples[0, 0, 0] = 0.1 + 0.2
    spread = Spread.from_samples(samples, ["seed 0", "seed 1", "seed 2"])
    return TransferMatrix(rows=LABELS, cols=LABELS, values=sample_means(samples)[1], spread=spread, name="seeds",
                          metric="AUC difference", neutral=0.0, scale=(-1.0, 1.0))


def summarised() -> TransferMatrix:
    values = np.array([[0.5, 0.25, np.nan], [1 / 3, -0.0, 0.1], [0.2, 0.3, 0.4]])
    std = np.array([[0.1, np.nan, np.nan], [0.05, 0.0, np.nan], [1e-300, 0.2, 0.3]])
    n = np.array([[5, 1, 0], [3, 2, 1], [2, 4, 5]], dtype=float)
    return TransferMatrix(rows=LABELS, cols=LABELS, values=values, spread=Spread.from_summary(std, n),
                          name="summary", metric="accuracy", neutral=0.25, description="mean, std and n")


@pytest.mark.parametrize("make", [replicated, summarised], ids=["replicates", "summary"])
def test_spreads_round_trip_through_the_store(store_url, make):
    matrix = make()
    dataset_id = DatasetStore(store_url).put(matrix)
    assert dataset_id == matrix.content_id()
    stored = DatasetStore(store_url).get(dataset_id)  # another instance: read from the database
    assert_same(stored, matrix)
    plain = TransferMatrix(rows=matrix.rows, cols=matrix.cols, values=matrix.values, name=matrix.name,
                           metric=matrix.metric, neutral=matrix.neutral, scale=matrix.scale,
                           description=matrix.description)
    assert plain.content_id() != dataset_id  # the replicates are part of the content address


@pytest.mark.parametrize(
    "text",
    [b"train,test,seed,value\nA,A,1,0.1\nA,A,2,0.3\nA,B,1,-0.0\nB,A,2,0.5\nB,B,1,1\nB,B,2,2\nB,B,3,4\n",
     b"train,test,acc,acc_std,acc_n\nA,A,0.5,0.1,3\nA,B,0.2,,1\nB,A,0.3,0.05,2\nB,B,0.1,0.2,5\n"],
    ids=["long-replicates", "summary"],
)
def test_parsed_spreads_round_trip_through_the_store(store_url, text):
    matrix = parse_matrix(text)
    assert matrix.spread is not None
    stored = DatasetStore(store_url).get(DatasetStore(store_url).put(matrix))
    assert_same(stored, matrix)
