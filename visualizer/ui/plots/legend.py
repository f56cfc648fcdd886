"""A plot's legend (below or beside the data, never over a line) and the number a
plot writes large ("262 sessions lost")."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPicture
from PySide6.QtWidgets import (
    QGraphicsItem,
    QSizePolicy,
)

from visualizer.ui.canvas.painted import draw_text_at, is_recording
from visualizer.ui.colors import Theme
from visualizer.ui.plots.style import (
    BIG_PT,
    LABEL_PT,
    LEGEND_PT,
    LINE_WIDTH,
    display_color,
    font,
    make_pen,
)

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


def _wrapped(text: str, fm: QFontMetricsF, room: float) -> list[str]:
    """``text`` in lines of whole words no wider than ``room`` (a word wider than it is
    cut short with an ellipsis)."""
    lines: list[str] = []
    for word in text.split(" "):
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and fm.horizontalAdvance(trial) <= room:
            lines[-1] = trial
        else:
            lines.append(word)
    return [
        fm.elidedText(line, Qt.TextElideMode.ElideRight, room)
        if fm.horizontalAdvance(line) > room
        else line
        for line in lines
    ]


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
        #: called when entries come or go (their rows change what fits the plot)
        self.entries_changed: Callable[[], None] = lambda: None
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
        self.entries_changed()

    def clear(self) -> None:
        if self.entries:
            self.entries.clear()
            self.relayout()
            self.entries_changed()

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
                more: list[str] = []
                if fm.horizontalAdvance(text) > room:
                    # words go on under it (the words that differ between A and B are
                    # often the last); a word wider than the room: "SESSION_LO…"
                    text, *more = _wrapped(text, fm, max(room, 10.0))
                w = sample + fm.horizontalAdvance(text)
                new_row = breaks and entry is not None and entry.row_start
                if x > self.PAD and (x + w > width - self.PAD or new_row):
                    x, y = self.PAD, y + row_h
                placed.append((x, y, entry, text))
                for line in more:  # under the first line, after the sample
                    y += row_h
                    going_on = None if entry is None else replace(entry, symbol=None)
                    placed.append((x + sample, y, going_on, line))
                    w = sample + fm.horizontalAdvance(line)
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

    def _lay_out(self, width: float, max_height: float) -> tuple[list, float]:
        """Entries placed at ``width`` (``self.level`` left at the level chosen)."""
        shortened = any(e.short is not None for e in self.entries)
        levels = (self.FULL, self.NUMBERS, self.SHAPES) if shortened else (self.FULL,)
        budget = max(max_height, 2.5 * self._row_h())
        for level in levels:
            self.level = level
            placed, height = self._flow(width, breaks=False)
            if height > self._row_h():  # more than one row: pairs of entries kept together
                placed, height = self._flow(width)
            limit = min(budget, 2.5 * self._row_h()) if level == self.FULL else budget
            if height <= limit:
                break
        return placed, height

    def height_at(self, width: float, max_height: float) -> float:
        """The height the legend would take at ``width`` (and that budget), as laid out
        by ``relayout``; nothing changes."""
        level = self.level
        placed, height = self._lay_out(width, max_height)
        self.level = level
        return math.ceil(height + (2.0 if placed else 0.0))

    def relayout(self) -> None:
        width = self.size().width()
        if width < 60:  # not laid out yet: a plausible width until the layout gives one
            width = 220.0
        self._width = width
        placed, height = self._lay_out(width, self.max_height)
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
        if is_recording():  # (a layout check: drawn live, in the view's pixels)
            self._draw(painter)
            return
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
            draw_text_at(p, QPointF(x + sample, y + (row_h + fm.ascent() - fm.descent()) / 2), text)


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
        draw_text_at(p, at, self.number_text())

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
        (the title says the rest); at half size, one line whatever the room, the number
        alone if ``short`` would be cut."""
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
            if smallest and wn + 6 + fs.horizontalAdvance(short) > self.room:
                short = ""  # the number alone rather than a word cut at the edge
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
        draw_text_at(p, at_caption, caption)
