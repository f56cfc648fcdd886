"""Parts of the live plots: a plot whose legend sits below the data (never over a line),
marker lines whose labels never overprint, a hover readout, and series colours made
visible on dark plot backgrounds.

Everything here is drawn by pyqtgraph on a ``PlotWidget``, so exports (PNG and SVG) show
what the window shows. Text sizes are points at scale 1.0 and grow with ``set_text_scale``.
"""

from __future__ import annotations

import bisect
import colorsys
import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPicture
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QMenu,
    QSizePolicy,
    QToolTip,
    QWidget,
)

from visualizer.sim.config import PLOT_NAMES, Config
from visualizer.sim.records import EventKind, Marker
from visualizer.sim.table import lesson_figures
from visualizer.ui.lesson_views import LessonPlot, view_for
from visualizer.ui.theme import FAILURE, GREEN, SERVER_COLORS, Theme

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

_ALGORITHMS = {
    "round_robin": "round robin",
    "least_connections": "least conn.",
    "random": "random",
    "hash": "hash",
}
_SETTING_WORDS = {
    "traffic.users_per_s": ("users", "/s"),
    "traffic.requests_per_user": ("requests/user", ""),
    "traffic.think_time_s": ("think", " s"),
    "traffic.max_retries": ("retries", ""),
    "traffic.logout_fraction": ("logouts", ""),
    "traffic.proxy_fraction": ("proxies", ""),
    "balancer.health_check_s": ("health check", " s"),
    "servers.workers": ("workers", ""),
    "servers.service_ms": ("service", " ms"),
    "servers.memory_mb": ("memory cap", " MB"),
    "servers.queue_limit": ("queue limit", ""),
    "state.session_kb": ("session", " KB"),
    "state.ttl_s": ("TTL", " s"),
    "state.token_verify_ms": ("token check", " ms"),
    "store.latency_ms": ("store", " ms"),
    "store.replicas": ("replicas", ""),
    "network.latency_ms": ("network", " ms"),
}


def _number(text: str) -> str:
    try:
        return f"{float(text):g}"
    except ValueError:
        return text


def setting_label(label: str, previous_mode: str | None = None) -> str:
    """A setting change in a few words: "sticky off", "store on", "tokens", "servers 6"."""
    key, sep, value = label.partition(" = ")
    if not sep:
        return "skipped" if "skipped" in label else label.split(" ")[0]
    if key == "balancer.sticky":
        return "sticky on" if value == "True" else "sticky off"
    if key == "state.mode":
        if value == "shared":
            return "store on"
        if value == "token":
            return "tokens"
        return {"shared": "store off", "token": "stateful"}.get(previous_mode or "", "in memory")
    if key == "balancer.algorithm":
        return _ALGORITHMS.get(value, value)
    if key == "servers.count":
        return f"servers {value}"
    if key in _SETTING_WORDS:
        word, unit = _SETTING_WORDS[key]
        return f"{word} {_number(value)}{unit}"
    return f"{key.rsplit('.', 1)[-1].replace('_', ' ')} {_number(value)}"


def marker_label(marker: Marker, previous_mode: str | None = None) -> str:
    """The few words a marker line carries ("✖ server-2", "↺ store", "sticky off")."""
    kind, name = marker.kind, marker.label.split(" ")[0]
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
    return setting_label(marker.label, previous_mode)


# --- the legend -------------------------------------------------------------------------


@dataclass
class LegendEntry:
    key: object
    text: str  # as the legend shows it ("server-12", "crash (262)", "total 40 MB")
    short: str | None  # a server's number ("12"), used when space is short; else None
    color: str
    symbol: str | None  # None: a heading (muted text, no sample)
    hollow: bool = False
    width: float = LINE_WIDTH
    order: float = 0.0
    name: str = ""  # the series' own name, for the readout ("crash", "total")
    dashes: tuple[float, ...] = ()  # a dashed line's pattern (in line widths); () solid
    row_start: bool = False  # begins a new legend row (pairs of entries stay together)

    def __post_init__(self) -> None:
        self.name = self.name or self.text


