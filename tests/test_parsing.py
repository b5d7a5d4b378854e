"""The one parser: every format it accepts and every failure it refuses, each with its message."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from transfer.matrix import CHANCE, NO_NEUTRAL, SIGNS, MatrixError, TransferMatrix, infer_neutral
from transfer.parsing import (
    WRITERS,
    Limits,
    TooLarge,
    decode_data_url,
    example_matrix,
    matrix_from_frame,
    neutralise,
    parse_matrix,
    to_wide_csv,
)
from transfer.thresholds import threshold_scale

NAN = math.nan
ABC = [[0.1, -0.2], [0.3, 0.4]]


def values_equal(matrix: TransferMatrix, expected) -> bool:
    return np.array_equal(matrix.values, np.array(expected, dtype=float), equal_nan=True)


# --- accepted files: (bytes, filename, content type) -> rows, cols, values, metadata ----------

ACCEPTED = [
    (
        "wide-csv", b"train\\test,A,B\nA,0.1,-0.2\nB,0.3,0.4\n", "m.csv", None, ("A", "B"), ("A", "B"), ABC,
        {"name": "m", "neutral": 0.0},
    ),
    ("wide-tsv", b"x\tA\tB\nA\t0.1\t-0.2\nB\t0.3\t0.4\n", "m.tsv", None, ("A", "B"), ("A", "B"), ABC, {}),
    ("wide-semicolon", b";A;B\nA;0.1;-0.2\nB;0.3;0.4\n", None, None, ("A", "B"), ("A", "B"), ABC, {}),
    ("wide-empty-top-left", b",A,B\nA,0.1,-0.2\nB,0.3,0.4\n", None, None, ("A", "B"), ("A", "B"), ABC, {}),
    (
        "wide-bom-crlf", b"\xef\xbb\xbftrain,A,B\r\nA,0.1,-0.2\r\nB,0.3,0.4\r\n", None, None, ("A", "B"), ("A", "B"),
        ABC, {},
    ),
    ("wide-quoted-labels-with-commas", b'train,"NLI, matched","Q ""A"""\n"Math, hard",1,2\nB,3,4\n', None, None,
     ("Math, hard", "B"), ("NLI, matched", 'Q "A"'), [[1, 2], [3, 4]], {"neutral": 2.5}),
    (
        "wide-missing-tokens", b"t,A,B,C\nA,,NA,nan\nB,null,-,2\n", None, None, ("A", "B"), ("A", "B", "C"),
        [[NAN, NAN, NAN], [NAN, NAN, 2]], {},
    ),
    (
        "wide-non-square", b"t,A,B,C\nX,1,2,3\nY,4,5,6\n", None, None, ("X", "Y"), ("A", "B", "C"),
        [[1, 2, 3], [4, 5, 6]], {"neutral": 3.5},
    ),
    (
        "wide-blank-lines-and-spaces", b"\nt , A , B \n\n A , 0.1 , -0.2 \nB,0.3,0.4\n\n", None, None, ("A", "B"),
        ("A", "B"), ABC, {},
    ),
    ("wide-metadata-comments",
     b"# name: My probes\n# metric: AUC\n# neutral: 0.5\n# free text, ignored\nt,A,B\nA,0.1,-0.2\nB,0.3,0.4\n",
     "f.csv", None, ("A", "B"), ("A", "B"), ABC, {"name": "My probes", "metric": "AUC", "neutral": 0.5}),
    (
        "wide-formula-guard-undone", b"t,'=A,B\n'-x,1,2\nB,3,4\n", None, None, ("-x", "B"), ("=A", "B"),
        [[1, 2], [3, 4]], {},
    ),
    (
        "wide-unicode-labels", "t,Größe,数学\nGröße,1,2\n数学,3,4\n".encode(), None, None, ("Größe", "数学"),
        ("Größe", "数学"), [[1, 2], [3, 4]], {},
    ),
    (
        "long-csv", b"train,test,value\nA,A,0.1\nA,B,-0.2\nB,A,0.3\nB,B,0.4\n", "l.csv", None, ("A", "B"), ("A", "B"),
        ABC, {"metric": "value"},
    ),
    (
        "long-any-order-and-case", b"Value,TEST,Train\n0.4,B,B\n-0.2,B,A\n0.3,A,B\n0.1,A,A\n", None, None, ("B", "A"),
        ("B", "A"), [[0.4, 0.3], [-0.2, 0.1]], {},
    ),
    (
        "long-metric-column", b"train,test,auc\nA,A,0.9\nA,B,0.6\nB,A,0.7\nB,B,0.8\n", None, None, ("A", "B"),
        ("A", "B"), [[0.9, 0.6], [0.7, 0.8]], {"metric": "auc", "neutral": 0.5},  # AUC: its chance level
    ),
    (
        "long-missing-pairs", b"train,test,value\nA,A,1\nB,B,2\nA,C,3\n", None, None, ("A", "B"), ("A", "B", "C"),
        [[1, NAN, 3], [NAN, 2, NAN]], {},
    ),
    (
        "long-tsv-extra-column-ignored", b"train\ttest\tvalue\tseed\nA\tA\t1\t0\nA\tB\t2\t0\nB\tA\t3\t0\nB\tB\t4\t0\n",
        None, None, ("A", "B"), ("A", "B"), [[1, 2], [3, 4]], {},
    ),
    (
        "json", json.dumps({"rows": ["A", "B"], "cols": ["A", "B"], "values": [[0.1, -0.2], [0.3, 0.4]]}).encode(),
        "j.json", None, ("A", "B"), ("A", "B"), ABC, {"name": "j"},
    ),
    (
        "json-by-content-type", b'{"rows":["A","B"],"cols":["A","B"],"values":[[0.1,-0.2],[0.3,0.4]]}', None,
        "application/json", ("A", "B"), ("A", "B"), ABC, {},
    ),
    ("json-metadata-and-null",
     b'{"rows":["A","B"],"cols":["C","D"],"values":[[1,null],[3,4]],"name":"N","metric":"acc","neutral":0.25}',
     None, None, ("A", "B"), ("C", "D"), [[1, NAN], [3, 4]], {"name": "N", "metric": "acc", "neutral": 0.25}),
    ("json-records",
     b'[{"train":"A","test":"A","value":1},{"train":"A","test":"B","value":2},{"train":"B","test":"A","value":null},'
     b'{"test":"B","train":"B","value":4}]',
     None, None, ("A", "B"), ("A", "B"), [[1, 2], [NAN, 4]], {}),
]


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "rows", "cols", "values", "metadata"), [a[1:] for a in ACCEPTED],
    ids=[a[0] for a in ACCEPTED],
)
def test_accepted_formats(data, filename, content_type, rows, cols, values, metadata):
    matrix = parse_matrix(data, filename=filename, content_type=content_type)
    assert matrix.rows == rows and matrix.cols == cols
    assert values_equal(matrix, values), matrix.values
    for key, expected in metadata.items():
        assert getattr(matrix, key) == expected, key


