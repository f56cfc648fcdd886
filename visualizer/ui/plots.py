"""Live plots of the last two simulated minutes (pyqtgraph, persistent curves + setData).

Sessions lost by cause with errors/s by code (right axis), memory per server and store,
latency p50/p95, requests per server. Okabe–Ito colours, each series also told apart by
line style or symbol and named in a legend; markers at crashes and setting changes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGridLayout, QMenu, QWidget

from visualizer.sim.metrics import ERROR_CODES, LOSS_CAUSES, Sample
from visualizer.sim.records import EventKind, Marker
from visualizer.ui.theme import (
    ERROR_COLORS,
    FAILURE,
    LOSS_COLORS,
    Theme,
    server_color,
    server_hollow,
    server_symbol,
)

WINDOW_S = 120.0
X_STEP_S = 10.0  # the visible window advances in steps this long
LINE_WIDTH = 2.5
RATE_WINDOW_S = 5  # rates are shown as trailing means over this many seconds
_LOSS_SYMBOLS = ("o", "s", "d", "t")
_ERROR_SYMBOLS = ("o", "t", "s", "d", "x", "+")
_MARKER_KINDS = {
    EventKind.SERVER_CRASHED,
    EventKind.SERVER_RESTARTED,
    EventKind.STORE_CRASHED,
    EventKind.STORE_RESTORED,
    EventKind.SETTING_CHANGED,
    EventKind.SERVER_ADDED,
    EventKind.SERVER_DRAINING,
}


def _pen(color: str, width: float = LINE_WIDTH, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """Solid data lines: Qt strokes dashed, thick, antialiased pens very slowly."""
    pen = pg.mkPen(QColor(color), width=width)
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


@functools.cache
def _brush(color: str) -> QBrush:
    return pg.mkBrush(color)


@functools.cache
def _end_pen(color: str) -> QPen:
    return pg.mkPen(color, width=2)


class _Plot(pg.PlotWidget):
    def __init__(self, title: str, y_label: str, theme: Theme) -> None:
        super().__init__(background=theme.plot_bg)
        self.theme = theme
        item = self.getPlotItem()
        item.setTitle(
            f"<span style='font-size:12pt; font-weight:600'>{title}</span>", color=theme.text
        )
        if y_label:
            item.setLabel("left", y_label, color=theme.muted)
        item.setLabel("bottom", "time (s)", color=theme.muted)
        # no grid: pyqtgraph draws it with the axes, and it doubled the cost of a repaint
        # at most 121 points per series: no downsampling or clipping (clipping against a
        # moving x-range left gaps in the lines)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.enableAutoRange(axis="y", enable=False)
        for name in ("left", "bottom", "right"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(theme.muted))
            axis.setTextPen(pg.mkPen(theme.text))
            f = QFont()
            f.setPointSizeF(9.5)
            axis.setStyle(tickFont=f)
        self.legend = item.addLegend(offset=(6, 4), labelTextColor=theme.text, labelTextSize="9pt")
        legend_bg = QColor(theme.plot_bg)
        legend_bg.setAlpha(150)  # lines stay visible behind the legend
        self.legend.setBrush(pg.mkBrush(legend_bg))
        self._markers: dict[tuple[float, str], pg.InfiniteLine] = {}
        self._range: tuple[float, ...] = ()
        self.curves: dict[object, pg.PlotDataItem] = {}
        self._proxies: dict[object, pg.PlotDataItem] = {}  # legend entries with a symbol
        # a symbol at each line's latest value: series differ by shape, not colour alone
        self.ends = pg.ScatterPlotItem(size=10, pen=pg.mkPen(theme.plot_bg, width=1.5))
        self.ends.setZValue(10)
        item.addItem(self.ends)

    def curve(
        self, key: object, name: str, pen: QPen, symbol: str | None = None, hollow: bool = False
    ) -> pg.PlotDataItem:
        """A persistent line; with ``symbol`` its legend entry shows line and symbol (the
        symbol itself is drawn only at the line's end, by ``set_ends``)."""
        c = self.curves.get(key)
        if c is None:
            c = self.getPlotItem().plot(pen=pen)
            if symbol is None:
                self.legend.addItem(c, name)
            else:
                color = pen.color()
                proxy = pg.PlotDataItem(
                    pen=pen,
                    symbol=symbol,
                    symbolSize=10,
                    symbolPen=pg.mkPen(color, width=2) if hollow else None,
                    symbolBrush=None if hollow else pg.mkBrush(color),
                )
                self.legend.addItem(proxy, name)
                self._proxies[key] = proxy
            self.curves[key] = c
            # many series (up to 16 servers + store): a legend of several short columns
            self.legend.setColumnCount(max(1, -(-len(self.legend.items) // 6)))
        return c

    def set_window(self, t_end: float, y_max: float, floor: float = 1.0) -> None:
        """Show (at least) the last ``WINDOW_S`` seconds; y from 0 to above the data.

        The x-range moves in steps of ``X_STEP_S``, not every second: an unchanged range
        keeps pyqtgraph from re-laying out the axes, which halves the cost of an update.
        """
        hi = max(X_STEP_S, math.ceil(t_end / X_STEP_S) * X_STEP_S)
        lo = max(0.0, hi - WINDOW_S - X_STEP_S)
        y = (0.0, nice_top(max(y_max, floor)))
        if (lo, hi, *y) != self._range:
            self._range = (lo, hi, *y)
            item = self.getPlotItem()
            item.setRange(xRange=(lo, hi), yRange=y, padding=0.0)

    def set_markers(self, markers: Sequence[Marker], lo: float, labelled: bool) -> None:
        wanted = [m for m in markers if m.t >= lo and m.kind in _MARKER_KINDS]
        keys = {(m.t, m.label) for m in wanted}
        for key in list(self._markers):
            if key not in keys:
                self.getPlotItem().removeItem(self._markers.pop(key))
        for k, m in enumerate(wanted):
            key = (m.t, m.label)
            if key in self._markers:
                continue
            crash = m.kind in (EventKind.SERVER_CRASHED, EventKind.STORE_CRASHED)
            color = FAILURE if crash else self.theme.muted
            line = pg.InfiniteLine(
                pos=m.t,
                angle=90,
                pen=_pen(color, 1.0, Qt.PenStyle.DashLine),  # thin: dashes are cheap at 1 px
                label=_short(m) if labelled else None,  # None: no label
                # staggered heights so neighbouring labels do not overprint
                labelOpts={
                    "position": (0.96, 0.86, 0.76)[k % 3],
                    "color": color,
                    "anchors": [(0, 0.5), (0, 0.5)],
                },
            )
            self.getPlotItem().addItem(line, ignoreBounds=True)
            self._markers[key] = line
        self._place_labels(lo)

    def _place_labels(self, lo: float) -> None:
        """Labels sit right of their line, or left of it near the right edge (not clipped)."""
        for (t, _), line in self._markers.items():
            label = getattr(line, "label", None)  # unlabelled lines have no attribute
            if label is None:
                continue
            side = (1, 0.5) if t - lo > 0.62 * WINDOW_S or self._short_window(t, lo) else (0, 0.5)
            if label.anchors[0] != side:
                label.anchors = [side, side]
                label.updatePosition()

    def _short_window(self, t: float, lo: float) -> bool:
        """Early in a run the visible window is shorter than WINDOW_S."""
        hi = self.getPlotItem().viewRange()[0][1]
        return hi - lo < WINDOW_S and t - lo > 0.62 * (hi - lo)

    def set_ends(self, ends: list[tuple]) -> None:
        """(x, y, symbol, colour, hollow) per series: the latest point of each line."""
        self.ends.setData(
            [e[0] for e in ends],
            [e[1] for e in ends],
            symbol=[e[2] for e in ends],
            brush=[_brush(self.theme.plot_bg if e[4] else e[3]) for e in ends],
            pen=[_end_pen(e[3] if e[4] else self.theme.plot_bg) for e in ends],
        )

    def set_legend_label(self, curve: pg.PlotDataItem, text: str) -> None:
        key = next((k for k, c in self.curves.items() if c is curve), None)
        item = self._proxies.get(key, curve)
        for sample, label in self.legend.items:
            if sample.item is item:
                if label.text != text:
                    label.setText(text)
                return


def nice_top(value: float) -> float:
    """A round axis top at least 10% above ``value`` (1-2-5 steps)."""
    target = value * 1.1
    exp = 10 ** math.floor(math.log10(target))
    for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0):
        if m * exp >= target:
            return m * exp
    return 10 * exp


def trailing_mean(values: np.ndarray, window: int = RATE_WINDOW_S) -> np.ndarray:
    """Mean of the last ``window`` values at each point (fewer at the start; NaN-aware).

    Per-second counts jump around; averaged they read at a glance (and thick antialiased
    lines through jagged data are very slow to draw)."""
    finite = np.isfinite(values)
    filled = np.where(finite, values, 0.0)
    sums = np.cumsum(filled)
    counts = np.cumsum(finite)
    sums[window:] = sums[window:] - sums[:-window]
    counts[window:] = counts[window:] - counts[:-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums / counts
    out[~finite] = np.nan
    return out


_TABLE_FIELDS = ("memory_mb", "served", "failed")


class _RowCache:
    """Per-server fields of each sample, read once (a new second adds one row)."""

    def __init__(self) -> None:
        self._rows: dict[float, tuple[tuple[float, ...], ...]] = {}

    def table(self, recent: Sequence[Sample]) -> dict[str, np.ndarray]:
        """Per-server fields as (seconds × server slots) arrays, NaN where absent."""
        rows = []
        for sample in recent:
            row = self._rows.get(sample.t)
            if row is None:
                row = tuple(
                    tuple(getattr(x, field) for x in sample.servers) for field in _TABLE_FIELDS
                )
                self._rows[sample.t] = row
            rows.append(row)
        if len(self._rows) > 4 * len(recent):  # forget seconds that left the window
            keep = {s.t for s in recent}
            self._rows = {t: r for t, r in self._rows.items() if t in keep}
        width = max(len(s.servers) for s in recent)
        table = {}
        for k, field in enumerate(_TABLE_FIELDS):
            grid = np.full((len(recent), width), np.nan)
            for i, row in enumerate(rows):
                grid[i, : len(row[k])] = row[k]
            table[field] = grid
        return table

    def clear(self) -> None:
        self._rows.clear()


def _finite_max(*arrays: np.ndarray) -> float:
    vals = [float(np.nanmax(a)) for a in arrays if a.size and np.isfinite(a).any()]
    return max(vals, default=0.0)


def _short(marker: Marker) -> str | None:
    """Crashes get a short label ("✖ server-2", "✖ store"); other markers are plain lines,
    so neighbouring labels never overprint each other."""
    if marker.kind is EventKind.SERVER_CRASHED:
        return "✖ " + marker.label.split(" ")[0]
    if marker.kind is EventKind.STORE_CRASHED:
        return "✖ store"
    return None


class PlotPanel(QWidget):
    #: (plot index, "png" | "svg") from a plot's right-click menu; index -1: all plots
    exportRequested = Signal(int, str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Antialiased lines wider than 1 px cost Qt's raster engine 5-10× more; at 2.5 px the
        # difference is barely visible, and plots must not stutter the animation.
        pg.setConfigOptions(antialias=False)
        self.theme = theme
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setSpacing(6)
        self.lost = _Plot("Sessions lost", "total", theme)
        self.memory = _Plot("Memory (MB)", "", theme)
        self.latency = _Plot("Latency (ms)", "", theme)
        self.rps = _Plot("Requests/s", "", theme)
        self.plots = (self.lost, self.memory, self.latency, self.rps)
        for k, plot in enumerate(self.plots):
            grid.addWidget(plot, 0, k)
            # set on the view: a scroll area applies its own policy to its viewport's events
            plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            plot.customContextMenuRequested.connect(
                lambda pos, k=k: self._menu(k, self.plots[k].mapToGlobal(pos))
            )
        self._init_error_axis()
        self.updates = 0
        self._table_key: tuple = ()
        self._table: dict[str, np.ndarray] = {}
        self._rows = _RowCache()

    def _menu(self, k: int, where: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Export this plot as PNG…", lambda: self.exportRequested.emit(k, "png"))
        menu.addAction("Export this plot as SVG…", lambda: self.exportRequested.emit(k, "svg"))
        menu.addSeparator()
        menu.addAction("Export all plots as PNG…", lambda: self.exportRequested.emit(-1, "png"))
        menu.popup(where)
        self.last_menu = menu  # kept for tests

    def _init_error_axis(self) -> None:
        item = self.lost.getPlotItem()
        self.errors_vb = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.errors_vb)
        item.getAxis("right").linkToView(self.errors_vb)
        item.getAxis("right").setLabel("errors/s", color=self.theme.muted)
        self.errors_vb.setXLink(item)
        self.errors_vb.enableAutoRange(axis="y", enable=False)
        self.errors_vb.setMouseEnabled(x=False, y=False)

        def sync() -> None:
            self.errors_vb.setGeometry(item.vb.sceneBoundingRect())
            self.errors_vb.linkedViewChanged(item.vb, self.errors_vb.XAxis)

        item.vb.sigResized.connect(sync)
        self.error_curves: dict[object, pg.PlotDataItem] = {}
        self._error_ends = pg.ScatterPlotItem(size=9, pen=pg.mkPen(self.theme.plot_bg))
        self.errors_vb.addItem(self._error_ends)

    def _error_curve(self, k: int) -> pg.PlotDataItem:
        code = ERROR_CODES[k]
        c = self.error_curves.get(code)
        if c is None:
            color = ERROR_COLORS[code]
            c = pg.PlotDataItem(pen=_pen(color, 1.5))
            self.errors_vb.addItem(c)
            proxy = pg.PlotDataItem(
                pen=_pen(color, 1.5), symbol=_ERROR_SYMBOLS[k], symbolSize=9, symbolBrush=color
            )
            self.lost.legend.addItem(proxy, f"{code.value} /s")
            self.error_curves[code] = c
        return c

    # --- data ---------------------------------------------------------------------------

    def clear(self) -> None:
        for plot in self.plots:
            for c in plot.curves.values():
                c.setData([], [])
            plot.set_markers([], 0.0, False)
            plot.set_ends([])
            plot._range = ()
        self._error_ends.setData([], [])
        for c in self.error_curves.values():
            c.setData([], [])
        self._table_key = ()
        self._rows.clear()

    def set_samples(
        self,
        samples: Sequence[Sample],
        markers: Sequence[Marker],
        names: dict[int, str],
        which: Sequence[int] = (0, 1, 2, 3),
    ) -> None:
        """Redraw the plots numbered in ``which`` (0 lost, 1 memory, 2 latency, 3 requests)
        from the per-second samples of the last ``WINDOW_S`` seconds."""
        if not samples:
            return
        recent = list(samples[-int(WINDOW_S) - 1 :])
        t = np.fromiter((s.t for s in recent), float, len(recent))
        if self._table_key != (t[0], t[-1], len(t)):
            self._table_key = (t[0], t[-1], len(t))
            self._table = self._rows.table(recent)
        lo = max(0.0, float(t[-1]) - WINDOW_S)
        self.updates += 1
        updaters = (self._update_lost, self._update_memory, self._update_latency, self._update_rps)
        for k in which:
            updaters[k](recent, t, names)
            self.plots[k].set_markers(markers, lo, labelled=k == 0)

    def _update_lost(self, recent: list[Sample], t: np.ndarray, names: dict[int, str]) -> None:
        lost = np.array([s.lost for s in recent], dtype=float)
        ends = []
        for k, cause in enumerate(LOSS_CAUSES):
            if lost[:, k].any() or k == 0:
                color = LOSS_COLORS[cause]
                symbol = _LOSS_SYMBOLS[k]
                name = f"lost: {cause.value}"
                c = self.lost.curve(("lost", cause), name, _pen(color, 3.0), symbol)
                c.setData(t, lost[:, k])
                self.lost.set_legend_label(c, f"lost: {cause.value} ({int(lost[-1, k]):,})")
                ends.append((t[-1], lost[-1, k], symbol, color, False))
        error_ends = []
        errors = np.array([s.errors for s in recent], dtype=float)
        errors = np.column_stack([trailing_mean(errors[:, k]) for k in range(errors.shape[1])])
        for k, code in enumerate(ERROR_CODES):
            if errors[:, k].any() or code in self.error_curves:
                self._error_curve(k).setData(t, errors[:, k])
                error_ends.append((t[-1], errors[-1, k], _ERROR_SYMBOLS[k], ERROR_COLORS[code]))
        self.errors_vb.setYRange(0.0, nice_top(max(float(errors.max()), 5.0)), padding=0.0)
        self.lost.set_window(float(t[-1]), float(lost.sum(axis=1).max()), 5.0)
        self.lost.set_ends(ends)
        self._error_ends.setData(
            [e[0] for e in error_ends],
            [e[1] for e in error_ends],
            symbol=[e[2] for e in error_ends],
            brush=[_brush(e[3]) for e in error_ends],
        )

    def _per_server(self, field: str) -> dict[int, np.ndarray]:
        grid = self._table[field]
        return {i: grid[:, i] for i in range(grid.shape[1])}

    def _server_lines(
        self, plot: _Plot, series: dict[int, np.ndarray], t: np.ndarray, names: dict[int, str]
    ) -> float:
        peak = 0.0
        ends = []
        for i, values in series.items():
            label = names.get(i, f"server-{i + 1}")
            symbol, hollow = server_symbol(i), server_hollow(i)
            c = plot.curve(("server", i), label, _pen(server_color(i)), symbol, hollow)
            c.setData(t, values, connect="finite")
            last = values[-1]
            if not math.isnan(last):
                ends.append((t[-1], last, symbol, server_color(i), hollow))
            peak = max(peak, _finite_max(values))
        plot.set_ends(ends)
        return peak

    def _update_memory(self, recent: list[Sample], t: np.ndarray, names: dict[int, str]) -> None:
        series = self._per_server("memory_mb")
        peak = self._server_lines(self.memory, series, t, names)
        store = np.array([s.store_memory_mb for s in recent])
        if store.any() or ("store",) in self.memory.curves:
            cs = self.memory.curve(("store",), "store", _pen(self.theme.text, 3.5))
            cs.setData(t, store)
            self.memory.ends.addPoints(
                [t[-1]], [store[-1]], symbol="s", brush=_brush(self.theme.text)
            )
            peak = max(peak, float(store.max()))
        self.memory.set_window(float(t[-1]), peak)

    def _update_latency(self, recent: list[Sample], t: np.ndarray, names: dict[int, str]) -> None:
        p50 = np.array([s.p50_ms for s in recent])
        p95 = np.array([s.p95_ms for s in recent])
        p50_color, p95_color = self.theme.text, self.theme.muted  # not a server's colours
        c50 = self.latency.curve("p50", "p50 (median)", _pen(p50_color), "o")
        c95 = self.latency.curve("p95", "p95", _pen(p95_color), "t1")
        c50.setData(t, p50, connect="finite")
        c95.setData(t, p95, connect="finite")
        ends = []
        for arr, symbol, color in ((p50, "o", p50_color), (p95, "t1", p95_color)):
            if not math.isnan(arr[-1]):
                ends.append((t[-1], arr[-1], symbol, color, False))
        self.latency.set_ends(ends)
        self.latency.set_window(float(t[-1]), _finite_max(p50, p95), 10.0)

    def _update_rps(self, recent: list[Sample], t: np.ndarray, names: dict[int, str]) -> None:
        served = self._per_server("served")
        failed = self._per_server("failed")
        series = {i: trailing_mean(served[i] + failed[i]) for i in served}
        peak = self._server_lines(self.rps, series, t, names)
        self.rps.set_window(float(t[-1]), peak, 5.0)
