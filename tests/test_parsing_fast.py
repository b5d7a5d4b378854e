"""The fast path (`transfer.parsing._fast_body` and what reads its bytes with pandas) either
declines a file or returns exactly what the detailed reader returns: the same labels, the same
values bit for bit, the same metadata, spread and content id, and for a refused file the same
message (the detailed reader explains every refusal)."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transfer import parsing
from transfer.matrix import MatrixError, TransferMatrix
from transfer.parsing import WRITERS, Limits, parse_matrix

LIMITS = Limits(max_bytes=200_000, max_cells=300)
# Replicates near 1e308 overflow the spread's squares (the model's business, not the readers').
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")

NUMBERS = ["0.5", "-0.25", "1", "-0", "0", "-0.0", "12", "007", "+1.5", ".5", "5.", "1e5", "1E-5", "-3.2e-7",
           "1e308", "1.7976931348623157e308", "5e-324", "1e-400", "0.1000000000000000055511151231257827",
           "123456789012345678901234567890", "2.9999999999999996", " 0.5", "0.5 ", "\t0.5"]
MISSING = ["", "NA", "na", "N/A", "n/a", "nan", "NaN", "NAN", "null", "NULL", "None", "none", "-", "--", " NA ",
           " ", "nAn"]
ODD = ["inf", "-inf", "Infinity", "+inf", "1e999", "-nan", "+nan", "nan(1)", "nan()", "abc", "1_000", "1,5",
       "0x10", "True", "false", "١٢", "1e", "--1", "1.2.3", "=1", "'=1", "\x0c", "\u00a0"]
LABELS = ["A", "B", "C", "task-1", "task 2", "x,y", 'say "hi"', " padded ", "", "   ", "1", "2.0", "007", "NA",
          "None", "nan", "'=x", "'-1", "#note", "é", "\ufeffbom", "A", "train", "test", "seed", "n", "N"]


def outcome(data: bytes, limits: Limits = LIMITS, **hints):
    """What parse_matrix makes of the bytes: the error's kind and message, or everything a matrix is."""
    try:
        matrix = parse_matrix(data, limits=limits, **hints)
    except MatrixError as err:
        return type(err).__name__, str(err), getattr(err, "columns", None), getattr(err, "guesses", None)
    spread = matrix.spread
    return (
        matrix.rows, matrix.cols, matrix.values.tobytes(), matrix.values.flags.c_contiguous, matrix.metadata(),
        matrix.neutral, matrix.neutral_basis, matrix.content_id(),
        None if spread is None else (spread.digest(), spread.ids, spread.n.tobytes(), spread.std.tobytes()),
    )


@contextmanager
def detailed_only():
    with mock.patch.object(parsing, "_fast_body", return_value=None):
        yield


@contextmanager
def fast_results():
    """The fast path's answers during the block: a table or rows and values, or None (declined)."""
    answers: list = []
    real_wide, real_long = parsing._fast_wide, parsing._fast_long

    def wide(*args, **kwargs):
        answers.append(real_wide(*args, **kwargs))
        return answers[-1]

    def long(*args, **kwargs):
        answers.append(real_long(*args, **kwargs))
        return answers[-1]

    with mock.patch.object(parsing, "_fast_wide", wide), mock.patch.object(parsing, "_fast_long", long):
        yield answers


def same_as_detailed(data: bytes, limits: Limits = LIMITS, **hints) -> bool:
    """Asserts the two readers agree; True if the fast path accepted the file."""
    with fast_results() as answers:
        fast = outcome(data, limits, **hints)
    with detailed_only():
        detailed = outcome(data, limits, **hints)
    assert fast == detailed
    return any(answer is not None for answer in answers)


def write(lines: list[list[str]], delimiter: str, quoting: bool) -> str:
    if not quoting:
        return "\n".join(delimiter.join(line) for line in lines) + "\n"
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(lines)
    return out.getvalue()


def cell(broken: bool):
    return st.integers(0, 19 if broken else 17).flatmap(
        lambda n: st.sampled_from(NUMBERS) if n < 14 else st.sampled_from(MISSING) if n < 18
        else st.one_of(st.sampled_from(ODD), st.floats().map(repr))
    )


def label():
    return st.one_of(st.sampled_from(LABELS), st.text(st.characters(blacklist_categories=["Cs"]), max_size=3))


