"""One live plot: persistent lines with a symbol at each end, its legend below or beside
the data (never over a line), marker lines whose labels never overprint, and a hover
readout. (Its looks are in ``plot_style``, its legend in ``plot_legend``, the row of
plots in ``plot_row``.)

Everything here is drawn by pyqtgraph on a ``PlotWidget``, so exports (PNG and SVG) show
what the window shows. Text sizes are points at scale 1.0 and grow with ``set_text_scale``.
"""

from __future__ import annotations

import bisect
import html
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSimpleTextItem,
    QToolTip,
)

from visualizer.sim.records import Marker
from visualizer.ui.colors import FAILURE, Theme
from visualizer.ui.plots.legend import (
    Legend,
    LegendEntry,
)
from visualizer.ui.plots.style import (
    _CRASHES,
    _RESIZES,
    _SYMBOL_CHARS,
    AXIS_LABEL_MIN_H,
    LABEL_PT,
    LEGEND_BESIDE_RATIO,
    LEGEND_BESIDE_SHARE,
    LEGEND_PT,
    LINE_WIDTH,
    MARKER_KINDS,
    MARKER_PT,
    QWIDGETSIZE_MAX,
    TICK_PT,
    TITLE_PT,
    WINDOW_S,
    X_STEP_S,
    brush,
    display_color,
    end_pen,
    font,
    make_pen,
    marker_label,
    nice_top,
)

#: What a plot's height holds besides its title, time axis, legend and data (the plot
#: item's margins and spacing), in pixels.
PLOT_FRAME_H = 2

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
        self.set_window(0.0, 0.0)  # fresh axes: a new run's plot starts at 0 s, 0 to 1

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
        resized = {m.t for m in recent if any(k == "servers.count" for k, _ in m.changes)}
        wanted: dict[tuple[float, str], tuple[Marker, str]] = {}
        for k, m in enumerate(recent):
            if m.kind not in MARKER_KINDS:
                continue
            if m.kind in _RESIZES and m.t in resized:
                continue  # "servers 6" says it: no "+ server-5", "+ server-6" as well
            previous = None
            if dict(m.changes).get("state.mode") == "local":  # back from the store or tokens?
                before = (
                    dict(p.changes)["state.mode"]
                    for p in reversed(markers[: start + k])
                    if any(key == "state.mode" for key, _ in p.changes)
                )
                previous = next(before, None)
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

    def _title_lines(self, width: float) -> tuple[float, list[str]]:
        """The title's size and lines for a plot ``width`` wide: one line, smaller (down
        to 70%) if the plot is too narrow for it; else two lines, broken at the space
        that makes them most even ("Polls, reconnects" / "and connections"), as large as
        fit; shortened with "…" only if even that is too wide. A title never makes the
        plot wider than its place, and is never cut off at an edge."""
        room = max(20.0, width - 16.0)  # label margins
        top = TITLE_PT * self.text_scale
        words = self.title.split(" ")
        halves = [[" ".join(words[:i]), " ".join(words[i:])] for i in range(1, len(words))]
        split = min(
            halves,
            key=lambda h: max(QFontMetricsF(font(top, True)).horizontalAdvance(x) for x in h),
            default=[self.title],
        )
        for lines in ([self.title], split):
            points = top
            while points >= 0.7 * top:
                metrics = QFontMetricsF(font(points, True))
                if all(metrics.horizontalAdvance(line) <= room for line in lines):
                    return points, lines
                points -= 0.5
        points = 0.7 * top
        metrics = QFontMetricsF(font(points, True))
        return points, [metrics.elidedText(x, Qt.TextElideMode.ElideRight, room) for x in split]

    def _title_height(self, points: float, lines: int) -> int:
        """The title row's height: a line and a third; two lines and their text box's
        margins (4 px above and below)."""
        height = QFontMetricsF(font(points, True)).height() * (lines + 0.35)
        return math.ceil(height + (8.0 if lines > 1 else 0.0))

    def _fit_title(self, width: float | None = None) -> None:
        """The title as ``_title_lines`` lays it out for the plot's width."""
        points, lines = self._title_lines(self.width() if width is None else width)
        text = "\n".join(lines)
        if (points, text) == self._title_shown:
            return
        self._title_shown = (points, text)
        item = self.getPlotItem()
        shown = "<br>".join(html.escape(line) for line in lines)
        if len(lines) > 1:  # (each line centred)
            shown = f"<div align='center'>{shown}</div>"
        item.setTitle(shown, color=self.theme.text, size=f"{points:.1f}pt", bold=True)
        item.titleLabel.setToolTip(self.title if "…" in text else "")
        item.titleLabel.setMinimumWidth(0)  # the label would make the plot as wide as it
        title_h = self._title_height(points, len(lines))
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

    def data_height_at(self, width: float, height: float) -> float:
        """The data area's height were the plot ``width`` × ``height``: less the title,
        the time axis and the legend below (none beside: a wide, short plot)."""
        points, lines = self._title_lines(width)
        title = self._title_height(points, len(lines))
        axis = self.getPlotItem().getAxis("bottom")
        ticks = axis.minimumHeight()
        if height >= AXIS_LABEL_MIN_H * self.text_scale and not axis.label.isVisible():
            ticks += axis.label.boundingRect().height()  # ("time (s)" shows at this height)
        beside = width >= LEGEND_BESIDE_RATIO * height
        legend = 0.0 if beside else self.legend.height_at(width, height / 3)
        return height - title - ticks - legend - PLOT_FRAME_H

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
