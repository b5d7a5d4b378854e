"""Replicates in every way a matrix arrives (long CSV/TSV with a replicate column, the summary
form, JSON, DataFrames, .xlsx workbooks, decimal commas), the column mapping for ambiguous
tables, every refusal with its message, and the writers' round trips."""

from __future__ import annotations

import gzip
import io
import json
import math
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from transfer.matrix import MatrixError, TransferMatrix
from transfer.parsing import (
    COLUMN_NAMES,
    MAPPING_ROLES,
    WRITERS,
    ColumnsAmbiguous,
    Limits,
    TooLarge,
    json_document,
    matrix_from_frame,
    parse_matrix,
    read_matrix_file,
    to_json_text,
    to_long_csv,
    to_wide_csv,
)
from transfer.replicates import Spread, sample_means

from replicated import xlsx

NAN = math.nan


def matrix_of(data, **kwargs) -> TransferMatrix:
    return parse_matrix(data.encode() if isinstance(data, str) else data, **kwargs)


def refusal(data, error=MatrixError, **kwargs) -> MatrixError:
    with pytest.raises(error) as caught:
        matrix_of(data, **kwargs)
    return caught.value



def same(actual: np.ndarray, expected) -> bool:
    return np.array_equal(np.asarray(actual, dtype=float), np.array(expected, dtype=float), equal_nan=True)


# --- long tables with a replicate column -------------------------------------------------------

RAGGED = "train,test,seed,value\nA,A,1,0.1\nA,A,2,0.3\nA,B,1,0.5\nB,A,1,1\nB,B,1,2\nB,B,2,4\nB,B,3,6\n"


def test_long_table_with_a_seed_column_gives_means_and_replicates():
    matrix = matrix_of(RAGGED)
    assert matrix.rows == ("A", "B") and matrix.cols == ("A", "B")
    assert same(matrix.values, [[0.2, 0.5], [1, 4]])
    spread = matrix.spread
    assert spread.form == "replicates" and spread.ids == ("1", "2", "3")
    assert same(spread.n, [[2, 1], [1, 3]])  # ragged: cells have 2, 1, 1 and 3 replicates
    assert same(spread.samples[1, 1], [2, 4, 6]) and same(spread.samples[0, 1], [0.5, NAN, NAN])
    assert spread.std[1, 1] == pytest.approx(2.0) and np.isnan(spread.std[0, 1])
    assert same(matrix.values, sample_means(spread.samples)[1])


@pytest.mark.parametrize(
    ("header", "metric"),
    [("train,test,seed,value", "value"), ("Source,Target,Run,acc", "acc"), ("src,tgt,replicate,score", "score"),
     ("train_dataset,test_dataset,rep,auc", "auc"), ("train_task,test_task,fold,value", "value"),
     ("FROM,TO,TRIAL,Value", "value"), ("train,eval,restart,f1", "f1"), ("value,seed,test,train", "value")],
    ids=["canonical", "source-target-run", "src-tgt-replicate-score", "dataset-rep", "task-fold", "upper-case",
         "eval-restart", "any-order"],
)
def test_recognised_column_names(header, metric):
    names = [name.strip().lower() for name in header.split(",")]
    roles = {name: role for role, options in COLUMN_NAMES.items() for name in options}
    order = {roles.get(name, "value"): k for k, name in enumerate(names)}
    lines = [header]
    for train, test, rep, value in [("A", "A", "s1", 1), ("A", "A", "s2", 3), ("A", "B", "s1", 5), ("B", "A", "s1", 7),
                                    ("B", "B", "s2", 9)]:
        cells = [""] * len(names)
        for role, text in (("train", train), ("test", test), ("replicate", rep), ("value", str(value))):
            cells[order[role]] = text
        lines.append(",".join(cells))
    matrix = matrix_of("\n".join(lines) + "\n")
    assert same(matrix.values, [[2, 5], [7, 9]]) and matrix.metric == metric
    assert matrix.spread.ids == ("s1", "s2") and same(matrix.spread.n, [[2, 1], [1, 1]])


def test_long_tsv_with_replicates_and_missing_values():
    matrix = matrix_of("train\ttest\tseed\tvalue\nA\tA\t0\t1\nA\tA\t1\tNA\nA\tB\t0\t2\nB\tA\t0\t3\nB\tA\t1\t5\n")
    assert same(matrix.values, [[1, 2], [4, NAN]])
    assert same(matrix.spread.n, [[1, 1], [2, 0]]) and matrix.spread.ids == ("0", "1")


def test_one_replicate_per_cell_gives_the_matrix_without_a_spread_and_the_same_id():
    seeded = matrix_of("train,test,seed,value\nA,A,7,0.1\nA,B,7,-0.0\nB,A,8,0.3\nB,B,9,0.4\n")
    plain = matrix_of("train,test,value\nA,A,0.1\nA,B,-0.0\nB,A,0.3\nB,B,0.4\n")
    assert seeded.spread is None and seeded.values.tobytes() == plain.values.tobytes()
    assert seeded.content_id() == plain.content_id()


