"""How the live plots look: sizes, colours made visible on any background, pens,
fonts, nice axis tops and the words of marker labels."""

from __future__ import annotations

import colorsys
import functools
import math
from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen

from visualizer.app.words import short
from visualizer.sim.commands import server_name
from visualizer.sim.records import EventKind, Marker
from visualizer.ui.colors import GREEN, SERVER_COLORS, Theme

WINDOW_S = 120.0
X_STEP_S = 10.0  # the visible window advances in steps this long
LINE_WIDTH = 2.5

#: Text sizes in points at scale 1.0 (ticks at least 10 pt: readable at 1280×720).
TITLE_PT = 12.0
TICK_PT = 10.0
LABEL_PT = 10.0
LEGEND_PT = 10.0
MARKER_PT = 9.5
BIG_PT = 22.0
#: A plot shorter than this (pixels at text scale 1) leaves out its "time (s)" label.
AXIS_LABEL_MIN_H = 170.0
#: A plot this many times wider than tall has its legend right of the data, in at most
#: this share of its width.
LEGEND_BESIDE_RATIO = 3.0
LEGEND_BESIDE_SHARE = 0.45
QWIDGETSIZE_MAX = 16_777_215

#: Markers drawn as vertical lines (others, such as rotation changes, are not).
MARKER_KINDS = frozenset(
    {
        EventKind.SERVER_CRASHED,
        EventKind.SERVER_RESTARTED,
        EventKind.STORE_CRASHED,
        EventKind.STORE_RESTORED,
        EventKind.SETTING_CHANGED,
        EventKind.SERVER_ADDED,
        EventKind.SERVER_DRAINING,
    }
)
_CRASHES = (EventKind.SERVER_CRASHED, EventKind.STORE_CRASHED)
_RESIZES = (EventKind.SERVER_ADDED, EventKind.SERVER_DRAINING)

#: Shapes as characters, for the hover readout (filled, hollow).
_SYMBOL_CHARS = {
    "o": ("●", "○"),
    "s": ("■", "□"),
    "t": ("▼", "▽"),
    "t1": ("▲", "△"),
    "d": ("◆", "◇"),
    "p": ("⬟", "⬠"),
    "h": ("⬢", "⬡"),
    "star": ("★", "☆"),
    "x": ("✕", "✕"),
    "+": ("+", "+"),
}


# --- colours ----------------------------------------------------------------------------


def _luminance(color: str) -> float:
    c = QColor(color)

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def color_distance(a: str, b: str) -> float:
    """The "redmean" colour distance (as tests/ui/test_theme.py measures families)."""
    ca, cb = QColor(a), QColor(b)
    rm = (ca.red() + cb.red()) / 2
    return (
        (2 + rm / 256) * (ca.red() - cb.red()) ** 2
        + 4 * (ca.green() - cb.green()) ** 2
        + (2 + (255 - rm) / 256) * (ca.blue() - cb.blue()) ** 2
    ) ** 0.5


#: Lines and symbols need at least this contrast with the plot background.
MIN_CONTRAST = 3.0
SERVER_MIN_CONTRAST = 2.5
#: A lightened code or loss colour keeps this far from the status green and the servers'.
_KEEP_AWAY = 75.0


@functools.cache
def display_color(color: str, background: str) -> str:
    """``color`` as drawn on ``background``: on a dark background, dark palette colours
    (SERVER_DOWN's plum, STORE_UNAVAILABLE's slate, the darkest loss reds) are lightened,
    keeping their hue, until they stand out and stay clear of the status green and the
    (other) server colours; on a light background, or when already visible, unchanged.
    Server colours, which the cards show too, change only when nearly invisible
    (server-6's purple) and only as far as needed."""
    server = color in SERVER_COLORS
    least = SERVER_MIN_CONTRAST if server else MIN_CONTRAST
    if _luminance(background) > 0.2 or contrast_ratio(color, background) >= least:
        return color
    avoid = (GREEN, *(c for c in SERVER_COLORS if c != color))
    away = 90.0 if server else _KEEP_AWAY  # servers keep apart as in the light palette
    target = MIN_CONTRAST if server else MIN_CONTRAST + 0.5
    c = QColor(color)
    h, lightness, s = colorsys.rgb_to_hls(c.redF(), c.greenF(), c.blueF())
    s *= 0.75  # a little less saturated, or the lightened colours glare
    out = color
    while lightness < 0.9 and (
        contrast_ratio(out, background) < target
        or any(color_distance(out, a) < away for a in avoid)
    ):
        lightness += 0.01
        r, g, b = colorsys.hls_to_rgb(h, lightness, s)
        out = QColor.fromRgbF(r, g, b).name().upper()
    return out


def neutral_colors(theme: Theme) -> tuple[str, str]:
    """Two neutral colours (ink and grey) that are no server's, no code's and not red:
    for totals, the store and latency percentiles."""
    if theme.name == "contrast":  # its muted text is nearly white: a clear grey instead
        return theme.text, "#9E9E9E"
    return theme.text, theme.muted


# --- pens and fonts ---------------------------------------------------------------------


#: The dash pattern of a dashed data line (compare mode's side B), in line widths.
DASHES = (3.0, 2.0)


def make_pen(
    color: str,
    width: float = LINE_WIDTH,
    style: Qt.PenStyle = Qt.PenStyle.SolidLine,
    dashes: Sequence[float] = (),
) -> QPen:
    """Solid data lines: Qt strokes dashed, thick, antialiased pens very slowly (the plots
    draw without antialiasing, where dashed data lines, ``dashes``, cost little)."""
    pen = pg.mkPen(QColor(color), width=width)
    pen.setStyle(style)
    if dashes:
        pen.setDashPattern(list(dashes))
    pen.setCosmetic(True)
    return pen


@functools.cache
def brush(color: str) -> QBrush:
    return pg.mkBrush(color)


@functools.cache
def end_pen(color: str) -> QPen:
    return pg.mkPen(color, width=2)


def font(points: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(points)
    f.setBold(bold)
    return f


def nice_top(value: float) -> float:
    """A round axis top at least 10% above ``value`` (1-2-5 steps)."""
    target = value * 1.1
    exp = 10 ** math.floor(math.log10(target))
    for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if m * exp >= target:
            return m * exp
    return 10 * exp


# --- marker labels ----------------------------------------------------------------------


def setting_label(marker: Marker, before: Any = None) -> str:
    """A setting change in a few words ("sticky off", "store on", "6 servers"), from the
    marker's keys and values (one command that set several: "store on · sticky on");
    ``before`` is the value ``state.mode`` had. A note (a fault skipped, a queue full)
    says what its ``note`` is."""
    if marker.changes:
        return " · ".join(short(key, value, before) for key, value in marker.changes)
    if marker.note is not None:
        return marker.note.value
    return marker.label  # (no engine marker is left without a key or a note)


def marker_label(marker: Marker, before: Any = None) -> str:
    """The few words a marker line carries ("✖ server-2", "↺ store", "sticky off")."""
    kind, name = marker.kind, server_name(marker.server)
    if kind is EventKind.SERVER_CRASHED:
        return f"✖ {name}"
    if kind is EventKind.STORE_CRASHED:
        return "✖ store"
    if kind is EventKind.SERVER_RESTARTED:
        return f"↺ {name}"
    if kind is EventKind.STORE_RESTORED:
        return "↺ store"
    if kind is EventKind.SERVER_ADDED:
        return f"+ {name}"
    if kind is EventKind.SERVER_DRAINING:
        return f"− {name}"
    return setting_label(marker, before)