# --- refused files: each failure with the words its message must contain ---------------------

WIDE = "t,A,B\nA,1,2\nB,3,4\n"
REFUSED = [
    ("empty", b"", ["empty"]),
    ("whitespace-only", b" \n\n\t\n", ["empty"]),
    ("comments-only", b"# name: x\n", ["only comment lines"]),
    ("one-row-only", b"t,A,B\n", ["no data rows", "one row only"]),
    ("one-column-only", b"t\nA\nB\n", ["one column only"]),
    ("one-data-row", b"t,A,B\nA,1,2\n", ["1 train x 2 test", "at least 2"]),
    ("one-data-column", b"t,A\nA,1\nB,2\n", ["2 train x 1 test"]),
    ("non-numeric-cell", b"t,A,B\nA,1,2\nB,3,abc\n", ["row 'B'", "column 'B'", "'abc' is not a number"]),
    ("non-numeric-percent", b"t,A,B\nA,1,2%\nB,3,4\n", ["row 'A'", "column 'B'", "'2%'"]),
    ("duplicate-row-label", b"t,A,B\nA,1,2\nA,3,4\n", ["duplicate row label 'A'"]),
    ("duplicate-column-label", b"t,A,A\nA,1,2\nB,3,4\n", ["duplicate column label 'A'"]),
    ("ragged-row-short", b"t,A,B\nA,1,2\nB,3\n", ["line 3", "row 'B'", "2 fields, expected 3", "ragged"]),
    ("ragged-row-long", b"t,A,B\nA,1,2,9\nB,3,4\n", ["line 2", "4 fields, expected 3"]),
    ("infinite-value", b"t,A,B\nA,1,inf\nB,3,4\n", ["row 'A', column 'B'", "infinite"]),
    ("infinite-overflow", b"t,A,B\nA,1,1e999\nB,3,4\n", ["row 'A', column 'B'", "infinite"]),
    ("empty-row-label", b"t,A,B\nA,1,2\n ,3,4\n", ["line 3", "empty label"]),
    ("empty-column-label", b"t,A,\nA,1,2\nB,3,4\n", ["line 1", "column 2", "empty label"]),
    ("label-too-long", ("t,A,B\nA,1,2\n" + "x" * 201 + ",3,4\n").encode(), ["201 characters", "at most 200"]),
    ("all-missing", b"t,A,B\nA,,\nB,NA,\n", ["every cell is missing"]),
    ("not-utf8", b"t,A,B\nA,1,2\n\xff\xfe,3,4\n", ["not UTF-8"]),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["not text"]),
    ("bad-neutral-comment", b"# neutral: zero\n" + WIDE.encode(), ["'neutral' must be a number", "zero"]),
    (
        "long-duplicate-pair", b"train,test,value\nA,A,1\nA,B,2\nA,A,3\nB,B,4\n",
        ["line 4", "duplicate pair", "train 'A', test 'A'", "line 2"],
    ),
    ("long-non-numeric", b"train,test,value\nA,A,1\nA,B,oops\nB,A,3\nB,B,4\n", ["row 'A'", "column 'B'", "'oops'"]),
    ("long-no-value-column", b"train,test\nA,A\nB,B\n", ["third column"]),
    ("long-several-value-columns", b"train,test,auc,acc\nA,A,1,2\n", ["several value columns", "'auc'", "'acc'"]),
    ("long-ragged", b"train,test,value\nA,A,1\nA,B\n", ["line 3", "2 fields, expected 3"]),
    ("long-empty-label", b"train,test,value\nA,A,1\n,B,2\n", ["line 3", "train column", "empty label"]),
    ("json-invalid", b'{"rows": [', ["not valid JSON"]),
    ("json-missing-keys", b'{"rows": ["A", "B"]}', ["lacks", "'cols'", "'values'"]),
    ("json-list-of-numbers", b"[1, 2]", ["a JSON list must hold"]),
    (
        "json-ragged", b'{"rows":["A","B"],"cols":["A","B"],"values":[[1,2],[3]]}',
        ["row 'B'", "1 entries, expected 2", "ragged"],
    ),
    ("json-wrong-row-count", b'{"rows":["A","B"],"cols":["A","B"],"values":[[1,2]]}', ["list of 2 rows", "got 1"]),
    (
        "json-string-cell", b'{"rows":["A","B"],"cols":["A","B"],"values":[[1,"x"],[3,4]]}',
        ["row 'A', column 'B'", '"x" is not a number'],
    ),
    (
        "json-bool-cell", b'{"rows":["A","B"],"cols":["A","B"],"values":[[1,true],[3,4]]}',
        ["row 'A', column 'B'", "true"],
    ),
    (
        "json-infinity", b'{"rows":["A","B"],"cols":["A","B"],"values":[[1,Infinity],[3,4]]}',
        ["row 'A', column 'B'", "infinite"],
    ),
    (
        "json-label-not-text", b'{"rows":["A",2],"cols":["A","B"],"values":[[1,2],[3,4]]}',
        ["'rows' entry 2 must be text"],
    ),
    (
        "json-duplicate-label", b'{"rows":["A","A"],"cols":["A","B"],"values":[[1,2],[3,4]]}',
        ["duplicate row label 'A'"],
    ),
    (
        "json-neutral-not-number", b'{"rows":["A","B"],"cols":["A","B"],"values":[[1,2],[3,4]],"neutral":"mid"}',
        ["'neutral' must be a number"],
    ),
    ("json-deep-nesting", b"[" * 100_000, ["not valid JSON"]),
    (
        "json-records-mismatched-keys", b'[{"train":"A","test":"A","value":1},{"train":"B","value":2}]',
        ["record 2", "keys"],
    ),
]