def test_replicate_ids_without_any_value_are_left_out():
    matrix = matrix_of("train,test,seed,value\nA,A,x,\nA,A,1,1\nA,A,2,2\nA,B,1,3\nB,A,1,4\nB,B,1,5\n")
    assert matrix.spread.ids == ("1", "2")


def test_replicate_column_formula_guard_is_undone():
    matrix = matrix_of("train,test,run,value\nA,A,'=1,1\nA,A,'-2,2\nA,B,'=1,3\nB,B,'=1,4\n")
    assert matrix.spread.ids == ("=1", "-2")


# --- the summary form --------------------------------------------------------------------------

SUMMARY_VALUES = [[0.5, 0.2], [0.3, 0.1]]


@pytest.mark.parametrize(
    "text",
    ["train,test,value,std,n\nA,A,0.5,0.1,3\nA,B,0.2,,1\nB,A,0.3,0.05,2\nB,B,0.1,0.2,5\n",
     "train,test,value,SD,count\nA,A,0.5,0.1,3\nA,B,0.2,,1\nB,A,0.3,0.05,2\nB,B,0.1,0.2,5\n",
     "train,test,value,stdev,n_runs\nA,A,0.5,0.1,3.0\nA,B,0.2,NA,1\nB,A,0.3,0.05,2\nB,B,0.1,0.2,5\n",
     "train,test,value,std_dev,n_seeds\nA,A,0.5,0.1,3\nA,B,0.2,,1\nB,A,0.3,0.05,2\nB,B,0.1,0.2,5\n",
     "train,test,acc,acc_std,acc_n\nA,A,0.5,0.1,3\nA,B,0.2,,1\nB,A,0.3,0.05,2\nB,B,0.1,0.2,5\n",
     "train,test,acc,acc_std,n\nA,A,0.5,0.1,3\nA,B,0.2,,1\nB,A,0.3,0.05,2\nB,B,0.1,0.2,5\n",
     "train,test,acc_std,acc,loss,loss_std,n\nA,A,0.1,0.5,9,1,3\nA,B,,0.2,9,1,1\nB,A,0.05,0.3,9,1,2\nB,B,0.2,0.1,9,1,5\n"],
    ids=["std-n", "sd-count", "stdev-n_runs", "std_dev-n_seeds", "tracker-metric_std-metric_n", "tracker-with-n",
         "tracker-two-metrics-value-by-mapping"],
)
def test_summary_form(text):
    columns = {"value": "acc"} if "loss" in text else None
    matrix = matrix_of(text, columns=columns)
    assert same(matrix.values, SUMMARY_VALUES)
    spread = matrix.spread
    assert spread.form == "summary" and spread.samples is None
    assert same(spread.n, [[3, 1], [2, 5]]) and same(spread.std, [[0.1, NAN], [0.05, 0.2]])


def test_summary_std_where_n_is_below_two_is_ignored_and_all_ones_give_no_spread():
    matrix = matrix_of("train,test,value,std,n\nA,A,0.5,whatever,1\nA,B,0.2,-3,1\nB,A,0.3,0.1,2\nB,B,,,\n")
    assert same(matrix.spread.std, [[NAN, NAN], [0.1, NAN]]) and same(matrix.spread.n, [[1, 1], [2, 0]])
    plain = matrix_of("train,test,value,std,n\nA,A,0.5,0.1,1\nA,B,0.2,,1\nB,A,0.3,,1\nB,B,0.1,,1\n")
    assert plain.spread is None
    assert plain.content_id() == matrix_of("train,test,value\nA,A,0.5\nA,B,0.2\nB,A,0.3\nB,B,0.1\n").content_id()


# --- refusals, each with its line and column ------------------------------------------------------

