"""Every function the browser has a twin of on the server gives the same output on the same
inputs: Node.js runs the assets (tests/js/parity_harness.js) on random and edge-case inputs, and
the Python functions answer the same. The canonical query writer is tests/test_view_js.py.

- numbers: transfer.viewstate.format_number / notice_number, transfer.figures.display_number
  (tmx.formatNumber / noticeNumber / displayNumber), rounding ties included (0.0625 -> "0.062")
- a query value: urlencode's quote_plus (tmx.encodeValue)
- sizes: transfer.parsing.format_size (upload.js formatSize)
- labels: transfer.figures.plot_text undone by tmx.plainLabel
- typed numbers: transfer.viewstate.parse_typed_number (tmx.thresholds.parseTyped)
- selection outlines: transfer.figures.selection_shapes (tmx.selectionShapes)
- colours: the heatmap's scale (transfer.figures.DIVERGING) as plotly.py samples it
  (plotly.colors.sample_colorscale) against breakdown.js colorScale / scaleColor
- the highlight: transfer.thresholds.classify against tmx.thresholds.classify on the drawn trace,
  "significant only" (`sig`) included: the significance codes of the figure's UNCERTAINTY trace
"""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import struct
import subprocess
import zlib
from urllib.parse import urlencode

import numpy as np
import plotly.io as pio
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from plotly.colors import sample_colorscale
from test_browser_thresholds import boundary_edges, unit_edges

from transfer.figures import (
    DIVERGING,
    HeatmapImage,
    HeatmapShape,
    HeatmapTrace,
    _d3_fixed,
    _d3_general,
    display_number,
    heatmap_figure,
    panel_decimals,
    panel_number,
    plot_labels,
    plot_text,
    selection_shapes,
)
from transfer.matrix import TransferMatrix
from transfer.parsing import format_size
from transfer.replicates import Spread, sample_means
from transfer.thresholds import classify
from transfer.uncertainty import SIG_LEVELS, cell_stats
from transfer.viewstate import format_number, notice_number, parse_typed_number

from conftest import ROOT