@pytest.mark.parametrize(("data", "fragments"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_files_say_why(data, fragments):
    with pytest.raises(MatrixError) as caught:
        parse_matrix(data)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


LIMITS = [
    ("file-over-size-limit", b"t,A,B\nA,1,2\nB,3,4\n" + b" " * 100, Limits(max_bytes=100), ["the limit is 100 bytes"]),
    ("wide-over-cell-limit", b"t,A,B,C\nA,1,2,3\nB,3,4,5\n", Limits(max_cells=5), ["more than 5 cells"]),
    (
        "long-over-cell-limit", b"train,test,value\nA,A,1\nB,B,2\nC,C,3\n", Limits(max_cells=8),
        ["3 train x 3 test", "more than 8 cells"],
    ),
    (
        "json-over-cell-limit", b'{"rows":["A","B","C"],"cols":["A","B","C"],"values":[]}', Limits(max_cells=8),
        ["more than 8 cells"],
    ),
]


@pytest.mark.parametrize(("data", "limits", "fragments"), [r[1:] for r in LIMITS], ids=[r[0] for r in LIMITS])
def test_limits_raise_too_large(data, limits, fragments):
    with pytest.raises(TooLarge) as caught:
        parse_matrix(data, limits=limits)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_default_limits_take_a_2000_by_2000_matrix_of_six_decimal_scores():
    # Six decimals is what result files carry; at float64's 17 digits 2000 x 2000 is ~78 MB.
    rng = np.random.default_rng(0)
    values = np.round(rng.uniform(-1, 1, size=(2000, 2000)), 6)
    matrix = TransferMatrix(
        rows=[f"train{i}" for i in range(2000)], cols=[f"test{j}" for j in range(2000)], values=values,
    )
    data = to_wide_csv(matrix).encode()
    assert len(data) < Limits().max_bytes
    assert np.array_equal(parse_matrix(data).values, matrix.values)


@pytest.mark.parametrize(
    ("values", "metric", "expected", "basis"),
    [([-0.1, 0.3], "value", 0.0, SIGNS), ([0.0, 0.8], "value", 0.4, NO_NEUTRAL),
     ([0.6, 0.9], "value", 0.75, NO_NEUTRAL),
     ([-3.0, -1.0], "value", -2.0, NO_NEUTRAL), ([2.0, 2.0], "value", 2.0, NO_NEUTRAL),
     ([0.6, 0.9], "AUC", 0.5, CHANCE), ([-0.1, 0.3], "roc-auc", 0.5, CHANCE), ([0.6, 0.9], "ROC AUC", 0.5, CHANCE),
     ([0.6, 0.9], "AUROC", 0.5, CHANCE), ([0.1, 0.3], "AUC difference", 0.2, NO_NEUTRAL),
     ([-0.1, 0.3], "AUC difference", 0.0, SIGNS), ([0.6, 0.9], "mean AUC", 0.75, NO_NEUTRAL)],
    ids=["straddles-zero", "touches-zero", "auc-like", "all-negative", "constant", "auc", "roc-auc", "roc auc",
         "auroc", "auc-difference-positive", "auc-difference", "not-the-whole-name"],
)
def test_infer_neutral(values, metric, expected, basis):
    """No neutral value declared: a chance-level metric (the whole name) -> 0.5; both signs -> 0;
    otherwise none (sequential), with the middle of the range as the sliders' reference."""
    assert infer_neutral(np.array(values), metric) == (pytest.approx(expected), basis)


def test_an_accuracy_matrix_from_0_to_99_without_a_neutral_value_is_sequential():
    """The issue's case: 65 x 105 accuracies 0..99, two cells exactly 0, no neutral declared ->
    a sequential scale over 0..99 (was diverging -99..99 around 0), thresholds in 0..99."""
    rng = np.random.default_rng(3)
    values = rng.integers(1, 100, size=(65, 105)).astype(float)
    values[0, 0] = values[10, 20] = 0.0
    values[5, 5] = 99.0
    text = "train\\test," + ",".join(f"t{j}" for j in range(105)) + "\n" + "".join(
        f"r{i}," + ",".join(repr(v) for v in row) + "\n" for i, row in enumerate(values.tolist()))
    matrix = parse_matrix(text.encode(), filename="accuracy.csv")
    assert (matrix.scale_kind, matrix.neutral_basis, matrix.neutral_declared) == ("sequential", NO_NEUTRAL, False)
    assert matrix.value_range() == (0.0, 99.0) and matrix.neutral == 49.5
    assert matrix.metadata()["neutral"] is None
    scale = threshold_scale(matrix)
    assert (scale.low, scale.neutral, scale.high) == (0.0, 49.5, 99.0)
    assert 49.5 < scale.suggested_pos < 99.0 and 0.0 < scale.suggested_neg < 49.5
    declared = parse_matrix(text.encode(), metadata={"neutral": "0"})
    assert (declared.scale_kind, declared.neutral, declared.neutral_declared) == ("diverging", 0.0, True)
    assert declared.value_range() == (-99.0, 99.0)
    auc = parse_matrix(b"# metric: AUC\nt,A,B\nA,0.7,0.9\nB,0.6,0.8\n")
    assert (auc.neutral, auc.neutral_basis, auc.scale_kind, auc.value_range()) == (
        0.5, CHANCE, "diverging", pytest.approx((0.1, 0.9)))
    both = parse_matrix(b"t,A,B\nA,-0.2,0.1\nB,0.3,0.05\n")
    assert (both.neutral, both.neutral_basis, both.scale_kind) == (0.0, SIGNS, "diverging")


def test_metadata_overrides_what_the_file_says():
    data = b"# name: from file\n# neutral: 0.5\nt,A,B\nA,1,2\nB,3,4\n"
    matrix = parse_matrix(data, metadata={"name": "given", "neutral": "2"})
    assert (matrix.name, matrix.neutral) == ("given", 2.0)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_writers_round_trip_through_the_parser(fmt):
    write, suffix, _ = WRITERS[fmt]
    original = example_matrix()
    parsed = parse_matrix(write(original).encode(), filename=f"x.{suffix}")
    assert parsed.content_id() == original.content_id()


# --- CSV download: formula injection ---------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1+1", "'+1+1"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tA", "'\tA"),
     ("\rA", "'\rA"), ("-0.05", "-0.05"), ("+3", "+3"), ("NLI", "NLI"), ("a=b", "a=b")],
    ids=["equals", "plus", "minus-text", "at", "tab", "cr", "negative-number", "plus-number", "plain", "equals-inside"],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_download_csv_neutralises_labels_keeps_numbers_and_reads_back():
    matrix = TransferMatrix(
        rows=["=cmd|' /C calc'!A0", "@B"], cols=["+C", "-0.5"], values=[[-0.05, 1.0], [NAN, -2.5]], name="=evil",
        metric="m",
    )
    text = to_wide_csv(matrix)
    lines = text.splitlines()
    assert lines[-3] == "train\\test,'+C,-0.5"
    assert lines[-2].startswith("'=cmd|") and lines[-2].endswith(",-0.05,1.0")
    assert lines[-1] == "'@B,,-2.5"
    assert all(not line.startswith(("=", "+", "-", "@")) for line in lines)
    back = parse_matrix(text.encode())
    assert back.rows == matrix.rows and back.cols == matrix.cols and back.name == "=evil"
    assert values_equal(back, matrix.values)


# --- DataFrames --------------------------------------------------------------------------------

FRAMES = [
    (
        "wide-index", lambda: pd.DataFrame([[0.1, -0.2], [0.3, 0.4]], index=["A", "B"], columns=["A", "B"]), ("A", "B"),
        ("A", "B"), ABC,
    ),
    (
        "wide-labels-in-first-column", lambda: pd.DataFrame({"model": ["A", "B"], "A": [0.1, 0.3], "B": [-0.2, 0.4]}),
        ("A", "B"), ("A", "B"), ABC,
    ),
    ("wide-pivot",
     lambda: pd.DataFrame({"train": ["A", "A", "B", "B"], "test": ["A", "B", "A", "B"], "v": [0.1, -0.2, 0.3, 0.4]})
     .pivot(index="train", columns="test", values="v"),
     ("A", "B"), ("A", "B"), ABC),
    (
        "long", lambda: pd.DataFrame({"Train": ["A", "A", "B"], "Test": ["A", "B", "B"], "value": [0.1, -0.2, 0.4]}),
        ("A", "B"), ("A", "B"), [[0.1, -0.2], [NAN, 0.4]],
    ),
    (
        "wide-with-nan", lambda: pd.DataFrame([[np.nan, 1.0], [2.0, 3.0]], index=["x", "y"], columns=["p", "q"]),
        ("x", "y"), ("p", "q"), [[NAN, 1], [2, 3]],
    ),
]


@pytest.mark.parametrize(("make", "rows", "cols", "values"), [f[1:] for f in FRAMES], ids=[f[0] for f in FRAMES])
def test_matrix_from_frame(make, rows, cols, values):
    matrix = matrix_from_frame(make())
    assert matrix.rows == rows and matrix.cols == cols and values_equal(matrix, values)


def test_matrix_from_frame_keeps_full_precision_and_refuses_bad_cells():
    values = np.random.default_rng(1).normal(size=(3, 3))
    frame = pd.DataFrame(values, index=list("abc"), columns=list("xyz"))
    assert np.array_equal(matrix_from_frame(frame, metric="acc").values, values)
    frame.iloc[1, 2] = np.inf
    with pytest.raises(MatrixError, match="infinite"):
        matrix_from_frame(frame)


@pytest.mark.parametrize(
    ("contents", "error", "fragment"),
    [("data:text/csv;base64," + "QUJD" * 40, TooLarge, "the limit is 100 bytes"),
     ("data:text/csv;base64,@@@@", MatrixError, "not valid base64"),
     ("text", MatrixError, "data URL"), (None, MatrixError, "data URL")],
    ids=["over-limit-before-decoding", "bad-base64", "not-a-data-url", "none"],
)
def test_decode_data_url_refuses(contents, error, fragment):
    with pytest.raises(error, match=fragment):
        decode_data_url(contents, Limits(max_bytes=100))


def test_decode_data_url():
    assert decode_data_url("data:application/json;base64,e30=") == (b"{}", "application/json")
    assert decode_data_url("data:;base64,e30=") == (b"{}", None)