REFUSED = [
    ("duplicate-replicate", "train,test,seed,value\nA,A,1,0.1\nA,B,1,0.2\nA,A,1,0.3\n",
     ["line 4", "duplicate replicate", "train 'A', test 'A', seed '1'", "first given on line 2"]),
    ("duplicate-pair-hint", "train,test,value\nA,A,1\nA,B,2\nA,A,3\nB,B,4\n",
     ["line 4: duplicate pair train 'A', test 'A' (first given on line 2)", "replicate column",
      "seed, run, replicate, rep, fold, trial or restart"]),
    ("std-without-n", "train,test,value,std\nA,A,0.5,0.1\n", ["'std' gives standard deviations", "add an n column"]),
    ("metric-std-without-n", "train,test,acc,acc_std\nA,A,0.5,0.1\n", ["'acc_std'", "add an n column", "'acc_n'"]),
    ("n-zero", "train,test,value,std,n\nA,A,0.5,0.1,3\nA,B,0.2,0.1,0\n",
     ["line 3 (train 'A', test 'B')", "n '0'", "whole number, 1 or more"]),
    ("n-fraction", "train,test,value,std,count\nA,A,0.5,0.1,2.5\n", ["line 2", "count '2.5'", "whole number"]),
    ("n-missing", "train,test,value,std,n\nA,A,0.5,0.1,\n", ["line 2", "n ''", "whole number"]),
    ("n-text", "train,test,value,std,n\nA,A,0.5,0.1,three\n", ["line 2", "n 'three'"]),
    ("std-negative", "train,test,value,std,n\nA,A,0.5,-0.1,3\n",
     ["line 2 (train 'A', test 'A')", "std '-0.1' is not a standard deviation", "0 or more", "3 replicates"]),
    ("std-infinite", "train,test,value,sd,n\nA,A,0.5,inf,3\n", ["line 2", "sd 'inf'", "finite"]),
    ("std-missing-where-n-2", "train,test,value,std,n\nA,A,0.5,,2\n", ["line 2", "std ''"]),
    ("replicate-and-std", "train,test,seed,value,std,n\nA,A,1,0.5,0.1,3\n",
     ["replicate column ('seed')", "standard deviation column ('std')", "either"]),
    ("empty-replicate-id", "train,test,seed,value\nA,A,1,0.5\nA,B,,0.2\n", ["line 3", "empty seed"]),
    ("non-numeric-replicate-value", "train,test,seed,value\nA,A,1,0.5\nA,B,2,oops\n",
     ["row 'A', column 'B': 'oops' is not a number"]),
    ("replicate-no-value-column", "train,test,seed\nA,A,1\n", ["needs a value column", "replicate column 'seed'"]),
    ("ragged-replicate-row", "train,test,seed,value\nA,A,1,0.5\nA,B,2\n", ["line 3", "3 fields, expected 4"]),
    ("decimal-comma-mixed", "train;A;B\nA;0,5;0,25\nB;0.75;1\n",
     ["line 2", "decimal comma ('0,5')", "line 3", "decimal point ('0.75')", "one decimal mark"]),
    ("sheet-on-csv", "t,A,B\nA,1,2\nB,3,4\n", ["a sheet was named ('Results')", "not an Excel workbook"]),
]