HARNESS = ROOT / "tests" / "js" / "parity_harness.js"
# No shrinking: a failure lists the inputs that differ, and each shrink step would start node again.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate]
BATCH = settings(
    max_examples=12, deadline=None, phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- running the browser's side ------------------------------------------------------------------


def f64(value: float) -> dict:
    """A float as the harness reads it exactly (NaN, infinities and -0 included)."""
    return {"$f": struct.pack("<d", value).hex()}


def from_f64(encoded: dict) -> float:
    return struct.unpack("<d", bytes.fromhex(encoded["$f"]))[0]


def run_js(calls: list[list]) -> list:
    """The harness's answers to `calls` ([name, *args]), one node process for the batch."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: scripts/test installs Debian's nodejs package")
    done = subprocess.run(
        [node, str(HARNESS)], input=json.dumps({"calls": calls}), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    errors = [(call, answer["error"]) for call, answer in zip(calls, answers) if "error" in answer]
    assert not errors, errors[:3]
    return [answer["value"] for answer in answers]


def same_text(python, name: str, values: list) -> None:
    """Python's text for each value equals the browser's `name` of it."""
    answers = run_js([[name, f64(v) if isinstance(v, float) else v] for v in values])
    mismatches = [(v, python(v), js) for v, js in zip(values, answers) if python(v) != js]
    assert not mismatches, mismatches[:10]


# --- numbers -------------------------------------------------------------------------------------

# Halfway cases (a value exactly between two roundings: Python rounds to the even digit), whole
# numbers past 1e21 (toFixed's exponent form), tiny and huge magnitudes, and plain numbers.
TIES_6 = st.integers(-(10**6), 10**6).map(lambda k: (2 * k + 1) / 128)  # 7 decimals, the last a 5
TIES_3 = st.integers(-(10**5), 10**5).map(lambda k: (2 * k + 1) / 16)
DECIMALS = st.integers(-(10**9), 10**9).map(lambda k: k / 10**6)
NUMBERS = st.one_of(st.floats(), st.floats(-10, 10), TIES_6, TIES_3, DECIMALS, st.floats(1e11, 1e25),
                    st.floats(-1e-5, 1e-5),
                    st.sampled_from([0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e21, 1e23, 1234565e6,
                                     1234575e6]))
EDGE_NUMBERS = [0.0078125, -0.0078125, 0.0234375, 0.0625, -0.0625, 0.1875, 2.5, 1e21, 1e22, 1e23, -1e23, 1e308, 5e-324,
                -1e-7, 0.0000005, 1234565e6, -1234565e6, 1234575e6, 999999999999.9, 1e12, 9.999995e-7, 1e-6]


@BATCH
@given(st.lists(NUMBERS, min_size=100, max_size=100))
@example(EDGE_NUMBERS)
def test_format_number(values):
    same_text(format_number, "formatNumber", values)


@BATCH
@given(st.lists(NUMBERS, min_size=100, max_size=100))
@example(EDGE_NUMBERS)
def test_notice_number(values):
    same_text(notice_number, "noticeNumber", values)


@BATCH
@given(st.lists(st.none() | NUMBERS, min_size=100, max_size=100))
@example([None, *EDGE_NUMBERS])
def test_display_number(values):
    same_text(display_number, "displayNumber", values)


@BATCH
@given(st.lists(st.lists(st.none() | NUMBERS, min_size=1, max_size=8), min_size=20, max_size=20))
@example([[-0.1, -0.1234, 0.2], [0.5, None, -0.25], [1.0, 2.0], [-0.0001, 0.0], [0.0625, 0.1]])
def test_panel_numbers(panels):
    """A panel's numbers share one number of decimals, the browser's as the server's."""
    answers = run_js([["panelTexts", [f64(v) if isinstance(v, float) else v for v in values]] for values in panels])
    for values, shown in zip(panels, answers):
        decimals = panel_decimals(values)
        assert shown == [panel_number(v, decimals) for v in values], values
        numbers = [text for text, v in zip(shown, values) if v is not None and math.isfinite(v) and abs(v) < 1e21]
        assert len({len(text.partition(".")[2]) for text in numbers}) <= 1, shown


def test_panel_numbers_known():
    panels = [[-0.1, -0.125, 0.2], [1.0, -2.0], [-0.0001, 0.5]]
    assert run_js([["panelTexts", values] for values in panels]) == [
        ["-0.100", "-0.125", "0.200"], ["1", "-2"], ["0.0", "0.5"]]


def test_rounding_ties_follow_python():
    """The cases that differed before the browser rounded as Python does."""
    calls = [["displayNumber", 0.0625], ["formatNumber", 0.0078125], ["formatSize", 1280], ["formatNumber", 1e22]]
    assert run_js(calls) == ["0.062", "0.007812", "1.2 KB", "10000000000000000000000"]


# --- text ----------------------------------------------------------------------------------------


@BATCH
@given(st.lists(st.text(max_size=30), min_size=100, max_size=100))
@example(["a b", "a+b", "~-._*'()!", "é中😀", "&=?#%", " ", ""])
def test_encode_value(texts):
    same_text(lambda text: urlencode([("k", text)])[2:], "encodeValue", texts)


@BATCH
@given(
    st.lists(st.text(st.sampled_from("&<>;amplgt#x b"), max_size=16) | st.text(max_size=12), min_size=100, max_size=100)
)
@example(["&amp;lt;", "<b>B</b>", "a & b", "&gt;", "&&<<>>"])
def test_plain_label_undoes_plot_text(labels):
    answers = run_js([["plainLabel", plot_text(label)] for label in labels])
    assert answers == labels


@BATCH
@given(
    st.lists(
        st.integers(0, 2**36) | st.integers(0, 4096) | st.integers(0, 2**20).map(lambda k: k * 256), min_size=100,
        max_size=100,
    )
)
@example([0, 1, 1023, 1024, 1280, 1536, 2304, 1048575, 1048576, 1310720, 2**31, 10 * 2**20 + 1])
def test_format_size(sizes):
    same_text(format_size, "formatSize", sizes)


TYPED = st.text(st.sampled_from("0123456789+-.,eE \t\n\u2212\u00a0\u2003\x1c\x85\ufeffnaif_x\u0661"), max_size=12)
EDGE_TYPED = ["0.1", "0,1", ",5", "5,", "1,5e3", "1,e5", "1,2,3", "1.2,3", "-,5", ".", ",", "-", "+.5", "1.", "1e999",
              "1e-999", "-0", "-0,0", "\u22120.5", " 0.25\u2003", "\x1c2\x85", "\ufeff1", "nan", "inf", "1_0", "0x10",
              "\u0661", "", "  "]


def python_typed(text: str):
    try:
        return ("number", struct.pack("<d", parse_typed_number(text)).hex())
    except ValueError:
        return ("error",)


@BATCH
@given(st.lists(TYPED, min_size=100, max_size=100))
@example(EDGE_TYPED)
def test_typed_numbers_accepted_alike(texts):
    """The same texts are numbers (with the same value, to the bit) or refused, on both sides."""
    answers = run_js([["parseTyped", text] for text in texts])
    js = [("number", answer["number"]["$f"]) if "number" in answer else ("error",) for answer in answers]
    mismatches = [(text, python_typed(text), j) for text, j in zip(texts, js) if python_typed(text) != j]
    assert not mismatches, mismatches[:10]


# --- selection outlines --------------------------------------------------------------------------

LABEL = st.text(st.sampled_from("ab<&> "), min_size=1, max_size=3)


@st.composite
def selections(draw):
    rows = draw(st.lists(LABEL, max_size=6, unique=True))
    cols = draw(st.lists(LABEL, max_size=6, unique=True))
    pick = lambda labels: draw(st.none() | LABEL | (st.sampled_from(labels) if labels else st.none()))  # noqa: E731
    return rows, cols, pick(rows), pick(cols)


@BATCH
@given(st.lists(selections(), min_size=50, max_size=50))
def test_selection_shapes(cases):
    answers = run_js([["selectionShapes", *case] for case in cases])
    for case, js in zip(cases, answers):
        assert js == selection_shapes(*case), case


# --- the keyboard: the live region's numbers and the focus cell (assets/keyboard.js) -------------


@BATCH
@given(st.lists(st.floats(-1e6, 1e6) | TIES_3 | DECIMALS | st.floats(-1e-5, 1e-5) | st.floats(1e-9, 1), min_size=60,
                max_size=60))
@example([0.0, -0.0, -0.00004, 0.00005, 0.5, 1e-7, 3.14159e-7, 99.5, 100.0, 0.0625, -2.5])
def test_live_region_numbers_are_the_hovers(values):
    """A focused cell's value and statistics read as the hover writes them (plotly's d3-format;
    transfer.figures._d3_fixed and _d3_general are its twins on the server)."""
    answers = run_js([["d3Number", f64(v), spec] for v in values for spec in (".4~f", ".2~g")])
    expected = [text for v in values for text in (_d3_fixed(v, 4), _d3_general(v))]
    mismatches = [(v, e, a) for v, e, a in zip([v for v in values for _ in range(2)], expected, answers) if e != a]
    assert not mismatches, mismatches[:10]


def test_focus_cell_moves():
    """Arrow keys, Home/End (the row's ends on screen; with Ctrl the corners), Page Up/Down (10
    rows), clamped to the matrix; on axes that run the other way (steps -1) the keys follow the screen."""
    shape, screen, flipped = {"rows": 25, "cols": 8}, {"down": 1, "right": 1}, {"down": -1, "right": -1}
    at = {"i": 3, "j": 4}
    cases = {
        ("ArrowRight", False, "screen"): (3, 5), ("ArrowLeft", False, "screen"): (3, 3),
        ("ArrowDown", False, "screen"): (4, 4), ("ArrowUp", False, "screen"): (2, 4),
        ("Home", False, "screen"): (3, 0), ("End", False, "screen"): (3, 7),
        ("Home", True, "screen"): (0, 0), ("End", True, "screen"): (24, 7),
        ("PageDown", False, "screen"): (13, 4), ("PageUp", False, "screen"): (0, 4),
        ("ArrowDown", False, "flipped"): (2, 4), ("ArrowRight", False, "flipped"): (3, 3),
        ("Home", True, "flipped"): (24, 7), ("End", False, "flipped"): (3, 0), ("PageUp", False, "flipped"): (13, 4),
    }
    calls = [["moveFocus", at, key, ctrl, shape, {"screen": screen, "flipped": flipped}[steps]]
             for key, ctrl, steps in cases]
    answers = run_js(calls + [["moveFocus", at, "a", False, shape, screen],
                              ["moveFocus", {"i": 24, "j": 7}, "ArrowDown", False, shape, screen],
                              ["moveFocus", {"i": 24, "j": 7}, "PageDown", False, {"rows": 1, "cols": 1}, screen]])
    assert [(a["i"], a["j"]) for a in answers[:len(cases)]] == list(cases.values())
    assert answers[len(cases):] == [None, {"i": 24, "j": 7}, {"i": 0, "j": 0}]


# --- colours -------------------------------------------------------------------------------------


def python_rgb(value: float, zmin: float, zmax: float) -> list[float]:
    t = min(1.0, max(0.0, (value - zmin) / (zmax - zmin)))
    return [255 * c for c in sample_colorscale(DIVERGING, [t], colortype="tuple")[0]]


@st.composite
def color_cases(draw):
    zmin = draw(st.floats(-5, 5))
    span = draw(st.floats(0.01, 10))
    zmax = zmin + span
    stops = [zmin + stop * span for stop, _ in DIVERGING]
    values = draw(st.lists(st.floats(zmin - span, zmax + span) | st.sampled_from(stops), min_size=20, max_size=20))
    return zmin, zmax, values


@BATCH
@given(st.lists(color_cases(), min_size=10, max_size=10))
@example([(0.0, 1.0, [0.0, 0.5, 1.0, -3.0, 0.125, 0.25, 0.75, 2.0])])
def test_bar_colours_are_the_heatmap_scale(cases):
    """Each channel as plotly.py interpolates the scale, to the nearest whole number."""
    answers = run_js([["colors", DIVERGING, zmin, zmax, values] for zmin, zmax, values in cases])
    for (zmin, zmax, values), colors in zip(cases, answers):
        for value, color in zip(values, colors):
            channels = [int(c) for c in color[4:-1].split(",")]
            expected = python_rgb(value, zmin, zmax)
            assert all(abs(c - e) <= 0.5 + 1e-6 for c, e in zip(channels, expected)), (
                value, zmin, zmax, color, expected)


# --- the highlight -------------------------------------------------------------------------------

POOL = [f"task {k}" if k % 3 else f"<t{k}> & co" for k in range(16)]  # escaped on the figure, plain in the browser


def random_matrix(rng: np.random.Generator) -> tuple[TransferMatrix, float | None, float | None, bool]:
    """Rows and columns that share some labels in different positions (in-domain cells by name),
    missing cells, thresholds that are off, equal to cells, or a float32 step away from them."""
    n, m = (int(k) for k in rng.integers(1, 9, size=2))
    rows = [str(label) for label in rng.choice(POOL, n, replace=False)]
    shared = [label for label in rows if rng.random() < 0.7]
    others = [label for label in POOL if label not in rows]
    cols = shared + [str(label) for label in rng.choice(others, max(0, m - len(shared)), replace=False)]
    cols = [cols[k] for k in rng.permutation(len(cols))][: max(m, 1)]
    values = rng.normal(0, 0.3, (len(rows), len(cols)))
    pos = [None, round(float(rng.uniform(0, 0.5)), 6), float(values.flat[0])][int(rng.integers(3))]
    neg = [None, round(float(rng.uniform(-0.5, 0)), 6), float(values.flat[-1])][int(rng.integers(3))]
    for threshold in (pos, neg):
        if threshold is None:
            continue
        near = [threshold, np.nextafter(threshold, np.inf), np.nextafter(threshold, -np.inf), threshold + 1e-9,
                threshold - 1e-9, float(np.float32(threshold))]
        for k in rng.choice(values.size, min(values.size, 3), replace=False):
            values.flat[k] = near[int(rng.integers(len(near)))]
    values[rng.random(values.shape) < 0.15] = np.nan
    return TransferMatrix(rows, cols, values), pos, neg, bool(rng.integers(2))


def f8_trace(matrix: TransferMatrix) -> dict:
    """The cells as float64 (a figure's other form: base64 bytes, escaped labels)."""
    import base64

    z = {
        "dtype": "f8", "bdata": base64.b64encode(matrix.values.astype("<f8").tobytes()).decode(),
        "shape": "%d, %d" % matrix.shape,
    }
    return {"z": z, "x": plot_labels(matrix.cols), "y": plot_labels(matrix.rows)}


def drawn_trace(matrix: TransferMatrix) -> dict:
    """The heatmap's cells trace exactly as the page receives it (float32 cells)."""
    return json.loads(pio.to_json(heatmap_figure(matrix)))["data"][0]


# Both sides compare in float32, as the heatmap draws the cells: the cases put cells on, and a
# float64 or float32 step either side of, each threshold, where a float64 comparison would differ.
@pytest.mark.parametrize("dtype", ["f8", "f4"])
@settings(max_examples=10, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_highlight_masks_and_counts(dtype, seed):
    rng = np.random.default_rng(seed)
    cases = [random_matrix(rng) for _ in range(25)]
    trace = f8_trace if dtype == "f8" else drawn_trace
    lines = [{"row": list(matrix.rows), "col": list(matrix.cols)} for matrix, *_ in cases]
    answers = run_js(
        [["classify", trace(matrix), pos, neg, diag, line] for (matrix, pos, neg, diag), line in zip(cases, lines)]
    )
    for (matrix, pos, neg, diag), line, js in zip(cases, lines, answers):
        served = classify(matrix, pos, neg, diag)
        where = (matrix.rows, matrix.cols, matrix.values.tolist(), pos, neg, diag)
        assert (js["rows"], js["cols"]) == matrix.shape
        assert np.array_equal(np.array(js["positive"], dtype=bool).reshape(matrix.shape), served.positive), where
        assert np.array_equal(np.array(js["negative"], dtype=bool).reshape(matrix.shape), served.negative), where
        assert js["counts"] == served.counts(), where
        for axis, labels in line.items():
            assert all(js["lines"][axis][label] == served.counts(axis, label) for label in labels), where


def decode_fade(url: str) -> np.ndarray:
    """The fade's picture (assets/thresholds.js) read as a PNG reader would: signature, chunk
    CRCs, the zlib stream (its Adler-32), a 1-bit two-colour palette (clear; white at 0.78), rows
    of bits after filter byte 0. Each pixel: True where veiled."""
    head = "data:image/png;base64,"
    assert url.startswith(head)
    data = base64.b64decode(url[len(head):])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(data):
        (length,), kind = struct.unpack(">I", data[at:at + 4]), data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + body), kind
        chunks[kind.decode()] = body
        at += 12 + length
    assert list(chunks) == ["IHDR", "PLTE", "tRNS", "IDAT", "IEND"]
    width, height, depth, colour, *rest = struct.unpack(">IIBBBBB", chunks["IHDR"])
    assert (depth, colour, rest) == (1, 3, [0, 0, 0])
    assert chunks["PLTE"] == bytes([255] * 6) and chunks["tRNS"] == bytes([0, 199])
    raw = np.frombuffer(zlib.decompress(chunks["IDAT"]), dtype=np.uint8).reshape(height, -1)
    assert (raw[:, 0] == 0).all()  # no filter
    return np.unpackbits(raw[:, 1:], axis=1)[:, :width].astype(bool)


def path_edges(path: str) -> set:
    """Unit cell edges of an outline path of horizontal and vertical pieces ("Mx,yHx" / "Mx,yVy")."""
    pieces = re.findall(r"M(-?[\d.]+),(-?[\d.]+)([HV])(-?[\d.]+)", path)
    assert len(pieces) == path.count("M")  # nothing else in the path
    xs, ys = [], []
    for x, y, op, end in pieces:
        xs += [float(x), float(end if op == "H" else x), None]
        ys += [float(y), float(y if op == "H" else end), None]
    return unit_edges({"x": xs, "y": ys})


@settings(max_examples=6, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_the_drawn_highlight_is_the_core_classification(seed):
    """The fade's picture veils exactly the present cells no threshold highlights, each cell a
    square of whole pixels (about 1024 a side for small matrices, one a cell from 1024 tasks); the
    outlines are the highlighted regions' boundaries; nothing to veil draws no picture."""
    rng = np.random.default_rng(seed)
    cases = [random_matrix(rng) for _ in range(8)]
    tall = TransferMatrix([f"r{i}" for i in range(1100)], ["a", "b", "c"], rng.normal(0, 0.1, (1100, 3)))
    cases += [(tall, 0.05, -0.05, True), (cases[0][0], -1e9, None, True)]  # one pixel a cell; every cell highlighted
    answers = run_js([["highlight", drawn_trace(matrix), pos, neg, diag] for matrix, pos, neg, diag in cases])
    for (matrix, pos, neg, diag), js in zip(cases, answers):
        served = classify(matrix, pos, neg, diag)
        veiled = ~np.isnan(matrix.values) & ~served.positive & ~served.negative
        where = (matrix.shape, matrix.values.tolist(), pos, neg, diag)
        if not veiled.any():
            assert js["fade"] == "", where
        else:
            pixels = decode_fade(js["fade"])
            rows, cols = matrix.shape
            scale = max(1, 1024 // max(rows, cols))
            assert pixels.shape == (rows * scale, cols * scale), where
            assert np.array_equal(pixels, np.kron(veiled, np.ones((scale, scale), dtype=bool))), where
        assert path_edges(js["positive"]) == boundary_edges(served.positive), where
        assert path_edges(js["negative"]) == boundary_edges(served.negative), where


def test_cells_are_decoded_per_shape():
    """The same bytes as a 1 x 2 and as a 2 x 1 matrix are two matrices (the decode cache's key)."""
    one_row = TransferMatrix(["a"], ["a", "b"], [[0.5, -0.5]])
    one_col = TransferMatrix(["a", "b"], ["a"], [[0.5], [-0.5]])
    lines = {"row": [], "col": []}
    answers = run_js([["classify", f8_trace(m), 0.1, None, True, lines] for m in (one_row, one_col, one_row)])
    assert [(a["rows"], a["cols"], a["positive"]) for a in answers] == [(1, 2, [1, 0]), (2, 1, [1, 0]), (1, 2, [1, 0])]


# --- "significant only" --------------------------------------------------------------------------


def replicated_matrix(rng: np.random.Generator) -> tuple:
    """A matrix of means over 2-6 replicates whose effects range from none to overwhelming (so the
    q-values fall below every level), with cells of one replicate, equal replicates and missing
    cells; thresholds as in random_matrix, and a `sig` level or none."""
    n, m = (int(k) for k in rng.integers(1, 8, size=2))
    rows = [str(label) for label in rng.choice(POOL, n, replace=False)]
    cols = [str(label) for label in rng.choice(POOL, m, replace=False)]
    replicates = int(rng.integers(2, 7))
    effect = rng.normal(0, 0.2, (n, m)) * rng.choice([0.0, 0.05, 1.0, 5.0], (n, m))
    samples = effect[..., None] + rng.uniform(0.001, 0.1, (n, m, 1)) * rng.standard_normal((n, m, replicates))
    samples[rng.random((n, m)) < 0.1, 1:] = np.nan  # one replicate: no interval, no test
    flat = rng.random((n, m)) < 0.1
    samples[flat] = samples[flat][:, :1]  # every replicate equal: no test
    samples[rng.random((n, m)) < 0.1] = np.nan  # missing cells
    _, means = sample_means(samples)
    matrix = TransferMatrix(rows, cols, means, spread=Spread.from_samples(samples, [str(k) for k in range(replicates)]))
    finite = means[~np.isnan(means)]
    pos = [None, round(float(rng.uniform(0, 0.3)), 6), float(finite[0]) if finite.size else None][int(rng.integers(3))]
    neg = [None, round(float(rng.uniform(-0.3, 0)), 6)][int(rng.integers(2))]
    sig = [None, *SIG_LEVELS][int(rng.integers(len(SIG_LEVELS) + 1))]
    return matrix, pos, neg, bool(rng.integers(2)), sig, ["vsup", "none"][int(rng.integers(2))]


@settings(max_examples=10, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_significant_only_highlights_what_the_core_classifies(seed):
    """Both places the figure keeps the codes: the palette's z (high bits), or customdata (plain)."""
    rng = np.random.default_rng(seed)
    cases = [replicated_matrix(rng) for _ in range(25)]
    calls, expected = [], []
    for matrix, pos, neg, diag, sig, unc in cases:  # the codes in the palette's z, or its customdata
        stats = cell_stats(matrix, 95)
        figure = json.loads(pio.to_json(heatmap_figure(matrix, stats=stats, unc=unc)))
        select = "off" if sig is None else format_number(sig)  # the select's value (components/state.py)
        lines = {"row": list(matrix.rows), "col": list(matrix.cols)}
        calls.append(["classify", figure["data"][HeatmapTrace.CELLS], pos, neg, diag, lines,
                      figure["data"][HeatmapTrace.UNCERTAINTY], select])
        expected.append(classify(matrix, pos, neg, diag, stats.significant(sig) if sig is not None else None))
    for (matrix, pos, neg, diag, sig, unc), served, js in zip(cases, expected, run_js(calls)):
        where = (matrix.shape, pos, neg, diag, sig, unc)
        assert np.array_equal(np.array(js["positive"], dtype=bool).reshape(matrix.shape), served.positive), where
        assert np.array_equal(np.array(js["negative"], dtype=bool).reshape(matrix.shape), served.negative), where
        assert js["counts"] == served.counts(), where
        for axis in ("row", "col"):
            assert all(js["lines"][axis][label] == served.counts(axis, label) for label in matrix.labels(axis)), where


def test_significant_only_cuts_cells_at_each_level():
    """One matrix, every level: the browser keeps exactly the cells whose q-value is below it."""
    rng = np.random.default_rng(7)
    effect = np.array([[0.0, 0.02, 0.05, 0.1, 0.3, 1.0]] * 6)
    samples = effect[..., None] + 0.05 * rng.standard_normal((6, 6, 5))
    labels = [f"t{k}" for k in range(6)]
    _, means = sample_means(samples)
    matrix = TransferMatrix(labels, labels, means, spread=Spread.from_samples(samples, list("abcde")))
    stats = cell_stats(matrix, 95)
    lines = {"row": [], "col": []}
    calls, selects = [], ["off", *map(format_number, SIG_LEVELS)]
    for unc in ("vsup", "none"):
        figure = json.loads(pio.to_json(heatmap_figure(matrix, stats=stats, unc=unc)))
        calls += [["classify", figure["data"][HeatmapTrace.CELLS], -10.0, None, True, lines,
                   figure["data"][HeatmapTrace.UNCERTAINTY], select] for select in selects]
    answers = run_js(calls)
    assert answers[:5] == answers[5:]  # the same from the palette's z as from customdata
    answers = answers[:5]
    assert answers[0]["counts"]["positive"] == 36  # off: every cell is >= -10
    for level, js in zip(SIG_LEVELS, answers[1:]):
        assert js["positive"] == stats.significant(level).ravel().astype(int).tolist(), level
    counts = [js["counts"]["positive"] for js in answers[1:]]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]  # stricter levels keep fewer


def test_the_browsers_slots_are_the_figures():
    """assets/thresholds.js and selection.js patch the heatmap's traces, layout images and layout
    shapes by index: the same as transfer.figures.HeatmapTrace, HeatmapImage and HeatmapShape."""
    text = (ROOT / "assets" / "thresholds.js").read_text()
    for name, slots in (("TRACE", HeatmapTrace), ("IMAGE", HeatmapImage), ("SHAPE", HeatmapShape)):
        found = re.search(r"var %s = \{([^}]*)\}" % name, text).group(1)
        js = {slot: int(index) for slot, index in re.findall(r"(\w+): (\d+)", found)}
        assert js and all(slots[slot] == index for slot, index in js.items()), (name, js)
    selection = re.search(r"SELECTION = (\d+);", (ROOT / "assets" / "selection.js").read_text()).group(1)
    assert int(selection) == HeatmapShape.SELECTION
