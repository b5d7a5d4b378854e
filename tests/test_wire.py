"""The heatmap's cells on the wire (transfer.wire, assets/wire.js): the smallest lossless form.

Lossless means the browser gets back, bit for bit, the float32 array plotly.py's own encoding
carried (missing cells NaN, -0.0 kept): the hover ('%{z:.4~f}'), the cell text and every reader of
the cells (thresholds, breakdowns, keyboard) see the same numbers as before. Python decodes as the
browser does (`wire.decode`); Node runs assets/wire.js on the same packed cells
(tests/js/parity_harness.js `cellBits`, through tmx.cellValues).
"""

from __future__ import annotations

import base64
import gzip
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_js_parity import PHASES, run_js

from transfer import wire
from transfer.figures import HeatmapTrace, heatmap_figure
from transfer.matrix import TransferMatrix

NAN, INF = float("nan"), float("inf")


def bits(values) -> np.ndarray:
    """float32 bits, every NaN as one (plotly draws no NaN payload)."""
    shown = np.asarray(values, dtype=np.float32).copy()
    shown[np.isnan(shown)] = np.nan
    return shown.view(np.uint32)


def assert_lossless(values) -> dict:
    packed = wire.encode(values)
    decoded = wire.decode(packed)
    assert decoded.dtype == np.float32 and decoded.shape == np.shape(values)
    assert np.array_equal(bits(decoded), bits(values))
    assert "bdata" not in packed  # plotly.js never reads the packed bytes as cells
    return packed


# Matrices whose values share a number of decimals (scaled integers), with missing cells, -0 and
# the odd value with more decimals (float32 bits); and any float32 values.
@st.composite
def matrices(draw):
    rows, cols = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    decimals = draw(st.integers(0, 8))
    span = draw(st.sampled_from([10, 250, 300, 65_000, 70_000, 2**31, 2**40]))
    centre = draw(st.integers(-(2**33), 2**33)) if draw(st.booleans()) else 0
    scaled = st.integers(centre - span // 2, centre + span // 2).map(lambda k: k / 10**decimals)
    odd = st.sampled_from([NAN, -0.0, 0.0]) | st.floats(width=32) | st.floats(-1, 1)
    values = draw(st.lists(scaled | odd if draw(st.booleans()) else scaled | st.just(NAN),
                           min_size=rows * cols, max_size=rows * cols))
    return np.array(values, dtype=np.float64).reshape(rows, cols)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrices())
def test_round_trip_is_bit_exact(values):
    assert_lossless(values)


@pytest.mark.parametrize(
    ("values", "bits", "decimals"),
    [
        ([[0.91, 0.84], [0.80, NAN]], 4, 2),  # scores with two decimals, one missing: 11 values and 2 markers
        ([[-0.125, 0.5], [0.001, -0.0]], 10, 3),  # negative, -0 kept
        ([[0.0, 61.0]], 6, 0),  # one digit: 62 values and the two markers
        ([[0.0, 62.0]], 7, 0),  # ... 63 values need two
        ([[1.0, 2.0], [255.0, 3.0]], 9, 0),
        ([[-1e6, 1e6]], 21, 0),
        ([[0.123456, -0.654321]], 20, 6),
        ([[-(2.0**47), 2.0**47 - 2.0**24]], 48, 0),  # the widest integers
        ([[NAN, NAN], [NAN, NAN]], 2, 0),  # nothing but missing cells
        ([[0.1234567, 0.5]], 32, None),  # 7 decimals: float32 bits
        ([[INF, 0.5]], 32, None),  # an infinity: float32 bits
        ([[1e15, -1e15]], 32, None),  # a span past 2**48
        ([[np.float32(0.1).item(), 0.2]], 2, 1),  # a float32 read back as a double: still 1 decimal
    ],
)
def test_the_fewest_bits(values, bits, decimals):
    packed = assert_lossless(np.array(values))
    assert packed["tmx"]["bits"] == bits and packed["tmx"].get("decimals") == decimals
    assert packed["tmx"].get("float", False) == (decimals is None)
    # a character a digit; float32 bits: a sign-and-exponent character and 4 mantissa digits
    digits = 5 if packed["tmx"].get("heads") else len(wire.widths(bits))
    assert len(packed["packed"]) == np.size(values) * digits


