"""The value-suppressing uncertainty palette (transfer/vsup.py): levels from interval widths,
codes from values and levels, colours from the diverging scale, on hand-made numbers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from transfer import vsup
from transfer.figures import DIVERGING

LOW, HIGH = -0.4, 0.4  # span 0.8: bins 0.1 wide at level 0, 0.2 at 1, 0.4 at 2, 0.8 at 3


def test_the_tree_has_8_4_2_1_bins_and_a_code_for_missing():
    assert vsup.BINS == (8, 4, 2, 1) and vsup.OFFSETS == (0, 8, 12, 14)
    assert vsup.COLOURS == 15 and vsup.MISSING == 15


@pytest.mark.parametrize(
    "width, level",
    [
        (0.0, 0),  # every replicate equal: exact
        (0.05, 0),
        (0.1, 0),  # exactly one level-0 bin wide still fits
        (0.1000001, 1),
        (0.2, 1),
        (0.3, 2),
        (0.4, 2),
        (0.41, 3),
        (0.8, 3),
        (5.0, 3),  # wider than the whole range
        (np.nan, 3),  # no interval (one replicate): the most uncertain
    ],
    ids=["zero", "half-bin", "one-bin", "just-over", "level-1-edge", "level-2", "level-2-edge", "level-3", "span",
         "wider", "none"],
)
def test_level_is_the_finest_whose_bins_hold_the_interval(width, level):
    assert vsup.levels(np.array([width]), LOW, HIGH).tolist() == [level]


@pytest.mark.parametrize(
    "value, width, code",
    [
        (-0.4, 0.0, 0),  # lowest bin of level 0
        (-0.35, 0.05, 0),
        (-0.3, 0.05, 1),  # a bin's lower edge belongs to it
        (0.0, 0.05, 4),  # the neutral value opens the first bin above it
        (-0.0001, 0.05, 3),
        (0.39, 0.1, 7),
        (0.4, 0.1, 7),  # the top edge stays in the last bin
        (0.9, 0.1, 7),  # beyond the range: the end bin
        (-2.0, 0.1, 0),
        (-0.25, 0.2, 8),  # level 1: 4 bins of 0.2 from code 8
        (0.25, 0.2, 11),
        (-0.1, 0.3, 12),  # level 2: below / above the middle
        (0.1, 0.3, 13),
        (0.3, np.nan, 14),  # level 3: one colour whatever the value
        (-0.3, 0.5, 14),
        (np.nan, 0.0, vsup.MISSING),
        (np.nan, np.nan, vsup.MISSING),
    ],
)
def test_codes_pick_the_bin_of_the_value_at_the_cells_level(value, width, code):
    assert vsup.codes(np.array([value]), np.array([width]), LOW, HIGH).tolist() == [code]


def test_codes_keep_the_matrix_shape_in_one_byte_a_cell():
    values = np.array([[0.1, np.nan], [-0.2, 0.3]])
    widths = np.array([[0.01, 0.01], [0.3, np.nan]])
    codes = vsup.codes(values, widths, LOW, HIGH)
    assert codes.dtype == np.uint8 and codes.shape == (2, 2)
    assert codes.tolist() == [[5, vsup.MISSING], [12, 14]]


@given(
    st.lists(st.tuples(st.floats(-1, 1), st.floats(0, 2) | st.just(float("nan"))), min_size=1, max_size=50),
)
def test_a_code_is_always_a_colour_of_its_level(cells):
    values, widths = (np.array(column) for column in zip(*cells))
    codes = vsup.codes(values, widths, LOW, HIGH)
    levels = vsup.levels(widths, LOW, HIGH)
    first = np.asarray(vsup.OFFSETS)[levels]
    assert ((codes >= first) & (codes < first + np.asarray(vsup.BINS)[levels])).all()


def rgb(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text[text.index("(") + 1 : -1].split(","))


def test_colours_sample_the_scale_at_bin_centres_then_blend_toward_its_middle():
    palette = vsup.palette(DIVERGING, LOW, HIGH)
    assert len(palette.colors) == 15 and palette.neutral == "rgb(247, 247, 247)"  # DIVERGING's middle, #f7f7f7
    # level 0, first bin: centre at 1/16 of the scale, a quarter of the way from #2166ac to #92c5de
    quarter = np.array([0x21, 0x66, 0xac]) + (np.array([0x92, 0xc5, 0xde]) - np.array([0x21, 0x66, 0xac])) / 4
    assert rgb(palette.color(0, 0)) == tuple(int(np.floor(c + 0.5)) for c in quarter) == (61, 126, 185)
    # level 3 is the neutral colour itself; level 2's two bins sit at 1/4 and 3/4, blended 2/3 of the way
    assert palette.color(3, 0) == palette.neutral
    low_blue = np.array([0x92, 0xc5, 0xde]) + 2 / 3 * (np.array([247, 247, 247]) - np.array([0x92, 0xc5, 0xde]))
    assert rgb(palette.color(2, 0)) == tuple(int(np.floor(c + 0.5)) for c in low_blue)
    # blue below the middle, red above, at every level but the last; paler level by level
    for level in range(3):
        first, last = rgb(palette.color(level, 0)), rgb(palette.color(level, vsup.BINS[level] - 1))
        assert first[2] > first[0] and last[0] > last[2]
    distance = [sum(abs(a - 247) for a in rgb(palette.color(level, 0))) for level in range(4)]
    assert distance == sorted(distance, reverse=True) and distance[-1] == 0


def test_bins_and_centres_follow_the_value_range():
    palette = vsup.palette(DIVERGING, 0.0, 1.0)
    assert palette.bin_width(0) == 0.125 and palette.bin_width(3) == 1.0
    assert palette.bin_centre(0, 0) == 0.0625 and palette.bin_centre(2, 1) == 0.75


@pytest.mark.parametrize("layers", [1, 5])
def test_the_stepped_colour_scale_colours_each_byte_by_its_code(layers):
    palette = vsup.palette(DIVERGING, LOW, HIGH)
    scale = vsup.colorscale(palette, layers)
    zmin, zmax = vsup.code_range(layers)
    assert (zmin, zmax) == (-0.5, 16 * layers - 0.5)
    for byte in range(16 * layers):
        t = (byte - zmin) / (zmax - zmin)
        colour = [c for stop, c in scale if stop <= t][-1]  # the step a byte's position falls in
        code = byte & 15  # the high bits carry something else and leave the colour alone
        assert colour == (palette.colors[code] if code < vsup.MISSING else "rgba(0, 0, 0, 0)"), byte
    assert scale[0][0] == 0 and scale[-1][0] == 1


def test_segments_list_each_colour_once_most_certain_first():
    palette = vsup.palette(DIVERGING, LOW, HIGH)
    parts = vsup.segments(palette)
    assert [(p.level, p.index) for p in parts][:3] == [(0, 0), (0, 1), (0, 2)] and parts[-1].level == 3
    assert [p.color for p in parts] == list(palette.colors)


def test_the_wedge_picture_has_each_colour_in_its_ring_and_bin():
    """One path a segment, in code order: level L between radii 3 - L and 4 (the apex the most
    uncertain), its bins' angles an equal share of -35..35 degrees, low values at the bottom."""
    import math
    import re

    pal = vsup.palette(DIVERGING, LOW, HIGH)
    svg = vsup.wedge_svg(pal, 35)
    top = 4 * math.sin(math.radians(35))
    assert svg.startswith(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {-top:.4f} 4 {2 * top:.4f}" ')
    paths = re.findall(r'<path d="([^"]+)" fill="([^"]+)"/>', svg)
    assert [fill for _, fill in paths] == list(pal.colors)
    for (d, _), seg in zip(paths, vsup.segments(pal)):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
        points = [(numbers[k], -numbers[k + 1]) for k in (0, 2)]  # the segment's lower edge, inward then out
        radii = [math.hypot(x, y) for x, y in points]
        assert radii == pytest.approx([3 - seg.level, 4 - seg.level], abs=1e-3)
        if seg.level < 3:
            lower = math.degrees(math.atan2(points[1][1], points[1][0]))
            assert lower == pytest.approx(-35 + 70 * seg.index / seg.bins, abs=1e-2)