@pytest.mark.parametrize(("text", "fragments"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refusals_say_where_and_why(text, fragments):
    kwargs = {"sheet": "Results"} if "sheet" in fragments[0] else {}
    message = str(refusal(text, **kwargs))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_too_many_replicate_ids_for_the_cells_is_refused_as_too_large():
    lines = ["train,test,run,value"] + [f"{t},{u},run-{t}{u}{k},{k}" for t in "ABC" for u in "ABC" for k in range(2)]
    message = str(refusal("\n".join(lines) + "\n", TooLarge, limits=Limits(max_cells=20)))
    assert "replicate ids" in message and "matched by their id" in message


# --- ambiguous columns and the mapping ------------------------------------------------------------

AMBIGUOUS = [
    ("two-train-columns", "source,src,test,value\nA,A,B,1\n", ["several train columns ('source', 'src')", "'train'"],
     {"train": "source", "test": "test", "replicate": None, "value": "value"}),
    ("two-test-columns", "train,target,tgt,value\nA,A,B,1\n", ["several test columns ('target', 'tgt')"],
     {"train": "train", "test": "target", "replicate": None, "value": "value"}),
    ("two-replicate-columns", "train,test,seed,fold,value\nA,A,1,1,2\n",
     ["several replicate columns ('seed', 'fold')"], {"train": "train", "test": "test", "replicate": "seed",
                                                       "value": "value"}),
    ("several-numeric-columns", "train,test,random_seed,acc\nA,A,1,0.5\nA,B,2,0.6\n",
     ["several value columns ('random_seed', 'acc')", "name the one to use 'value'"],
     {"train": "train", "test": "test", "replicate": "random_seed", "value": "acc"}),
    ("unnamed-long-table", "model,dataset,seed,acc\nbert,mnli,1,0.5\nbert,snli,1,0.6\n",
     ["row 'bert', column 'dataset': 'mnli' is not a number", "long table", "choose them"],
     {"train": "model", "test": "dataset", "replicate": "seed", "value": "acc"}),
    ("two-std-columns", "train,test,value,std,sd,n\nA,A,1,0.1,0.1,3\n", ["several standard deviation columns"],
     {"train": "train", "test": "test", "replicate": None, "value": "value"}),
]


@pytest.mark.parametrize(("text", "fragments", "guesses"), [a[1:] for a in AMBIGUOUS], ids=[a[0] for a in AMBIGUOUS])
def test_ambiguous_columns_say_which_and_carry_the_header_and_guesses(text, fragments, guesses):
    err = refusal(text, ColumnsAmbiguous)
    for fragment in fragments:
        assert fragment in str(err), f"{fragment!r} not in {str(err)!r}"
    assert err.columns == text.splitlines()[0].split(",")
    assert err.guesses == guesses and tuple(err.guesses) == MAPPING_ROLES
    assert err.to_json() == {"error": str(err), "columns": err.columns, "guesses": guesses}


def test_the_existing_several_value_columns_message_is_kept_exactly():
    err = refusal("train,test,auc,acc\nA,A,1,2\n", ColumnsAmbiguous)
    assert str(err) == ("the long format has several value columns ('auc', 'acc'); keep one, or name the one to use "
                        "'value'")


def test_the_one_numeric_column_left_is_the_value():
    matrix = matrix_of("train,test,acc,notes\nA,A,0.5,good\nA,B,0.6,\nB,A,0.7,x\nB,B,0.8,y\n")
    assert matrix.metric == "acc" and same(matrix.values, [[0.5, 0.6], [0.7, 0.8]])


UNNAMED = "model,dataset,seed,acc,loss\nbert,mnli,1,0.5,2\nbert,mnli,2,0.7,2\nbert,snli,1,0.6,2\nrob,mnli,1,0.1,2\n" \
          "rob,snli,1,0.2,2\n"


@pytest.mark.parametrize(
    ("columns", "values", "ids"),
    [({"train": "model", "test": "dataset", "replicate": "seed", "value": "acc"}, [[0.6, 0.6], [0.1, 0.2]], ("1", "2")),
     ({"train": "MODEL", "test": "Dataset", "value": "acc"}, [[0.6, 0.6], [0.1, 0.2]], ("1", "2")),
     ({"train": "dataset", "test": "model", "replicate": "seed", "value": "loss"}, [[2, 2], [2, 2]], ("1", "2"))],
    ids=["all-four", "case-insensitive-replicate-recognised", "transposed-other-value"],
)
def test_explicit_mapping(columns, values, ids):
    matrix = matrix_of(UNNAMED, columns=columns)
    assert same(matrix.values, values) and matrix.spread.ids == ids
    assert matrix.metric == columns["value"]


def test_mapping_without_replicate_means_no_replicate_column():
    err = refusal("train,test,seed,value\nA,A,1,1\nA,A,2,2\n", columns={"replicate": None})
    assert "duplicate pair" in str(err)
    assert matrix_of("train,test,seed,value\nA,A,1,1\nA,B,2,2\nB,B,2,3\n", columns={"replicate": ""}).spread is None


@pytest.mark.parametrize(
    ("columns", "fragments"),
    [({"train": "nope"}, ["the train column 'nope' is not in the header", "'model', 'dataset', 'seed', 'acc', 'loss'"]),
     ({"colour": "model"}, ["unknown column role 'colour'", "train, test, replicate, value, std, n"]),
     ({"train": "model", "test": "model"}, ["'model' is chosen as train and test"]),
     ({"train": ""}, ["the train column cannot be left out"])],
    ids=["unknown-column", "unknown-role", "same-column-twice", "empty-train"],
)
def test_mapping_refusals(columns, fragments):
    message = str(refusal(UNNAMED, columns=columns))
    for fragment in fragments:
        assert fragment in message


def test_mapping_does_not_apply_to_a_json_matrix_object():
    document = json.dumps({"rows": ["A", "B"], "cols": ["A", "B"], "values": [[1, 2], [3, 4]]})
    assert "applies to tables" in str(refusal(document, columns={"train": "rows"}))


def test_a_wide_matrix_with_datasets_named_like_columns_stays_wide():
    matrix = matrix_of("model,source,target\nsource,0.1,0.2\ntarget,0.3,0.4\n")
    assert matrix.rows == ("source", "target") and matrix.cols == ("source", "target")


# --- decimal commas -------------------------------------------------------------------------------

def test_semicolon_file_with_decimal_commas():
    matrix = matrix_of("# neutral: 0,5\ntrain;A;B\nA;0,53;-1,5e-3\nB;1;NA\n")
    assert same(matrix.values, [[0.53, -0.0015], [1, NAN]]) and matrix.neutral == 0.5


def test_long_semicolon_and_tab_files_with_decimal_commas_and_replicates():
    semicolon = matrix_of("train;test;seed;value\nA;A;1;0,1\nA;A;2;0,3\nA;B;1;0,5\nB;B;1;2\n")
    tab = matrix_of("train\ttest\tseed\tvalue\nA\tA\t1\t0,1\nA\tA\t2\t0,3\nA\tB\t1\t0,5\nB\tB\t1\t2\n")
    for matrix in (semicolon, tab):
        assert same(matrix.values, [[0.2, 0.5], [NAN, 2]]) and matrix.spread.max_n == 2


def test_a_comma_file_is_never_read_with_decimal_commas():
    assert "is not a number" in str(refusal('t,A,B\nA,"0,5",1\nB,2,3\n'))


# --- JSON -----------------------------------------------------------------------------------------

def test_json_three_dimensional_values_with_replicate_ids():
    document = {"rows": ["A", "B"], "cols": ["A", "B"], "replicates": [13, "s2", "s3"],
                "values": [[[1, 2, None], [3, None, None]], [None, [5, 6, 7]]]}
    matrix = matrix_of(json.dumps(document))
    assert same(matrix.values, [[1.5, 3], [NAN, 6]]) and matrix.spread.ids == ("13", "s2", "s3")
    assert same(matrix.spread.n, [[2, 1], [0, 3]])


def test_json_ragged_replicate_lists_without_ids():
    matrix = matrix_of('{"rows":["A","B"],"cols":["A","B"],"values":[[[1,3],[2]],[[4,6,8],[]]]}')
    assert matrix.spread.ids == ("1", "2", "3") and same(matrix.values, [[2, 2], [6, NAN]])


def test_json_std_and_n_beside_values():
    document = {"rows": ["A", "B"], "cols": ["A", "B"], "values": [[1, 2], [3, None]],
                "std": [[0.1, None], [0.2, None]], "n": [[3, 1], [2, None]]}
    spread = matrix_of(json.dumps(document)).spread
    assert spread.form == "summary" and same(spread.n, [[3, 1], [2, 0]]) and same(spread.std, [[0.1, NAN], [0.2, NAN]])


def test_json_records_with_a_seed_go_through_the_long_reader():
    records = [{"train": "A", "test": "A", "seed": 1, "value": 1}, {"train": "A", "test": "A", "seed": 2, "value": 3},
               {"train": "B", "test": "B", "seed": 1, "value": 5}, {"train": "A", "test": "B", "seed": 1, "value": 0}]
    matrix = matrix_of(json.dumps(records))
    assert same(matrix.values, [[2, 0], [NAN, 5]]) and matrix.spread.ids == ("1", "2")


JSON_BASE = {"rows": ["A", "B"], "cols": ["A", "B"]}
JSON_REFUSED = [
    ("number-among-lists", {"values": [[[1, 2], 3], [None, None]]}, ["row 'A', column 'B'", "not a list"]),
    ("wrong-length-for-ids", {"replicates": ["a", "b"], "values": [[[1, 2], [3]], [None, None]]},
     ["row 'A', column 'B' has 1 replicate values", "names 2", "null where"]),
    ("duplicate-ids", {"replicates": ["a", "a"], "values": [[[1, 2], None], [None, None]]}, ["lists 'a' twice"]),
    ("bool-id", {"replicates": [True], "values": [[[1], None], [None, None]]}, ["'replicates' entry 1"]),
    ("string-replicate-value", {"replicates": ["a", "b"], "values": [[[1, "x"], None], [None, None]]},
     ["row 'A', column 'A', replicate 'b'", '"x" is not a number']),
    ("std-without-n", {"values": [[1, 2], [3, 4]], "std": [[0.1, 0.1], [0.1, 0.1]]},
     ["'std' but no 'n'", "add an 'n'"]),
    ("n-without-std", {"values": [[1, 2], [3, 4]], "n": [[3, 3], [3, 3]]}, ["'n' but no 'std'"]),
    ("n-not-whole", {"values": [[1, 2], [3, 4]], "std": [[0.1, 0.1], [0.1, 0.1]], "n": [[3, 2.5], [3, 3]]},
     ["row 'A', column 'B'", "n '2.5'"]),
    ("std-ragged", {"values": [[1, 2], [3, 4]], "std": [[0.1], [0.1, 0.1]], "n": [[3, 3], [3, 3]]},
     ["'std' row 1 (row 'A') has 1 entries, expected 2"]),
    ("replicates-with-2d-values", {"replicates": ["a"], "values": [[1, 2], [3, 4]]}, ["names 'replicates'"]),
    ("3d-with-std", {"values": [[[1, 2], None], [None, None]], "std": [[0.1, 0.1], [0.1, 0.1]], "n": [[1, 1], [1, 1]]},
     ["give one or the other"]),
]


@pytest.mark.parametrize(("document", "fragments"), [r[1:] for r in JSON_REFUSED], ids=[r[0] for r in JSON_REFUSED])
def test_json_refusals(document, fragments):
    message = str(refusal(json.dumps({**JSON_BASE, **document})))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


# --- spreadsheets ---------------------------------------------------------------------------------

def with_seventeen_digits(data: bytes) -> bytes:
    """The workbook with its cell 0.3 written as 0.30000000000000004, as Excel writes it (openpyxl
    writes 16 significant digits)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = part.replace(b"<v>0.3</v>", b"<v>0.30000000000000004</v>")
            target.writestr(info, part)
    return out.getvalue()


def test_xlsx_wide_first_sheet_full_precision_and_empty_cells_missing():
    data = xlsx({"Results": [["train\\test", "A", "B"], ["A", 0.3, 1 / 3], ["B", None, -4]],
                 "Notes": [["ignored"]]})
    matrix = matrix_of(with_seventeen_digits(data), filename="probe-results.xlsx")
    assert matrix.name == "probe-results" and matrix.rows == ("A", "B")
    assert matrix.values.tolist()[0] == [0.30000000000000004, 1 / 3]
    assert same(matrix.values[1], [NAN, -4])


def test_xlsx_is_detected_by_content_whatever_its_name():
    data = xlsx({"S": [["t", "A", "B"], ["A", 1, 2], ["B", 3, 4]]})
    for filename, content_type in ((None, None), ("results.csv", "text/csv"), ("x.json", "application/json")):
        assert same(matrix_of(data, filename=filename, content_type=content_type).values, [[1, 2], [3, 4]])


def test_xlsx_long_with_replicates_comment_metadata_and_blank_rows():
    data = xlsx({"Runs": [["# name: Seeds in Excel"], ["# metric: accuracy"], ["Train", "Test", "Seed", "Value"],
                          ["A", "A", 1, 0.5], ["A", "A", 2, 0.7], [None, None, None, None], ["A", "B", 1, 0.1],
                          ["B", "A", 1, 0.2], ["B", "B", 1, 0.3]]})
    matrix = matrix_of(data)
    assert matrix.name == "Seeds in Excel" and matrix.metric == "accuracy"
    assert same(matrix.values, [[0.6, 0.1], [0.2, 0.3]]) and matrix.spread.ids == ("1", "2")


def test_xlsx_summary_form():
    data = xlsx({"S": [["train", "test", "acc", "acc_std", "acc_n"], ["A", "A", 0.5, 0.1, 3], ["A", "B", 0.2, None, 1],
                       ["B", "A", 0.3, 0.05, 2], ["B", "B", 0.1, 0.2, 5]]})
    spread = matrix_of(data).spread
    assert spread.form == "summary" and same(spread.n, [[3, 1], [2, 5]])


TWO_SHEETS = {"Notes": [["see the next sheet"]], "Results": [["t", "A", "B"], ["A", 1, 2], ["B", 3, 4]]}


@pytest.mark.parametrize("sheet", ["Results", 2, "2", " Results "], ids=["name", "number", "number-text", "spaces"])
def test_xlsx_sheet_by_name_or_number(sheet):
    assert same(matrix_of(xlsx(TWO_SHEETS), sheet=sheet).values, [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    ("sheets", "sheet", "fragments"),
    [(TWO_SHEETS, "Summary", ["no sheet 'Summary'", "its sheets are 'Notes', 'Results'"]),
     (TWO_SHEETS, 3, ["no sheet '3'"]),
     (TWO_SHEETS, None, ["sheet 'Notes':", "the workbook also has 'Results'"]),
     ({"S": [["train", "test", "seed", "value"], ["A", "A", 1, 0.5], ["A", "A", 1, 0.7]]}, None,
      ["sheet 'S': sheet row 3: duplicate replicate", "first given on sheet row 2"]),
     ({"S": [["t", "A", "B"], ["A", 1, "n/a?"], ["B", 3, 4]]}, None, ["row 'A', column 'B': 'n/a?' is not a number"]),
     ({"Empty": []}, None, ["the sheet 'Empty' is empty"])],
    ids=["missing-name", "missing-number", "first-sheet-not-a-matrix", "duplicate-with-sheet-row", "bad-cell", "empty"],
)
def test_xlsx_refusals(sheets, sheet, fragments):
    message = str(refusal(xlsx(sheets), sheet=sheet))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_xlsx_ambiguous_columns_keep_their_header_and_guesses():
    data = xlsx({"S": [["model", "dataset", "seed", "acc"], ["bert", "mnli", 1, 0.5], ["bert", "snli", 1, 0.6],
                       ["rob", "mnli", 1, 0.7], ["rob", "mnli", 2, 0.9], ["rob", "snli", 1, 0.8]]})
    err = refusal(data, ColumnsAmbiguous)
    assert err.columns == ["model", "dataset", "seed", "acc"]
    assert err.guesses == {"train": "model", "test": "dataset", "replicate": "seed", "value": "acc"}
    mapped = matrix_of(data, columns=err.guesses)  # the guesses, confirmed, read the sheet
    assert mapped.rows == ("bert", "rob") and same(mapped.values, [[0.5, 0.6], [0.8, 0.8]])


def test_xlsx_read_by_the_command_line_reader(tmp_path):
    path = tmp_path / "seeds.xlsx"
    path.write_bytes(xlsx({"S": [["train", "test", "run", "auc"], ["A", "A", 1, 0.5], ["A", "A", 2, 0.7],
                                 ["A", "B", 1, 0.1], ["B", "A", 1, 0.2], ["B", "B", 1, 0.3]]}))
    matrix = read_matrix_file(path)
    assert matrix.name == "seeds" and matrix.metric == "auc" and matrix.spread.max_n == 2


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


BINARIES = [
    ("xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ["not text", "Excel 97-2003 workbook (.xls)",
                                                                 "save it as .xlsx or CSV"]),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ["not text", "a PDF document", ".xlsx"]),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["not text", "a PNG image"]),
    ("gzip", gzip.compress(b"t,A,B\nA,1,2\nB,3,4\n"), ["not text", "gzip-compressed", "decompress it first"]),
    ("parquet", b"PAR1\x15\x04\x15\x00" + b"\x00" * 16 + b"PAR1", ["not text", "a Parquet file"]),
    ("zip-without-xl", zipped({"results.csv": b"t,A,B\nA,1,2\nB,3,4\n"}),
     ["ZIP archive without a workbook", "no xl/ parts", "unzip it"]),
    ("xlsb", zipped({"xl/workbook.bin": b"\x00\x01"}), ["Excel binary workbook (.xlsb)"]),
    ("ods", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
     ["OpenDocument spreadsheet (.ods)", "save it as .xlsx or CSV"]),
    ("docx", zipped({"word/document.xml": b"<x/>"}), ["a Word document (.docx)"]),
    ("damaged-zip", b"PK\x03\x04" + b"\x14\x00" * 20, ["ZIP archive", "cannot be opened"]),
    ("damaged-workbook", zipped({"xl/workbook.xml": b"<not a workbook", "[Content_Types].xml": b"<x/>"}),
     ["the Excel workbook cannot be read"]),
]


@pytest.mark.parametrize(("data", "fragments"), [b[1:] for b in BINARIES], ids=[b[0] for b in BINARIES])
def test_binary_files_say_what_they_look_like(data, fragments):
    message = str(refusal(data))
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_utf16_text_as_excel_saves_unicode_text():
    text = "train\\test\tA\tB\nA\t0.5\t1\nB\t2\t3\n"
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding)
        data = data if data[:2] in (b"\xff\xfe", b"\xfe\xff") else b"\xfe\xff" + data
        assert same(matrix_of(data).values, [[0.5, 1], [2, 3]])


# --- DataFrames -----------------------------------------------------------------------------------

def test_frame_long_with_a_replicate_column():
    frame = pd.DataFrame({"Source": ["A", "A", "A", "B", "B"], "Target": ["A", "A", "B", "A", "B"],
                          "seed": [0, 1, 0, 0, 0], "acc": [0.5, 0.7, 0.1, 0.2, 0.3]})
    matrix = matrix_from_frame(frame)
    assert same(matrix.values, [[0.6, 0.1], [0.2, 0.3]]) and matrix.spread.ids == ("0", "1")
    assert matrix.metric == "acc" and matrix.name == "DataFrame"


def test_frame_groupby_result_with_train_and_test_in_its_index():
    frame = pd.DataFrame({"train": ["A", "A", "B", "B"], "test": ["A", "B", "A", "B"], "seed": [1, 1, 1, 1],
                          "acc": [0.1, 0.2, 0.3, 0.4]})
    summary = frame.groupby(["train", "test"])["acc"].agg(["mean", "std", "count"])
    summary["std"] = [0.1, 0.2, 0.0, 0.3]
    summary["count"] = [3, 3, 2, 1]
    matrix = matrix_from_frame(summary, columns={"value": "mean"})
    assert same(matrix.values, [[0.1, 0.2], [0.3, 0.4]])
    assert same(matrix.spread.n, [[3, 3], [2, 1]]) and same(matrix.spread.std, [[0.1, 0.2], [0.0, NAN]])


def test_frame_with_a_mapping():
    frame = pd.DataFrame({"model": ["a", "a", "b", "b"], "data": ["x", "y", "x", "y"], "run": [1, 1, 1, 1],
                          "f1": [1.0, 2.0, 3.0, 4.0]})
    matrix = matrix_from_frame(frame, columns={"train": "model", "test": "data", "value": "f1"})
    assert matrix.rows == ("a", "b") and same(matrix.values, [[1, 2], [3, 4]]) and matrix.spread is None


# --- writers and round trips ----------------------------------------------------------------------

def replicated_matrix() -> TransferMatrix:
    samples = np.array([[[0.1, 0.3, NAN], [NAN, NAN, NAN], [-0.0, NAN, 2.0]],
                        [[NAN, 1 / 3, NAN], [1.0, 2.0, 4.0], [5e-324, NAN, NAN]]])
    return TransferMatrix(rows=("=A", "B"), cols=("x", "y", "-z"), values=sample_means(samples)[1],
                          spread=Spread.from_samples(samples, ["s=1", "-2", "a,b"]), name="seeds", metric="AUC",
                          neutral=0.25)


def summary_matrix() -> TransferMatrix:
    values = np.array([[NAN, 0.2, 0.3], [0.4, -0.0, 1 / 3]])
    std = np.array([[NAN, 0.1, NAN], [0.0, 1e-300, 0.5]])
    n = np.array([[0, 3, 1], [2, 5, 4]], dtype=float)
    return TransferMatrix(rows=("A", "B"), cols=("x", "y", "z"), values=values, spread=Spread.from_summary(std, n),
                          name="summary", metric="accuracy", neutral=0.0)


@pytest.mark.parametrize("make", [replicated_matrix, summary_matrix], ids=["replicates", "summary"])
@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_writers_round_trip_spreads(make, fmt):
    matrix = make()
    write, suffix, _ = WRITERS[fmt]
    back = parse_matrix(write(matrix).encode(), filename=f"x.{suffix}")
    if fmt == "wide":  # the means only
        assert back.spread is None and same(back.values, matrix.values)
        return
    assert back.content_id() == matrix.content_id()
    assert back.spread.form == matrix.spread.form and back.spread.ids == matrix.spread.ids
    assert back.values.tobytes() == matrix.values.tobytes()


def test_long_csv_of_replicates_has_a_row_per_replicate():
    text = to_long_csv(replicated_matrix())
    lines = text.splitlines()
    assert lines[3] == "train,test,replicate,value"
    assert "'=A,x,s=1,0.1" in lines and "B,y,-2,2.0" in lines and 'B,y,"a,b",4.0' in lines
    assert sum(1 for line in lines[4:] if line.split(",")[-1]) == int(replicated_matrix().spread.n.sum())


def test_long_csv_and_json_of_a_summary():
    lines = to_long_csv(summary_matrix()).splitlines()
    assert lines[3] == "train,test,value,std,n" and "A,y,0.2,0.1,3" in lines and "A,z,0.3,,1" in lines
    document = json_document(summary_matrix())
    assert document["n"] == [[0, 3, 1], [2, 5, 4]] and document["std"][0] == [None, 0.1, None]


def test_json_of_replicates_is_three_dimensional():
    document = json.loads(to_json_text(replicated_matrix()))
    assert document["replicates"] == ["s=1", "-2", "a,b"]
    assert document["values"][0][0] == [0.1, 0.3, None] and document["values"][0][1] == [None, None, None]


def test_wide_csv_writes_the_means():
    lines = to_wide_csv(replicated_matrix()).splitlines()
    assert lines[-1].startswith("B,") and lines[-1].split(",")[2] == repr(7 / 3)


def test_long_csv_keeps_the_label_order_when_first_cells_are_missing():
    matrix = TransferMatrix(rows=("A", "B"), cols=("x", "y"), values=[[NAN, 1.0], [2.0, NAN]], name="gaps")
    assert parse_matrix(to_long_csv(matrix).encode()).content_id() == matrix.content_id()


# --- Hypothesis: long CSV <-> matrix with ragged replicate counts --------------------------------

IDS = ["0", "1", "2", "seed=3", "-x", "a,b", 'q"t', "10", "run 5"]
LABELS = ["A", "B", "C", "=D", "a,b"]


@st.composite
def ragged_matrices(draw) -> TransferMatrix:
    n_rows, n_cols, n_ids = draw(st.integers(2, 4)), draw(st.integers(2, 4)), draw(st.integers(1, 4))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=n_ids, max_size=n_ids, unique=True))
    present = np.array(draw(st.lists(st.booleans(), min_size=n_rows * n_cols * n_ids,
                                     max_size=n_rows * n_cols * n_ids))).reshape(n_rows, n_cols, n_ids)
    numbers = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, -0.0, 5e-324, 0.1, 1 / 3]))
    values = np.array(draw(st.lists(numbers, min_size=present.size, max_size=present.size))).reshape(present.shape)
    assume(present.sum(axis=2).max() >= 2)  # else it is a matrix without replicates
    assume(present.any(axis=(0, 1)).all())  # every id has a value somewhere (an unused one is not kept)
    samples = np.where(present, values, np.nan)
    return TransferMatrix(rows=LABELS[:n_rows], cols=LABELS[:n_cols][::-1], values=sample_means(samples)[1],
                          spread=Spread.from_samples(samples, ids), name="ragged", metric="auc", neutral=0.0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(ragged_matrices())
def test_matrix_to_long_csv_and_back(matrix):
    back = parse_matrix(to_long_csv(matrix).encode())
    assert back.content_id() == matrix.content_id()
    assert back.spread.samples.tobytes() == matrix.spread.samples.tobytes() and back.spread.ids == matrix.spread.ids
    assert parse_matrix(to_json_text(matrix).encode()).content_id() == matrix.content_id()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_long_csv_to_matrix_and_back(data):
    cells = [(t, u) for t in "PQR" for u in "XYZ"]
    rows = []
    for train, test in data.draw(st.lists(st.sampled_from(cells), min_size=1, max_size=9, unique=True)):
        for seed in data.draw(st.lists(st.sampled_from(["1", "2", "3", "7"]), min_size=1, max_size=4, unique=True)):
            rows.append(f"{train},{test},{seed},{data.draw(st.floats(-10, 10, allow_nan=False))!r}")
    rows = data.draw(st.permutations(rows))
    try:
        first = parse_matrix(("train,test,seed,acc\n" + "\n".join(rows) + "\n").encode())
    except MatrixError as err:  # one train or one test dataset only is not a matrix
        assert "at least 2 of each" in str(err)
        return
    again = parse_matrix(to_long_csv(first).encode())
    assert again.content_id() == first.content_id()
    assert (first.spread is None) == (again.spread is None)
    for line in rows:  # every replicate value is where the file put it
        train, test, seed, value = line.split(",")
        i, j = first.rows.index(train), first.cols.index(test)
        if first.spread is None:
            assert first.values[i, j] == float(value)
        else:
            assert first.spread.samples[i, j, first.spread.ids.index(seed)] == float(value)