def test_float_bits_with_more_than_64_signs_and_exponents_take_6_digits():
    values = np.array([[2.0**k * (1 + 1e-6) for k in range(-40, 40)]])
    packed = assert_lossless(values)
    assert "heads" not in packed["tmx"] and len(packed["packed"]) == 6 * values.size
    assert len(assert_lossless(values[:, :64])["tmx"]["heads"]) == 64


def test_an_empty_matrix():
    packed = assert_lossless(np.zeros((0, 0)))
    assert packed["shape"] == "0, 0"


def test_scores_with_few_decimals_take_far_fewer_bytes_than_float32():
    rng = np.random.default_rng(0)
    values = np.round(rng.normal(0.1, 0.1, size=(300, 300)), 3)
    values[::7, ::5] = NAN
    packed, plain = wire.encode(values), base64.b64encode(values.astype(np.float32).tobytes()).decode()
    size = lambda text: len(gzip.compress(json.dumps(text).encode(), 6))  # noqa: E731
    assert packed["tmx"]["bits"] <= 12 and size(packed) < 0.6 * size(plain)
    full = rng.normal(0.1, 0.1, size=(300, 300))  # full-precision floats: their digit planes only
    assert wire.encode(full)["tmx"]["float"] and size(wire.encode(full)) < size(
        base64.b64encode(full.astype(np.float32).tobytes()).decode())


def test_pack_z_packs_float32_cells_only():
    figure = heatmap_figure(TransferMatrix(rows=["a", "b"], cols=["x", "y"], values=np.array([[0.5, NAN], [-0.25, 1]])))
    trace = figure.to_dict()["data"][HeatmapTrace.CELLS]
    packed = wire.pack_z(trace)
    assert packed["z"]["tmx"]["bits"] == 7 and np.array_equal(
        bits(wire.decode(packed["z"])), bits([[0.5, NAN], [-0.25, 1]]))
    assert {k: v for k, v in packed.items() if k != "z"} == {k: v for k, v in trace.items() if k != "z"}
    for other in ({"z": []}, {"x": [1]}, {"z": {"dtype": "u1", "bdata": "AAE=", "shape": "2"}}):
        assert wire.pack_z(other) is other
    assert wire.payload_bytes(packed["z"]) == len(packed["z"]["packed"]) and wire.payload_bytes(trace["z"]) > 0


# --- the browser's decoder ------------------------------------------------------------------------

PARITY_CASES = [
    np.array([[0.91, 0.84], [0.80, NAN]]),  # one digit
    np.array([[-0.125, 0.5, NAN], [0.001, -0.0, 0.0]]),  # two digits, negative, -0
    np.array([[-1e6, 1e6, NAN, -0.0]]),  # four digits (21 bits), a negative offset
    np.array([[0.123456, -0.654321], [NAN, 3.0]]),  # 6 decimals
    np.array([[-(2.0**47), 2.0**47 - 2.0**24, NAN, 1.0]]),  # 48 bits: 8 digits, exact in a double
    np.array([[0.1234567, -0.5], [NAN, -0.0], [INF, -INF]]),  # float32 bits: sign and exponent, mantissa
    np.array([[2.0**k * (1 + 1e-6) for k in range(-40, 40)]]),  # float32 bits: 80 exponents, 6 digits
    np.zeros((0, 0)),
]


@settings(max_examples=10, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(matrices(), min_size=20, max_size=20))
def test_the_browser_decodes_every_store_as_python_does(generated):
    cases = PARITY_CASES + generated
    packed = [wire.encode(values) for values in cases]
    assert [p["tmx"]["bits"] for p in packed[: len(PARITY_CASES)]] == [4, 10, 21, 22, 48, 32, 32, 2]
    answers = run_js([["cellBits", p] for p in packed])
    wrong = [(p["tmx"], values.tolist()) for values, p, answer in zip(cases, packed, answers)
             if not np.array_equal(bits(np.frombuffer(bytes.fromhex(answer["bits"]), "<f4")), bits(values).reshape(-1))]
    assert not wrong, wrong[:3]
    for answer in answers:
        assert answer["isBuffer"] and answer["keys"] == ["bdata", "dtype", "shape", "tmx"]  # decoded in place
