"""Thousands of random and mutated files: the parser accepts a whole matrix or raises MatrixError,
never anything else, and an accepted matrix always satisfies the model's invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transfer.matrix import MAX_LABEL_LENGTH, MatrixError, TransferMatrix
from transfer.parsing import WRITERS, Limits, example_matrix, parse_matrix

LIMITS = Limits(max_bytes=20_000, max_cells=400)
SEEDS = [write(example_matrix()).encode() for write, _, _ in WRITERS.values()]
TOKENS = [b",", b"\t", b";", b"\n", b"\r\n", b'"', b"#", b"'", b"=", b"-", b"NA", b"nan", b"inf", b"1e999", b"null",
          b"{", b"}", b"[", b"]", b"train", b"test", b"value", b"\x00", b"\xff", b"\xef\xbb\xbf", b" ", b"0.5", b"-0.1",
          b"x" * 250, b'"rows"', b'"values"']


def check(data: bytes, **hints) -> None:
    try:
        matrix = parse_matrix(data, limits=LIMITS, **hints)
    except MatrixError as err:
        assert str(err), "an error without a message"
        return
    assert isinstance(matrix, TransferMatrix)
    rows, cols = matrix.shape
    assert rows >= 2 and cols >= 2 and rows * cols <= LIMITS.max_cells
    assert not np.isinf(matrix.values).any() and np.isfinite(matrix.values).any()
    assert len(set(matrix.rows)) == rows and len(set(matrix.cols)) == cols
    assert all(label.strip() and len(label) <= MAX_LABEL_LENGTH for label in matrix.rows + matrix.cols)
    assert np.isfinite(matrix.neutral)


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "token"]))
        if action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 8))]
        elif action == "replace":
            data[position : position + 1] = bytes([draw(st.integers(0, 255))])
        else:
            data[position:position] = draw(st.sampled_from(TOKENS))
    return bytes(data)


def cell_text():
    """Mostly numbers (so that some grids are accepted), sometimes missing or broken cells."""
    numbers = st.floats(-1e6, 1e6).map(lambda v: repr(round(v, 4)))
    odd = st.one_of(
        st.floats().map(repr), st.sampled_from(["", "NA", "null", "-", "abc", "1,5", '"2"', "'=1", " 3 "]),
        st.text(max_size=6),
    )
    return st.integers(0, 9).flatmap(lambda n: numbers if n else odd)


def labels(n):
    names = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=4)
    return st.lists(st.one_of(names, st.sampled_from(["A", "B", "C", "D", "E", " ", "A"])), min_size=n, max_size=n)


@st.composite
def random_table(draw) -> bytes:
    """Grids of random labels and cells, wide or long, joined with a random delimiter."""
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    n_rows, n_cols = draw(st.integers(0, 5)), draw(st.integers(0, 5))
    rows, cols = draw(labels(n_rows)), draw(labels(n_cols))
    if draw(st.booleans()):
        pairs = [(r, c) for r in rows for c in cols if draw(st.integers(0, 4))]
        lines = [["train", "test", draw(st.sampled_from(["value", "AUC", "Value"]))]]
        lines += [[r, c, draw(cell_text())] for r, c in pairs]
    else:
        lines = [[draw(st.sampled_from(["", "train\\test", "#"])), *cols]]
        lines += [[r, *(draw(cell_text()) for _ in range(n_cols + (draw(st.integers(0, 20)) == 0)))] for r in rows]
    return "\n".join(delimiter.join(line) for line in lines).encode("utf-8")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["rows", "cols", "values", "name", "metric", "neutral", "train", "test", "value"]), children,
        max_size=5),
    max_leaves=30,
)


@st.composite
def random_json(draw) -> bytes:
    import json

    return json.dumps(draw(json_values), allow_nan=True).encode("utf-8", "surrogatepass")


HINTS = st.fixed_dictionaries({}, optional={
    "filename": st.sampled_from(["a.csv", "a.tsv", "a.json", "a.txt", "a", ".csv"]),
    "content_type": st.sampled_from(["text/csv", "application/json", "text/plain", "application/octet-stream"]),
})
def SETTINGS(n):
    return settings(max_examples=n, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))



@SETTINGS(1200)
@given(data=mutated(), hints=HINTS)
def test_mutated_files_are_accepted_whole_or_refused_clearly(data, hints):
    check(data, **hints)


@SETTINGS(400)
@given(data=st.one_of(random_table(), random_json(), st.binary(max_size=200)), hints=HINTS)
def test_random_files_are_accepted_whole_or_refused_clearly(data, hints):
    check(data, **hints)