class Legend(pg.GraphicsWidget):
    """Entries (a line with the series' symbol, then its name) flowing in rows below the
    data area, as many rows as they need: never over a line, never clipped.

    Many servers take room, so the legend has three levels, the first that fits its
    height budget (``max_height``, set by the plot) wins: full names; server numbers
    after a "server" heading (as on the cards of a large fleet); server shapes alone
    in fleet order after "server 1–16". ``headings`` (full, short) go before the first
    server entry: ("ok:", "ok, server") says what the server lines count."""

    SAMPLE_W = 22.0
    DASHED_W = 36.0  # a dashed line's sample: long enough to show its gaps
    GAP = 10.0
    PAD = 4.0
    FULL, NUMBERS, SHAPES = 0, 1, 2

    def __init__(self, theme: Theme, headings: tuple[str, str] = ("", "server")) -> None:
        super().__init__()
        self.theme = theme
        self.headings = headings
        self.entries: list[LegendEntry] = []
        self._font = font(LEGEND_PT)
        self._placed: list[tuple[float, float, LegendEntry | None, str]] = []
        self._width = -1.0
        self._picture: QPicture | None = None
        self.level = self.FULL
        self.max_height = math.inf
        self.setSizePolicy(QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed))
        self.setMinimumWidth(0)

    @property
    def compact(self) -> bool:
        """Server names shortened (to numbers or shapes)."""
        return self.level != self.FULL

    # entries
    @property
    def items(self) -> list[tuple[object, LegendEntry]]:
        """(key, entry) per series, in legend order; ``entry.text`` is its label."""
        return [(e.key, e) for e in self.entries]

    def add(self, entry: LegendEntry) -> None:
        self.entries.append(entry)
        self.entries.sort(key=lambda e: e.order)
        self.relayout()

    def clear(self) -> None:
        if self.entries:
            self.entries.clear()
            self.relayout()

    def set_text(self, key: object, text: str) -> None:
        for e in self.entries:
            if e.key == key:
                if e.text != text:
                    e.text = text
                    self.relayout()
                return

    def set_font_points(self, points: float) -> None:
        self._font = font(points)
        self.relayout()

    def set_max_height(self, height: float) -> None:
        if abs(height - self.max_height) >= 1.0:
            self.max_height = height
            self.relayout()

    # layout
    def _row_h(self) -> float:
        return max(QFontMetricsF(self._font).height(), 12.0) + 1.0

    def _sample_w(self, entry: LegendEntry | None) -> float:
        """A line stub with the symbol on it; a shortened server's symbol alone."""
        if entry is None or not entry.symbol:
            return 0.0
        if entry.short is not None and self.level != self.FULL:
            return 14.0 + (3.0 if self.level == self.NUMBERS else 0.0)
        return (self.DASHED_W if entry.dashes else self.SAMPLE_W) + 3.0

    def _text(self, e: LegendEntry) -> str:
        if e.short is None or self.level == self.FULL:
            return e.text
        return e.short if self.level == self.NUMBERS else ""

    def _heading(self) -> str:
        if self.level != self.SHAPES:
            return self.headings[0 if self.level == self.FULL else 1]
        numbered = [e.short for e in self.entries if e.short is not None]
        if not numbered:
            return ""
        span = numbered[0] if len(numbered) == 1 else f"{numbered[0]}–{numbered[-1]}"
        return f"{self.headings[1]} {span}"

    def _flow(self, width: float, breaks: bool = True) -> tuple[list, float]:
        """Where each entry goes, rows filled left to right (a ``row_start`` entry begins
        a row if ``breaks``); and the height taken."""
        fm = QFontMetricsF(self._font)
        row_h = self._row_h()
        placed: list[tuple[float, float, LegendEntry | None, str]] = []
        x, y = self.PAD, 0.0
        heading = self._heading()
        for e in self.entries:
            parts: list[tuple[LegendEntry | None, str]] = []
            if e.short is not None and heading:
                parts.append((None, heading))
                heading = ""
            parts.append((e, self._text(e)))
            for entry, text in parts:
                sample = self._sample_w(entry)
                room = width - 2 * self.PAD - sample
                if fm.horizontalAdvance(text) > room:  # a very narrow plot: "SESSION_LO…"
                    text = fm.elidedText(text, Qt.TextElideMode.ElideRight, max(room, 10.0))
                w = sample + fm.horizontalAdvance(text)
                new_row = breaks and entry is not None and entry.row_start
                if x > self.PAD and (x + w > width - self.PAD or new_row):
                    x, y = self.PAD, y + row_h
                placed.append((x, y, entry, text))
                gap = 2.0 if entry is not None and not text else self.GAP
                x += w + (gap if self.level == self.FULL or not text else 0.7 * gap)
        return placed, (y + row_h if placed else 0.0)

    def widest(self) -> float:
        """The width of the widest entry, with its full text."""
        fm = QFontMetricsF(self._font)
        level, self.level = self.level, self.FULL
        widths = [self._sample_w(e) + fm.horizontalAdvance(e.text) for e in self.entries]
        self.level = level
        return max(widths, default=0.0) + 2 * self.PAD

    def relayout(self) -> None:
        width = self.size().width()
        if width < 60:  # not laid out yet: a plausible width until the layout gives one
            width = 220.0
        self._width = width
        shortened = any(e.short is not None for e in self.entries)
        levels = (self.FULL, self.NUMBERS, self.SHAPES) if shortened else (self.FULL,)
        budget = max(self.max_height, 2.5 * self._row_h())
        for level in levels:
            self.level = level
            placed, height = self._flow(width, breaks=False)
            if height > self._row_h():  # more than one row: pairs of entries kept together
                placed, height = self._flow(width)
            limit = min(budget, 2.5 * self._row_h()) if level == self.FULL else budget
            if height <= limit:
                break
        self._placed = placed
        self._picture = None
        height = math.ceil(height + (2.0 if placed else 0.0))
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)
            self.setPreferredHeight(height)
        self.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if abs(self.size().width() - self._width) > 0.5:
            self.relayout()

    def entry_rects(self) -> list[QRectF]:
        """Where each entry is drawn, in scene coordinates (for tests and checks)."""
        fm = QFontMetricsF(self._font)
        h = self._row_h() - 1.0
        rects = []
        for x, y, entry, text in self._placed:
            w = self._sample_w(entry) + fm.horizontalAdvance(text)
            rects.append(self.mapRectToScene(QRectF(x, y, w, h)))
        return rects

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.size().width(), self.size().height())

    def paint(self, painter: QPainter, *args) -> None:
        """Replays a recording of the entries, made when they change (rarely): vector,
        so an SVG export keeps the names as text."""
        if self._picture is None:
            self._picture = QPicture()
            p = QPainter(self._picture)
            self._draw(p)
            p.end()
        painter.drawPicture(0, 0, self._picture)

    def _draw(self, p: QPainter) -> None:
        fm = QFontMetricsF(self._font)
        row_h = self._row_h() - 1.0
        size = min(10.0, row_h - 3.0) * (1.15 if self.compact else 1.0)
        p.setFont(self._font)
        bg = self.theme.plot_bg
        for x, y, entry, text in self._placed:
            mid = y + row_h / 2
            sample = self._sample_w(entry)
            if entry is not None and entry.symbol:
                color = display_color(entry.color, bg)
                if sample > 20.0:
                    p.setPen(make_pen(color, min(entry.width, 4.0), dashes=entry.dashes))
                    p.drawLine(QPointF(x, mid), QPointF(x + sample - 3.0, mid))
                p.save()
                # a dashed line's symbol at its end: in the middle it would hide the gaps
                p.translate(
                    x + (sample - 3.0 - size / 2 if entry.dashes else (sample - 3.0) / 2), mid
                )
                if entry.hollow:
                    pen, fill = pg.mkPen(color, width=2), QBrush(QColor(bg))
                else:
                    pen, fill = pg.mkPen(bg, width=1), QBrush(QColor(color))
                drawSymbol(p, entry.symbol, size, pen, fill)
                p.restore()
            p.setPen(QColor(self.theme.text if entry is not None else self.theme.muted))
            p.drawText(QPointF(x + sample, y + (row_h + fm.ascent() - fm.descent()) / 2), text)