@st.composite
def table_text(draw) -> bytes:
    """Wide or long tables, well formed or with the ways files go wrong mixed in."""
    broken = draw(st.integers(0, 2)) == 0
    delimiter = draw(st.sampled_from([",", ",", "\t", ";"]))
    n_rows, n_cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    unique = not broken or draw(st.booleans())
    rows = [f"r{i}" for i in range(n_rows)] if unique else draw(st.lists(label(), min_size=n_rows, max_size=n_rows))
    cols = [f"c{j}" for j in range(n_cols)] if unique else draw(st.lists(label(), min_size=n_cols, max_size=n_cols))
    kind = draw(st.sampled_from(["wide", "long", "seeds"]))
    if kind == "wide":
        lines = [[draw(st.sampled_from(["train\\test", "", "x"])), *cols]]
        lines += [[r, *(draw(cell(broken)) for _ in range(n_cols))] for r in rows]
    else:
        header = ["train", "test", *(["seed"] if kind == "seeds" else []), draw(st.sampled_from(["value", "AUC"]))]
        if draw(st.integers(0, 5)) == 0:
            header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(["note", "run", "n", "std"])))
        lines = [header]
        seeds = draw(st.lists(st.sampled_from(["0", "1", "2", "01", " 1", "a", "'=s"] + [""] * broken),
                              min_size=1, max_size=3, unique=True))
        for r in rows:
            for c in cols:
                for seed in seeds if kind == "seeds" else [None]:
                    if draw(st.integers(0, 6)):
                        line = [r, c, *([seed] if seed is not None else []), draw(cell(broken))]
                        while len(line) < len(header):
                            line.insert(len(line) - 1, draw(st.sampled_from(["x", "3", "", "0.1"])))
                        lines.append(line)
    if broken and draw(st.integers(0, 3)) == 0 and len(lines) > 1:  # a ragged line
        victim = lines[draw(st.integers(1, len(lines) - 1))]
        victim.append("0.5") if draw(st.booleans()) else victim.pop()
    if draw(st.integers(0, 5)) == 0:  # a blank line or one of only delimiters
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from([[""], ["  "], ["", ""], [" ", ""]])))
    text = write(lines, delimiter, quoting=draw(st.booleans()))
    comments = draw(st.lists(st.sampled_from(["# name: Fast", "# metric: AUC", "# neutral: 0.5", "# neutral: x",
                                              "# scale: [0, 1]", "# comment, with a comma", "#", ""]), max_size=3))
    text = "".join(line + "\n" for line in comments) + text
    if draw(st.integers(0, 4)) == 0:
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n\n"])))
    if broken and draw(st.integers(0, 3)) == 0:
        position = draw(st.integers(0, len(text)))
        odd = draw(st.sampled_from(['"', "\x00", "\r", "\n", delimiter, "#", "nan("]))
        text = text[:position] + odd + text[position:]
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(table_text())
def test_the_fast_path_declines_or_reads_exactly_what_the_detailed_reader_reads(data):
    same_as_detailed(data, filename="table.csv")


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(table_text(), st.sampled_from([{"train": "test", "test": "train"}, {"value": "AUC"}, {"replicate": None}]))
def test_a_column_mapping_reads_the_same_either_way(data, columns):
    with fast_results():
        fast = outcome(data, columns=columns)
    with detailed_only():
        assert outcome(data, columns=columns) == fast


def wide_file(n: int = 30, missing: str = "", newline: str = "\n") -> bytes:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(n, n)).round(6)
    values[rng.random((n, n)) < 0.1] = np.nan
    values[0, 0], values[1, 1] = -0.0, 1e-320
    matrix = TransferMatrix(rows=[f"train-{i}" for i in range(n)], cols=[f"test {j}" for j in range(n)],
                            values=values, metric="AUC", neutral=None)
    text = WRITERS["wide"][0](matrix).replace(",,", f",{missing},").replace(",\n", f",{missing}\n")
    return text.replace("\n", newline).encode()


@pytest.mark.parametrize("missing", ["", "NA", "nan", "null"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_well_formed_files_take_the_fast_path(missing, newline):
    limits = Limits()
    assert same_as_detailed(wide_file(missing=missing, newline=newline), limits, filename="m.csv")
    assert same_as_detailed(b"\xef\xbb\xbf" + wide_file(missing=missing, newline=newline).replace(b",", b"\t"), limits)
    rng = np.random.default_rng(1)
    lines = ["# name: runs", "train,test,seed,value"]
    lines += [f"t{i},t{j},{s},{rng.normal():.4f}" for i in range(20) for j in range(20) for s in range(5)]
    lines[7] = lines[7].rsplit(",", 1)[0] + "," + missing  # a missing replicate
    assert same_as_detailed(newline.join(lines).encode(), limits)
    no_seed = ["train,test,score"] + [f"t{i},u{j},{(i - j) / 7}" for i in range(10) for j in range(12)]
    assert same_as_detailed("\n".join(no_seed).encode(), limits)


@pytest.mark.parametrize("change, message, declined", [
    (lambda text: text.replace("0.125", "abc", 1), "row 'train-1', column 'test-0': 'abc' is not a number", True),
    (lambda text: text.replace("0.125", "inf", 1), "row 'train-1', column 'test-0': infinite value 'inf'", True),
    (lambda text: text.replace("0.125", "nan(1)", 1), "'nan(1)' is not a number", True),
    (lambda text: text.replace("0.125", "-nan", 1), None, True),  # accepted, as float('-nan'): its sign bit
    (lambda text: text.replace("0.125", "0.125,7", 1), "line 3 (row 'train-1'): 4 fields, expected 3", True),
    (lambda text: text.replace("train-1", " ", 1), "line 3, first column: empty label", True),
    (lambda text: text.replace("train-1", "train-0", 1), "duplicate row label 'train-0'", False),  # the model's check
])
def test_a_refused_file_is_explained_by_the_detailed_reader(change, message, declined):
    text = "train\\test,test-0,test-1\ntrain-0,0.5,-0.25\ntrain-1,0.125,\ntrain-2,1,2\n"
    assert same_as_detailed(text.encode())
    changed = change(text).encode()
    if message is not None:
        with pytest.raises(MatrixError, match=message.replace("(", r"\(").replace(")", r"\)")):
            parse_matrix(changed)
    assert same_as_detailed(changed) is not declined


def test_a_field_over_the_csv_modules_size_limit_is_left_to_the_detailed_reader():
    text = "train\\test,a,b\nx," + "0" * 60 + ".5,1\ny,1,2\n"
    old = csv.field_size_limit(50)
    try:
        with pytest.raises(MatrixError, match="line 2: malformed CSV"):
            parse_matrix(text.encode())
        assert not same_as_detailed(text.encode())
    finally:
        csv.field_size_limit(old)
