"""Value-suppressing uncertainty palettes (Correll, Moritz and Heer, "Value-Suppressing
Uncertainty Palettes", CHI 2018; reference code: the uwdata/vsup repository).

A VSUP is a tree of colours. At the most certain level (0) the colour range is cut into 8 value
bins; each more uncertain level has half as many (4, 2, then 1), so the more uncertain a cell,
the fewer values its colour can tell apart. A bin's colour is the diverging scale at the bin's
centre, blended toward the scale's neutral (middle) colour by 0, 1/3, 2/3 and all the way at
levels 0 to 3: the single colour of level 3 is the neutral colour itself.

A cell's level is the finest one whose bins are at least as wide as the cell's interval (its
full width, `ci_high - ci_low`, at the view's level): at that level the interval spans at most
two neighbouring bins. A cell without an interval (fewer than two replicates) gets the most
uncertain level.

A plotly heatmap has one colour scale, so cells are drawn as `codes`: one byte per cell, the
index of its colour in `Palette.colors` (level by level, most certain first), `MISSING` for a
missing cell (drawn transparent). The legend is a wedge (`wedge_svg`): the levels as rings
from the apex (most uncertain) out to the arc (most certain), each ring cut into its bins.
Pure numpy: no plotly, no Dash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEVELS = 4
BINS = tuple(2 ** (LEVELS - 1 - level) for level in range(LEVELS))  # (8, 4, 2, 1)
OFFSETS = tuple(sum(BINS[:level]) for level in range(LEVELS))  # first code of each level: (0, 8, 12, 14)
COLOURS = sum(BINS)  # 15
MISSING = COLOURS  # the code of a missing cell
BLEND = tuple(level / (LEVELS - 1) for level in range(LEVELS))  # toward the neutral colour, per level


def _rgb(colour: str) -> np.ndarray:
    """'#rrggbb' or 'rgb(r, g, b)' -> three floats 0..255."""
    colour = colour.strip()
    if colour.startswith("#"):
        return np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)], dtype=float)
    inside = colour[colour.index("(") + 1 : colour.index(")")]
    return np.array([float(part) for part in inside.split(",")[:3]])


def _css(rgb: np.ndarray) -> str:
    r, g, b = (int(np.clip(np.floor(c + 0.5), 0, 255)) for c in rgb)
    return f"rgb({r}, {g}, {b})"


def sample(scale, t: float) -> np.ndarray:
    """The colour of a plotly colour scale ([[stop, colour], ...]) at t in 0..1, interpolated
    linearly in RGB between its stops as plotly does."""
    stops = [float(stop) for stop, _ in scale]
    colours = [_rgb(colour) for _, colour in scale]
    t = min(max(float(t), stops[0]), stops[-1])
    for k in range(1, len(stops)):
        if t <= stops[k]:
            width = stops[k] - stops[k - 1]
            f = 0.0 if width == 0 else (t - stops[k - 1]) / width
            return colours[k - 1] + f * (colours[k] - colours[k - 1])
    return colours[-1]


@dataclass(frozen=True)
class Palette:
    """The tree's colours in code order (CSS 'rgb(...)'), over the value range low..high."""

    low: float
    high: float
    colors: tuple[str, ...]
    neutral: str  # the colour every bin blends toward (level 3's only colour)

    def color(self, level: int, index: int) -> str:
        return self.colors[OFFSETS[level] + index]

    def bin_width(self, level: int) -> float:
        return (self.high - self.low) / BINS[level]

    def bin_centre(self, level: int, index: int) -> float:
        return self.low + (index + 0.5) * self.bin_width(level)


def palette(scale, low: float, high: float, middle: float = 0.5) -> Palette:
    """The VSUP of a colour scale over low..high: bin centres sampled from the scale, blended
    toward its middle colour (at `middle`, 0..1: a diverging scale's neutral value) by BLEND[level]."""
    neutral = sample(scale, middle)
    colours = []
    for level, bins in enumerate(BINS):
        for index in range(bins):
            base = sample(scale, (index + 0.5) / bins)
            colours.append(_css(base + BLEND[level] * (neutral - base)))
    return Palette(low=float(low), high=float(high), colors=tuple(colours), neutral=_css(neutral))