# --- the big number ---------------------------------------------------------------------


class BigNumber(QGraphicsItem):
    """A number in large type with its caption ("0 sessions lost"), top left of the data
    area: on one line if it fits, else the caption under the number; the number shrinks
    (to half size at most) only if it alone is too wide."""

    def __init__(self, parent: QGraphicsItem, theme: Theme) -> None:
        super().__init__(parent)
        self.theme = theme
        self.value = 0
        self.noun = ("session lost", "sessions lost")
        self.short = "lost"  # the caption when there is no room for the noun
        self.color = theme.text
        self.scale_factor = 1.0
        self.room = 10_000.0  # the width it may take
        self.room_h = 10_000.0  # and the height
        self.setZValue(20)
        self.setPos(8, 4)
        self._layout = self._lay_out()

    @property
    def text(self) -> str:
        return f"{self.number_text()} {self.caption}"

    def number_text(self) -> str:
        """What is written in large type ("262")."""
        return f"{self.value:,}"

    def paint_number(self, p: QPainter, at: QPointF) -> None:
        """Draw ``number_text`` (the big font set) with its baseline's start at ``at``."""
        p.setPen(QColor(display_color(self.color, self.theme.plot_bg)))
        p.drawText(at, self.number_text())

    @property
    def caption(self) -> str:
        return self.noun[0] if self.value == 1 else self.noun[1]

    def set_value(self, value: int, color: str) -> None:
        if value != self.value or color != self.color:
            self.value, self.color = value, color
            self._relayout()

    def set_scale(self, factor: float) -> None:
        self.scale_factor = factor
        self._relayout()

    def fit(self, width: float, height: float) -> None:
        """Keep within ``width`` and ``height`` pixels (the data area's free top)."""
        self.room = max(40.0, width - 16.0)
        self.room_h = max(12.0, height)
        self._relayout()

    def _relayout(self) -> None:
        self.prepareGeometryChange()
        self._layout = self._lay_out()
        self.update()

    def _lay_out(self) -> tuple[QFont, QFont, QPointF, QPointF, QRectF, str]:
        """Fonts, where number and caption go (baselines), the rectangle taken and the
        caption: the largest number (down to half size) that fits, on one line with its
        caption, or with the caption under it, or with just ``short`` ("lost") after it
        (the title says the rest); at half size, one line whatever the room."""
        s = self.scale_factor
        small = font(LABEL_PT * s)
        fs = QFontMetricsF(small)
        number = self.number_text()
        points = BIG_PT * s
        while True:
            big = font(points, bold=True)
            fb = QFontMetricsF(big)
            wn, base = fb.horizontalAdvance(number), fb.ascent()
            smallest = points <= 0.5 * BIG_PT * s
            short = self.short
            for caption in (self.caption, short):
                wc = fs.horizontalAdvance(caption)
                fits = wn + 6 + wc <= self.room and fb.height() <= self.room_h
                if fits or (smallest and caption == short):
                    one_line = QRectF(0, 0, wn + 6 + wc, fb.height())
                    return big, small, QPointF(0, base), QPointF(wn + 6, base), one_line, caption
                h = base + fs.height()
                if caption != short and max(wn, wc) <= self.room and h + 2 <= self.room_h:
                    below = QPointF(0, h - fs.descent())
                    two_lines = QRectF(0, 0, max(wn, wc), h + 2)
                    return big, small, QPointF(0, base), below, two_lines, caption
            points -= 1.0

    @property
    def number_points(self) -> float:
        return self._layout[0].pointSizeF()

    def boundingRect(self) -> QRectF:
        return self._layout[4]

    @property
    def shown(self) -> str:
        """What it says on screen ("1,036 sessions lost", or "1,036 lost" when tight)."""
        return f"{self.number_text()} {self._layout[5]}"

    def paint(self, p: QPainter, *args) -> None:
        big, small, at_number, at_caption, _, caption = self._layout
        p.setFont(big)
        self.paint_number(p, at_number)
        p.setFont(small)
        p.setPen(QColor(self.theme.text))
        p.drawText(at_caption, caption)


