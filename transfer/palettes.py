"""Colour scales that fit the data: diverging around the neutral value, sequential without one.

A matrix with a neutral value (declared, a metric's chance level, or 0 when its values have both
signs: `TransferMatrix.scale_kind` "diverging") is coloured with a diverging palette whose centre
colour sits exactly at the neutral value, whatever the colour range: with a fixed `scale` (AUC's
0..1) and a neutral value of 0.6, the stops are remapped so that the centre is at 0.6 (plotly
ignores `zmid` once `zmin` and `zmax` are given). A matrix without one is coloured with a
sequential palette from its minimum to its maximum (or its `scale`).

Every palette is colour-blind safe (ColorBrewer's RdBu, PuOr and BrBG; viridis and cividis) and
its stops are '#rrggbb' (assets/breakdown.js reads them to colour the bars). Pure: no Dash.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import plotly.colors

from .matrix import TransferMatrix

KINDS = ("diverging", "sequential")


def _hex(colour: str) -> str:
    """'#rrggbb' of '#rrggbb' or 'rgb(r, g, b)'."""
    if colour.startswith("#"):
        return colour.lower()
    r, g, b = plotly.colors.unlabel_rgb(colour)
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def _even(colours: list[str]) -> tuple[tuple[float, str], ...]:
    """Evenly spaced stops 0..1 of a list of colours."""
    last = len(colours) - 1
    return tuple((round(k / last, 6), _hex(colour)) for k, colour in enumerate(colours))


@dataclass(frozen=True)
class Palette:
    name: str  # as the link writes it (`palette=`)
    label: str  # as the Colours select shows it
    kind: str  # "diverging" (centre colour in the middle, at stop 0.5) or "sequential"
    stops: tuple[tuple[float, str], ...]

    @property
    def centre_colour(self) -> str:
        """A diverging palette's middle colour (where the neutral value is drawn)."""
        return dict(self.stops)[0.5]


PALETTES = {
    palette.name: palette
    for palette in (
        # Blue-white-red as in the paper's figures: blue below the neutral value, red above.
        Palette("rdbu", "Blue-red (RdBu)", "diverging", _even(["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"])),
        Palette("puor", "Orange-purple (PuOr)", "diverging", _even(plotly.colors.diverging.PuOr)),
        Palette("brbg", "Brown-teal (BrBG)", "diverging", _even(plotly.colors.diverging.BrBG)),
        Palette("viridis", "Viridis", "sequential", _even(plotly.colors.sequential.Viridis)),
        Palette("cividis", "Cividis", "sequential", _even(plotly.colors.sequential.Cividis)),
    )
}
NAMES = tuple(PALETTES)
DEFAULT = {"diverging": "rdbu", "sequential": "viridis"}


def names_of(kind: str) -> tuple[str, ...]:
    """The palettes offered for a kind of scale, its default first."""
    return tuple(name for name, palette in PALETTES.items() if palette.kind == kind)


def plotly_stops(palette: Palette) -> list[list]:
    return [[stop, colour] for stop, colour in palette.stops]


@dataclass(frozen=True)
class ColourScale:
    """The colour scale a view draws with: what the heatmap's cells trace carries (`colorscale`,
    `zmin`, `zmax`), and what /api/view says (`kind`, `palette`)."""

    kind: str  # "diverging" or "sequential"
    palette: str  # a name in PALETTES
    zmin: float
    zmax: float
    centre: float | None  # the neutral value, where a diverging scale has its centre colour
    colorscale: list[list]  # plotly stops, remapped so that the centre colour is at `centre`

    def position(self, value: float) -> float:
        """Where a value sits on the colour scale, 0..1 (clipped)."""
        span = self.zmax - self.zmin
        return min(1.0, max(0.0, (value - self.zmin) / span)) if span > 0 else 0.5

    @property
    def middle(self) -> float:
        """The position of the scale's middle colour: the neutral value's (diverging), else 0.5."""
        return 0.5 if self.centre is None else self.position(self.centre)


def centred(palette: Palette, at: float) -> list[list]:
    """A diverging palette's stops moved so that its centre colour (stop 0.5) is at `at` (0..1):
    each half is stretched over its side. A centre at an end keeps only the half beyond it."""
    stops = palette.stops
    if at <= 0.0:
        half = [(2 * stop - 1, colour) for stop, colour in stops if stop >= 0.5]
    elif at >= 1.0:
        half = [(2 * stop, colour) for stop, colour in stops if stop <= 0.5]
    else:
        half = [(stop * 2 * at if stop <= 0.5 else at + (stop - 0.5) * 2 * (1 - at), colour) for stop, colour in stops]
    return [[round(stop, 9), colour] for stop, colour in half]


def usable(name: str | None, kind: str) -> bool:
    """A palette name that fits a kind of scale (None: the kind's default)."""
    return name is None or (name in PALETTES and PALETTES[name].kind == kind)


def colour_scale(
    matrix: TransferMatrix, palette: str | None = None, color_range: tuple[float, float] | None = None,
) -> ColourScale:
    """The colour scale of `matrix` (its `value_range()`, or `color_range` shared by several
    matrices) in the requested palette; a palette of the other kind, an unknown one or None gives
    the kind's default."""
    kind = matrix.scale_kind
    name = palette if palette is not None and usable(palette, kind) else DEFAULT[kind]
    zmin, zmax = color_range if color_range is not None else matrix.value_range()
    chosen = PALETTES[name]
    if kind == "sequential":
        return ColourScale(kind, name, zmin, zmax, None, plotly_stops(chosen))
    scale = ColourScale(kind, name, zmin, zmax, matrix.neutral, [])
    return replace(scale, colorscale=centred(chosen, scale.middle))