def levels(width: np.ndarray, low: float, high: float) -> np.ndarray:
    """Per cell the finest level whose bin width (the range over 8, 4, 2 or 1) is at least the
    interval's full width `width`; the most uncertain level where the width is NaN (no interval)
    or wider than the whole range."""
    width = np.asarray(width, dtype=float)
    span = float(high) - float(low)
    out = np.full(width.shape, LEVELS - 1, dtype=np.uint8)
    known = ~np.isnan(width)
    # from coarse to fine: each finer level whose bins still hold the interval wins
    for level in range(LEVELS - 2, -1, -1):
        fits = known & (width <= span / BINS[level])
        out[fits] = level
    return out


def codes(values: np.ndarray, width: np.ndarray, low: float, high: float) -> np.ndarray:
    """Per cell the code of its colour: OFFSETS[level] + its value's bin at that level (values
    outside low..high fall in the end bins), MISSING where the value is NaN. uint8."""
    values = np.asarray(values, dtype=float)
    level = levels(width, low, high)
    bins = np.asarray(BINS)[level]
    span = float(high) - float(low)
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        t = np.clip((np.where(present, values, low) - low) / (span if span > 0 else 1.0), 0.0, 1.0)
    index = np.minimum(np.floor(t * bins), bins - 1).astype(int)
    out = np.asarray(OFFSETS)[level] + index
    return np.where(present, out, MISSING).astype(np.uint8)


CODE_BITS = 4  # a code fits in the low 4 bits of a byte (0..15)


def colorscale(pal: Palette, layers: int = 1) -> list[list]:
    """A stepped plotly colour scale for bytes 0 .. 16 * layers - 1 drawn with `code_range(layers)`:
    each byte owns one equal step, coloured by its low 4 bits (its code; MISSING transparent). The
    high bits are free to carry something else of the cell (the figure puts its significance
    there) without changing its colour."""
    steps = [*pal.colors, "rgba(0, 0, 0, 0)"] * layers
    scale = []
    for k, colour in enumerate(steps):
        scale += [[k / len(steps), colour], [(k + 1) / len(steps), colour]]
    return scale


def code_range(layers: int = 1) -> tuple[float, float]:
    """zmin, zmax of the codes' heatmap for `colorscale(palette, layers)`."""
    return -0.5, (MISSING + 1) * layers - 0.5


@dataclass(frozen=True)
class Segment:
    """One colour of the wedge legend: its level, its value bin and its colour."""

    level: int
    index: int
    bins: int
    color: str


def segments(pal: Palette) -> list[Segment]:
    """The legend's segments, level by level (most certain first), bins low to high."""
    return [Segment(level, index, bins, pal.color(level, index))
            for level, bins in enumerate(BINS) for index in range(bins)]


def wedge_point(radius: float, angle: float) -> tuple[float, float]:
    """A point of the wedge (apex at 0, 0; `angle` in degrees counterclockwise from +x)."""
    return radius * math.cos(math.radians(angle)), radius * math.sin(math.radians(angle))


def wedge_svg(pal: Palette, sector: float) -> str:
    """The legend's wedge as an SVG picture: apex at the left, the arc at the right, angles
    -sector..+sector (values low at the bottom, as on a colour bar), one unit of radius per level
    (the most uncertain level within radius 1, the most certain between LEVELS - 1 and LEVELS),
    each segment filled with its colour and outlined in white. Its viewBox is x 0..LEVELS,
    y -h..h in wedge units (h = LEVELS sin(sector)), y upward as on a plot: drawn stretched
    over that box, a unit is the same length either way only on axes of equal scale."""
    top = LEVELS * math.sin(math.radians(sector))

    def at(radius: float, angle: float) -> str:
        x, y = wedge_point(radius, angle)
        return f"{x:.4f} {-y:.4f}"  # SVG's y runs down

    paths = []
    for seg in segments(pal):
        outer = LEVELS - seg.level
        inner = outer - 1
        width = 2 * sector / seg.bins
        low, high = -sector + seg.index * width, -sector + (seg.index + 1) * width
        # out along the lower edge, along the outer arc (upward on screen: SVG's sweep 0), back in
        # and along the inner arc (or to the apex)
        d = f"M{at(inner, low)} L{at(outer, low)} A{outer} {outer} 0 0 0 {at(outer, high)} L{at(inner, high)}"
        d += f" A{inner} {inner} 0 0 1 {at(inner, low)}Z" if inner > 0 else "Z"
        paths.append(f'<path d="{d}" fill="{seg.color}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {-top:.4f} {LEVELS} {2 * top:.4f}" '
            f'preserveAspectRatio="none"><g stroke="white" stroke-width="0.015" stroke-linejoin="round">'
            + "".join(paths) + "</g></svg>")