# --- the plot ---------------------------------------------------------------------------


@dataclass
class _MarkerItem:
    t: float
    line: pg.InfiniteLine
    label: QGraphicsSimpleTextItem
    crash: bool


class Plot(pg.PlotWidget):
    """One live plot: persistent curves updated with ``setData``, a legend row below the
    data, labelled marker lines, a symbol at each line's end, and a hover readout."""

    def __init__(
        self,
        name: str,
        title: str,
        theme: Theme,
        fmt: Callable[[float], str] = "{:,.1f}".format,
        headings: tuple[str, str] = ("", "server"),
    ) -> None:
        super().__init__(background=theme.plot_bg)
        self.name = name
        self.title = title
        self.theme = theme
        self.fmt = fmt
        self.text_scale = 1.0
        item = self.getPlotItem()
        # no grid: pyqtgraph draws it with the axes, and it doubled the cost of a repaint
        # at most 121 points per series: no downsampling or clipping (clipping against a
        # moving x-range left gaps in the lines)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.enableAutoRange(axis="y", enable=False)
        for axis_name in ("left", "bottom"):
            axis = item.getAxis(axis_name)
            axis.setPen(pg.mkPen(theme.muted))
            axis.setTextPen(pg.mkPen(theme.text))
        self.legend = Legend(theme, headings)
        self.legend_beside = False  # right of the data (a wide, short plot), else below
        item.layout.addItem(self.legend, 4, 0, 1, 3)
        item.layout.removeItem(item.titleLabel)  # the title centred over the whole plot
        item.layout.addItem(item.titleLabel, 0, 0, 1, 3)
        item.layout.setRowStretchFactor(4, 0)
        self.vb = item.vb
        self.curves: dict[object, pg.PlotDataItem] = {}
        self.series: dict[object, LegendEntry] = {}
        self._range: tuple[float, ...] = ()
        # a symbol at each line's latest value: series differ by shape, not colour alone
        self.ends = pg.ScatterPlotItem(size=10, pen=pg.mkPen(theme.plot_bg, width=1.5))
        self.ends.setZValue(10)
        item.addItem(self.ends)
        # marker lines and their labels (labels in pixels, placed so none overprint)
        self._markers: dict[tuple[float, str], _MarkerItem] = {}
        self._markers_state: tuple = ()
        self.reserved: list[QGraphicsItem] = []  # areas marker labels keep clear of
        self.label_band = 0.3  # marker labels stay in this top part of the data area
        self.vb.sigResized.connect(self.place_labels)
        self.vb.sigXRangeChanged.connect(self.place_labels)
        # hover readout: a vertical line and dots, only while the mouse is over the data
        self.hover_line = pg.InfiniteLine(angle=90, pen=make_pen(theme.muted, 1.0), movable=False)
        self.hover_line.setZValue(15)
        self.hover_line.hide()
        item.addItem(self.hover_line, ignoreBounds=True)
        self.hover_dots = pg.ScatterPlotItem(size=9)
        self.hover_dots.setZValue(16)
        item.addItem(self.hover_dots)
        self.hover_x: float | None = None
        self.readout = ""  # the hover readout's text (plain), "" when hidden
        self.markers_shown: Sequence[Marker] = ()
        self.marker_sides: Mapping[Marker, str] = {}
        self.marker_notes: Mapping[Marker, str] = {}
        self.set_text_scale(1.0)

    # --- series ---------------------------------------------------------------------

    def color(self, color: str) -> str:
        return display_color(color, self.theme.plot_bg)

    def curve(
        self,
        key: object,
        name: str,
        color: str,
        symbol: str | None,
        hollow: bool = False,
        width: float = LINE_WIDTH,
        short: str | None = None,
        order: float = 0.0,
        dashes: Sequence[float] = (),
        readout: str = "",
        row_start: bool = False,
    ) -> pg.PlotDataItem:
        """A persistent line (created once, then updated with ``setData``) and its legend
        entry; its symbol is drawn at the line's end by ``set_ends``. ``dashes``: a dashed
        line; ``readout``: its name in the hover readout when not ``name``; ``row_start``:
        its legend entry begins a row."""
        c = self.curves.get(key)
        if c is None:
            pen = make_pen(self.color(color), width, dashes=dashes)
            c = self.getPlotItem().plot(pen=pen)
            entry = LegendEntry(
                key, name, short, color, symbol, hollow, width, order, readout, tuple(dashes)
            )
            entry.row_start = row_start
            self.curves[key] = c
            self.series[key] = entry
            self.legend.add(entry)
            self._refit_legend()
        return c

    def set_name(self, key: object, text: str) -> None:
        self.legend.set_text(key, text)
        self._refit_legend()

    def _refit_legend(self) -> None:
        """A legend beside the data follows its entries' widths."""
        if self.legend_beside:
            self._place_legend(self.width(), self.height())

    def set_ends(self, ends: list[tuple]) -> None:
        """(x, y, symbol, colour, hollow) per series: the latest point of each line."""
        bg = self.theme.plot_bg
        cols = [self.color(e[3]) for e in ends]
        self.ends.setData(
            [e[0] for e in ends],
            [e[1] for e in ends],
            symbol=[e[2] for e in ends],
            brush=[brush(bg if e[4] else c) for e, c in zip(ends, cols, strict=True)],
            pen=[end_pen(c if e[4] else bg) for e, c in zip(ends, cols, strict=True)],
        )

    def set_window(self, t_end: float, y_max: float, floor: float = 1.0, room: float = 1.0) -> None:
        """Show (at least) the last ``WINDOW_S`` seconds; y from 0 to above the data
        (``room`` > 1 keeps the top part free, for labels or the big number).

        The x-range moves in steps of ``X_STEP_S``, not every second: an unchanged range
        keeps pyqtgraph from re-laying out the axes, which halves the cost of an update.
        """
        hi = max(X_STEP_S, math.ceil(t_end / X_STEP_S) * X_STEP_S)
        lo = max(0.0, hi - WINDOW_S - X_STEP_S)
        y = (0.0, nice_top(max(y_max * room, floor)))
        if (lo, hi, *y) != self._range:
            self._range = (lo, hi, *y)
            self.getPlotItem().setRange(xRange=(lo, hi), yRange=y, padding=0.0)

    def clear_data(self) -> None:
        """Nothing of what was drawn stays: no line, no legend entry, no marker (a new
        run, or a jump, draws its own)."""
        self.hide_readout()
        for c in self.curves.values():
            self.getPlotItem().removeItem(c)
        self.curves.clear()
        self.series.clear()
        self.legend.clear()
        self._markers_state = ()
        self.set_markers([], 0.0)
        self.set_ends([])
        self._range = ()

    # --- markers ----------------------------------------------------------------------

    def set_markers(
        self,
        markers: Sequence[Marker],
        lo: float,
        sides: Mapping[Marker, str] | None = None,
        notes: Mapping[Marker, str] | None = None,
    ) -> None:
        """A thin dashed line at every crash, restart and setting change since ``lo``,
        each with a short label; labels are staggered, and dropped when crowded.
        When comparing, ``sides`` names the one side a marker happened on ("B: ✖ server-2")
        and ``notes`` says what the hover readout says of a marker instead of its label."""
        state = (id(markers), len(markers), lo, id(sides), id(notes))
        if state == self._markers_state:
            return
        self._markers_state = state
        self.marker_sides = sides or {}
        self.marker_notes = notes or {}
        start = bisect.bisect_left(markers, lo, key=lambda m: m.t)
        self.markers_shown = recent = markers[start:]
        resized = {m.t for m in recent if m.label.startswith("servers.count = ")}
        wanted: dict[tuple[float, str], tuple[Marker, str]] = {}
        for k, m in enumerate(recent):
            if m.kind not in MARKER_KINDS:
                continue
            if m.kind in _RESIZES and m.t in resized:
                continue  # "servers 6" says it: no "+ server-5", "+ server-6" as well
            previous = None
            if m.label == "state.mode = local":  # back from what: the store, or tokens?
                before = (
                    p for p in reversed(markers[: start + k]) if p.label.startswith("state.mode = ")
                )
                previous = next((p.label.split(" = ", 1)[1] for p in before), None)
            side = self.marker_sides.get(m)
            text = marker_label(m, previous)
            wanted[(m.t, m.label)] = (m, f"{side}: {text}" if side else text)
        changed = False
        for key in list(self._markers):
            if key not in wanted:
                old = self._markers.pop(key)
                self.getPlotItem().removeItem(old.line)
                self.scene().removeItem(old.label)
                changed = True
        for key, (m, text) in wanted.items():
            if key in self._markers:
                continue
            crash = m.kind in _CRASHES
            color = self.color(FAILURE) if crash else self.theme.muted
            line = pg.InfiniteLine(
                pos=m.t, angle=90, pen=make_pen(color, 1.0, Qt.PenStyle.DashLine)
            )  # thin: dashes are cheap at 1 px
            self.getPlotItem().addItem(line, ignoreBounds=True)
            label = QGraphicsSimpleTextItem(text, self.vb)
            label.setBrush(QColor(color))
            label.setFont(font(MARKER_PT * self.text_scale, bold=crash))
            label.setZValue(12)
            self._markers[key] = _MarkerItem(m.t, line, label, crash)
            changed = True
        if changed:
            self.place_labels()

    def place_labels(self, *_: object) -> None:
        """Each label beside its line: right of it, else left of it, else as close as it
        fits, in the first row of the top ``label_band`` of the data area where it
        overlaps nothing (another label, the big number); crash labels first, then the
        newest; a label with no room is hidden."""
        if not self._markers:
            return
        width, height = self.vb.width(), self.vb.height()
        taken = [r.mapRectToParent(r.boundingRect()) for r in self.reserved if r.isVisible()]
        row_h = QFontMetricsF(font(MARKER_PT * self.text_scale)).height()
        rows = max(1, min(5, int(self.label_band * height // max(row_h, 1.0))))
        order = sorted(self._markers.values(), key=lambda m: (not m.crash, -m.t))
        for m in order:
            x = self.vb.mapFromView(QPointF(m.t, 0.0)).x()
            w = m.label.boundingRect().width()
            sides = [x + 3, x - 3 - w, width - 2 - w, 2.0]  # right, left, closest inside
            lefts = [v for v in sides if 2.0 <= v <= width - 2 - w and v - 6 <= x <= v + w + 6]
            placed = False
            if 0 <= x <= width and lefts:
                for row, left in itertools.product(range(rows), dict.fromkeys(lefts)):
                    rect = QRectF(left, 2 + row * (row_h + 1), w, row_h)
                    if not any(rect.intersects(r) for r in taken):
                        m.label.setPos(rect.topLeft())
                        taken.append(rect)
                        placed = True
                        break
            m.label.setVisible(placed)

    def marker_labels(self) -> list[str]:
        """The marker labels on screen, oldest first."""
        shown = [m for m in self._markers.values() if m.label.isVisible()]
        return [m.label.text() for m in sorted(shown, key=lambda m: m.t)]

    # --- text size ----------------------------------------------------------------------

    def set_text_scale(self, factor: float) -> None:
        """Every text of the plot at ``factor`` × its normal size."""
        self.text_scale = factor
        item = self.getPlotItem()
        self._title_shown: tuple[float, str] = (0.0, "")
        self._fit_title()
        tick = font(TICK_PT * factor)
        for axis_name in ("left", "bottom"):
            axis = item.getAxis(axis_name)
            axis.setStyle(tickFont=tick, tickTextOffset=max(3, round(4 * factor)))
            axis.textWidth = axis.textHeight = 0  # measured anew at this size
        item.getAxis("bottom").setLabel(
            "time (s)", color=self.theme.muted, **{"font-size": f"{LABEL_PT * factor:.1f}pt"}
        )
        self._fit_axis_label(self.height())
        item.getAxis("left")._updateWidth()
        self.legend.set_font_points(LEGEND_PT * factor)
        self._refit_legend()
        self.ends.setSize(10 * max(1.0, factor**0.5))
        for m in self._markers.values():
            m.label.setFont(font(MARKER_PT * factor, bold=m.crash))
        self.place_labels()

    def _fit_title(self, width: float | None = None) -> None:
        """The title at its size for this scale; smaller (down to 70%) if the plot is too
        narrow for it, and shortened with "…" if even that is too wide: a title never
        makes the plot wider than its place, and is never cut off at an edge."""
        points = TITLE_PT * self.text_scale
        room = max(20.0, (self.width() if width is None else width) - 16.0)  # label margins
        while points > 0.7 * TITLE_PT * self.text_scale:
            if QFontMetricsF(font(points, True)).horizontalAdvance(self.title) <= room:
                break
            points -= 0.5
        metrics = QFontMetricsF(font(points, True))
        text = metrics.elidedText(self.title, Qt.TextElideMode.ElideRight, room)
        if (points, text) == self._title_shown:
            return
        self._title_shown = (points, text)
        item = self.getPlotItem()
        item.setTitle(text, color=self.theme.text, size=f"{points:.1f}pt", bold=True)
        item.titleLabel.setMinimumWidth(0)  # the label would make the plot as wide as it
        title_h = math.ceil(metrics.height() * 1.35)
        item.titleLabel.setMaximumHeight(title_h)
        item.layout.setRowFixedHeight(0, title_h)

    @property
    def _title_pt(self) -> float:
        return self._title_shown[0]

    def resizeEvent(self, event) -> None:
        # the title first: the plot item is then given the view's size, not the size a
        # title too long for the new width would force on it
        if hasattr(self, "_title_shown"):
            width, height = event.size().width(), event.size().height()
            self._fit_title(width)
            self._place_legend(width, height)
            self._fit_axis_label(height)
        super().resizeEvent(event)

    def _place_legend(self, width: float, height: float) -> None:
        """Below the data, taking at most a third of the plot; right of the data when
        the plot is much wider than tall (presenter mode's band of one or two plots),
        where its rows take no height from the data."""
        beside = width >= LEGEND_BESIDE_RATIO * height
        layout = self.getPlotItem().layout
        if beside != self.legend_beside:
            self.legend_beside = beside
            layout.removeItem(self.legend)
            if beside:
                layout.addItem(self.legend, 2, 3, 2, 1)
                layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
            else:
                self.legend.setMinimumWidth(0)
                self.legend.setMaximumWidth(QWIDGETSIZE_MAX)
                layout.addItem(self.legend, 4, 0, 1, 3)
        if beside:  # as wide as its widest entry, up to a share of the plot
            side = round(min(self.legend.widest() + 2, LEGEND_BESIDE_SHARE * width))
            self.legend.setMinimumWidth(side)
            self.legend.setMaximumWidth(side)
            self.legend.set_max_height(height)
        else:
            # the legend takes at most a third of the plot: the data keeps its room
            self.legend.set_max_height(height / 3)

    def _fit_axis_label(self, height: float) -> None:
        """ "time (s)" under the ticks only on a plot tall enough for its text size (the
        dock's title says the seconds): a short plot, in presenter mode, keeps its data."""
        axis = self.getPlotItem().getAxis("bottom")
        show = height >= AXIS_LABEL_MIN_H * self.text_scale
        if axis.label.isVisible() != show:
            axis.showLabel(show)
        axis._updateHeight()

    # --- hover readout ------------------------------------------------------------------

    def mouseMoveEvent(self, event) -> None:
        """Every move (the scene's own signal drops moves closer than 10 ms apart, and
        with them the one that leaves the data area)."""
        super().mouseMoveEvent(event)
        self._mouse_moved(self.mapToScene(event.position().toPoint()))

    def _mouse_moved(self, pos: QPointF) -> None:
        if not self.vb.sceneBoundingRect().contains(pos) or not self.curves:
            self.hide_readout()
            return
        x = self.vb.mapSceneToView(pos).x()
        text = self.hover_at(x)
        if text:
            html = self._readout_html
            where = self.mapToGlobal(self.mapFromScene(pos))
            QToolTip.showText(where, html, self)

    def leaveEvent(self, event) -> None:
        self.hide_readout()
        super().leaveEvent(event)

    def hide_readout(self) -> None:
        if self.hover_x is not None:
            self.hover_x = None
            self.readout = ""
            self.hover_line.hide()
            self.hover_dots.setData([], [])
            QToolTip.hideText()

    def refresh_readout(self) -> None:
        """New data while the mouse rests on the plot: the readout follows."""
        if self.hover_x is not None:
            self.hover_at(self.hover_x)

    def hover_at(self, x: float) -> str:
        """Show the vertical line at the sample nearest ``x`` with a dot on every line;
        return (and keep in ``readout``) the time and each series' value there."""
        rows: list[tuple[LegendEntry, float]] = []
        t_at: float | None = None
        for entry in self.legend.entries:  # in legend order: the total first
            xs, ys = self.curves[entry.key].getData()
            if xs is None or len(xs) == 0:
                continue
            if t_at is None:  # the sample time nearest the mouse
                t_at = float(xs[int(np.argmin(np.abs(xs - x)))])
            j = int(np.argmin(np.abs(xs - t_at)))
            y = float(ys[j])
            if abs(xs[j] - t_at) < 0.5 and not math.isnan(y):
                rows.append((entry, y))
        if t_at is None:
            self.hide_readout()
            return ""
        self.hover_x = x
        self.hover_line.setPos(t_at)
        self.hover_line.show()
        bg = self.theme.plot_bg
        self.hover_dots.setData(
            [t_at] * len(rows),
            [y for _, y in rows],
            symbol=[e.symbol or "o" for e, _ in rows],
            brush=[brush(bg if e.hollow else self.color(e.color)) for e, _ in rows],
            pen=[end_pen(self.color(e.color) if e.hollow else bg) for e, _ in rows],
        )
        head = f"t = {t_at:,.1f} s".replace(".0 s", " s")
        lines = [head] + [f"{e.name}: {self.fmt(y)}" for e, y in rows]
        notes = [
            self.marker_notes.get(m, m.label) for m in self.markers_shown if abs(m.t - t_at) <= 1.0
        ]
        lines += notes
        html = [f"<b>{head}</b>"]
        for e, y in rows:
            char = _SYMBOL_CHARS.get(e.symbol or "o", ("●", "○"))[1 if e.hollow else 0]
            html.append(
                f"<span style='color:{self.color(e.color)}'>{char}</span> "
                f"{e.name}: <b>{self.fmt(y)}</b>"
            )
        html += [f"<i>{n}</i>" for n in notes]
        self._readout_html = "<br>".join(html)
        self.readout = "\n".join(lines)
        return self.readout


# --- the row of plots -------------------------------------------------------------------


class PlotRow(QWidget):
    """Five plots side by side, in the order of ``NAMES``: the frame PlotPanel (one run)
    and ComparePlots (two) share. Each plot offers exports in its right-click menu; the
    lost plot writes its total large (``make_total``) and the errors plot says when there
    are none; ``show_only`` and ``set_text_scale`` serve presenter mode. Subclasses make
    the plots (``make_plots``) and fill them."""

    #: Stable names, in the order of ``plots``.
    NAMES: tuple[str, ...] = PLOT_NAMES
    #: (plot index, "png" | "svg") from a plot's right-click menu; index -1: all plots
    exportRequested = Signal(int, str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Antialiased lines wider than 1 px cost Qt's raster engine 5-10× more; at 2.5 px the
        # difference is barely visible, and plots must not stutter the animation.
        pg.setConfigOptions(antialias=False)
        self.theme = theme
        self.ink, self.grey = neutral_colors(theme)
        self.plots: tuple[Plot, ...] = tuple(self.make_plots(theme))
        self.lost, self.errors, self.memory, self.latency, self.rps = self.plots
        self.by_name = dict(zip(self.NAMES, self.plots, strict=True))
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 4, 4, 4)
        row.setSpacing(6)
        for k, plot in enumerate(self.plots):
            row.addWidget(plot, 1)
            plot.setMinimumWidth(120)
            # set on the view: a scroll area applies its own policy to its viewport's events
            plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            plot.customContextMenuRequested.connect(
                lambda pos, k=k: self._menu(k, self.plots[k].mapToGlobal(pos))
            )
        self.total = self.make_total()
        self.lost.reserved.append(self.total)
        self.lost.label_band = 0.5  # the top half is kept free (``room``)
        self.lost.vb.sigResized.connect(lambda *_: self._fit_total())
        self.quiet = QGraphicsSimpleTextItem("no failed requests", self.errors.vb)
        self.quiet.setBrush(QColor(theme.muted))
        self.quiet.setPos(8, 6)
        self.errors.reserved.append(self.quiet)
        self.text_scale = 1.0
        self.t_end = 0.0  # the moment the plots end at
        self.updates = 0
        self.lesson: LessonPlot | None = None  # the lesson's own first plot, if any
        self.figure_at: dict[str, int] = {}  # the lesson's figures, by name

    def make_plots(self, theme: Theme) -> Sequence[Plot]:
        """The five plots, in the order of ``NAMES``."""
        raise NotImplementedError

    def set_lesson(self, config: Config) -> None:
        """The first plot shows the run's lesson: sessions lost, or the lesson's own."""
        plot = view_for(config).plot_for(config)
        if plot is self.lesson:
            return
        self.lesson = plot
        figures = lesson_figures(config)
        self.figure_at = {name: k for k, name in enumerate(figures)}
        first = self.lost
        first.title = "Sessions lost" if plot is None else plot.title
        first.set_text_scale(first.text_scale)  # (the title anew)
        self.total.noun = ("session lost", "sessions lost") if plot is None else plot.noun
        self.total.short = "lost" if plot is None else plot.short or plot.noun[1].split()[0]
        self.total._relayout()
        first.clear_data()

    def make_total(self) -> BigNumber:
        """The number written large on the lost plot."""
        return BigNumber(self.lost.vb, self.theme)

    def _menu(self, k: int, where: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Export this plot as PNG…", lambda: self.exportRequested.emit(k, "png"))
        menu.addAction("Export this plot as SVG…", lambda: self.exportRequested.emit(k, "svg"))
        menu.addSeparator()
        menu.addAction("Export all plots as PNG…", lambda: self.exportRequested.emit(-1, "png"))
        menu.popup(where)
        self.last_menu = menu  # kept for tests

    # --- presenting ---------------------------------------------------------------------

    @property
    def total_text(self) -> str:
        """What the lost plot says in large type ("0 sessions lost")."""
        return self.total.text

    def show_only(self, names: Sequence[str] | None) -> None:
        """Show only the plots named (``NAMES``), in their usual order; None: all."""
        wanted = set(self.NAMES if names is None else names)
        unknown = wanted - set(self.NAMES)
        if unknown:
            raise ValueError(f"no plot named {', '.join(sorted(unknown))}; plots: {self.NAMES}")
        for name, plot in self.by_name.items():
            plot.setVisible(name in wanted)

    def shown_names(self) -> list[str]:
        return [name for name, plot in self.by_name.items() if not plot.isHidden()]

    def set_text_scale(self, factor: float) -> None:
        """Every plot text (titles, ticks, axis labels, legends, markers, the big total)
        at ``factor`` × its normal size: presenter mode grows plot text with the canvas."""
        factor = max(0.5, float(factor))
        self.text_scale = factor
        for plot in self.plots:
            plot.set_text_scale(factor)
        self.total.set_scale(factor)
        self.quiet.setFont(font(LABEL_PT * factor))
        self._fit_total()

    def _fit_total(self) -> None:
        vb = self.lost.vb  # the top half of the data area is kept free (``room=2``)
        self.total.fit(vb.width(), 0.5 * vb.height() - 6)
        self.lost.place_labels()

    def clear(self) -> None:
        """Nothing of what was drawn stays."""
        for plot in self.plots:
            plot.clear_data()
        self.total.set_value(0, self.ink)
        self.quiet.show()
