"""Live plots of the last two simulated minutes (pyqtgraph, persistent curves + setData).

Sessions lost by cause with errors/s by code (right axis), memory per server and store,
latency p50/p95, requests per server. Okabe–Ito colours, each series also told apart by
line style or symbol and named in a legend; markers at crashes and setting changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGridLayout, QWidget

from visualizer.sim.events import EventKind, Marker
from visualizer.sim.metrics import ERROR_CODES, LOSS_CAUSES, Sample
from visualizer.ui.theme import (
    BLUE,
    ERROR_COLORS,
    LOSS_COLORS,
    ORANGE,
    Theme,
    server_color,
    server_dashed,
)

WINDOW_S = 120.0
_LOSS_STYLES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
)
_ERROR_SYMBOLS = ("o", "t", "s", "d", "x")
_MARKER_KINDS = {
    EventKind.SERVER_CRASHED,
    EventKind.SERVER_RESTARTED,
    EventKind.STORE_CRASHED,
    EventKind.STORE_RESTORED,
    EventKind.SETTING_CHANGED,
    EventKind.SERVER_ADDED,
    EventKind.SERVER_DRAINING,
}


def _pen(color: str, width: float = 2.5, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = pg.mkPen(QColor(color), width=width)
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


class _Plot(pg.PlotWidget):
    def __init__(self, title: str, y_label: str, theme: Theme) -> None:
        super().__init__(background=theme.plot_bg)
        self.theme = theme
        item = self.getPlotItem()
        item.setTitle(
            f"<span style='font-size:12pt; font-weight:600'>{title}</span>", color=theme.text
        )
        item.setLabel("left", y_label, color=theme.muted)
        item.setLabel("bottom", "simulated time (s)", color=theme.muted)
        item.showGrid(x=True, y=True, alpha=0.25)
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
        self.curves: dict[object, pg.PlotDataItem] = {}

    def curve(self, key: object, name: str, pen: QPen, **kwargs: object) -> pg.PlotDataItem:
        c = self.curves.get(key)
        if c is None:
            c = self.getPlotItem().plot(pen=pen, name=name, **kwargs)
            self.curves[key] = c
        return c

    def set_window(self, t_end: float, y_max: float, floor: float = 1.0) -> None:
        """Show the last ``WINDOW_S`` seconds; y from 0 to a little above the data."""
        lo = max(0.0, t_end - WINDOW_S)
        item = self.getPlotItem()
        item.setXRange(lo, max(lo + 10.0, t_end), padding=0.0)
        item.setYRange(0.0, nice_top(max(y_max, floor)), padding=0.0)

    def set_markers(self, markers: Sequence[Marker], lo: float, labelled: bool) -> None:
        wanted = {(m.t, m.label): m for m in markers if m.t >= lo and m.kind in _MARKER_KINDS}
        for key in list(self._markers):
            if key not in wanted:
                self.getPlotItem().removeItem(self._markers.pop(key))
        for key, m in wanted.items():
            if key in self._markers:
                continue
            crash = m.kind in (EventKind.SERVER_CRASHED, EventKind.STORE_CRASHED)
            color = "#D55E00" if crash else self.theme.muted
            line = pg.InfiniteLine(
                pos=m.t,
                angle=90,
                pen=_pen(color, 1.5, Qt.PenStyle.DashLine),
                label=_short(m.label) if labelled else None,
                labelOpts={"position": 0.97, "color": color, "anchors": [(0, 0), (0, 0)]},
            )
            self.getPlotItem().addItem(line, ignoreBounds=True)
            self._markers[key] = line

    def set_legend_label(self, curve: pg.PlotDataItem, text: str) -> None:
        for sample, label in self.legend.items:
            if sample.item is curve:
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


def _finite_max(*arrays: np.ndarray) -> float:
    vals = [float(np.nanmax(a)) for a in arrays if a.size and np.isfinite(a).any()]
    return max(vals, default=0.0)


def _short(label: str) -> str:
    """Marker text: the event without its details ("server-2 crashed", "store down")."""
    return label.split(":")[0][:24]


class PlotPanel(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=True)
        self.theme = theme
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setSpacing(6)
        self.lost = _Plot("Sessions lost · errors/s", "sessions lost (total)", theme)
        self.memory = _Plot("Session memory", "MB", theme)
        self.latency = _Plot("Latency (rolling 5 s)", "ms", theme)
        self.rps = _Plot("Requests per server", "requests / s", theme)
        self.plots = (self.lost, self.memory, self.latency, self.rps)
        for k, plot in enumerate(self.plots):
            grid.addWidget(plot, 0, k)
        self._init_error_axis()
        self._last_t = -1.0
        self.updates = 0

    def _init_error_axis(self) -> None:
        item = self.lost.getPlotItem()
        self.errors_vb = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.errors_vb)
        item.getAxis("right").linkToView(self.errors_vb)
        item.getAxis("right").setLabel("errors / s", color=self.theme.muted)
        self.errors_vb.setXLink(item)
        self.errors_vb.enableAutoRange(axis="y", enable=False)
        self.errors_vb.setMouseEnabled(x=False, y=False)

        def sync() -> None:
            self.errors_vb.setGeometry(item.vb.sceneBoundingRect())
            self.errors_vb.linkedViewChanged(item.vb, self.errors_vb.XAxis)

        item.vb.sigResized.connect(sync)
        self.error_curves: dict[object, pg.PlotDataItem] = {}

    def _error_curve(self, k: int) -> pg.PlotDataItem:
        code = ERROR_CODES[k]
        c = self.error_curves.get(code)
        if c is None:
            color = ERROR_COLORS[code]
            c = pg.PlotDataItem(
                pen=_pen(color, 1.5, Qt.PenStyle.DashLine),
                symbol=_ERROR_SYMBOLS[k],
                symbolSize=6,
                symbolBrush=color,
                symbolPen=None,
                name=f"{code.value} /s",
            )
            self.errors_vb.addItem(c)
            self.lost.legend.addItem(c, f"{code.value} /s")
            self.error_curves[code] = c
        return c

    # --- data ---------------------------------------------------------------------------

    def clear(self) -> None:
        for plot in self.plots:
            for c in plot.curves.values():
                c.setData([], [])
            plot.set_markers([], 0.0, False)
        for c in self.error_curves.values():
            c.setData([], [])
        self._last_t = -1.0

    def set_samples(
        self, samples: Sequence[Sample], markers: Sequence[Marker], names: dict[int, str]
    ) -> None:
        """Redraw from the per-second samples (only the last ``WINDOW_S`` seconds)."""
        if not samples:
            return
        t_end = samples[-1].t
        if t_end == self._last_t:
            return
        self._last_t = t_end
        self.updates += 1
        recent = [s for s in list(samples)[-int(WINDOW_S) - 1 :]]
        t = np.fromiter((s.t for s in recent), float, len(recent))
        lo = max(0.0, t_end - WINDOW_S)

        lost = np.array([s.lost for s in recent], dtype=float)
        mem_max = rps_max = 0.0
        for k, cause in enumerate(LOSS_CAUSES):
            if lost[:, k].any() or k == 0:
                c = self.lost.curve(
                    ("lost", cause),
                    f"lost: {cause.value}",
                    _pen(LOSS_COLORS[cause], 3.0, _LOSS_STYLES[k]),
                )
                c.setData(t, lost[:, k])
                self.lost.set_legend_label(c, f"lost: {cause.value} ({int(lost[-1, k]):,})")
        errors = np.array([s.errors for s in recent], dtype=float)
        for k, _code in enumerate(ERROR_CODES):
            if errors[:, k].any() or ERROR_CODES[k] in self.error_curves:
                self._error_curve(k).setData(t, errors[:, k])
        self.errors_vb.setYRange(0.0, nice_top(max(float(errors.max()), 5.0)), padding=0.0)

        width = max(len(s.servers) for s in recent)
        for i in range(width):
            name = names.get(i)
            mem = np.array(
                [s.servers[i].memory_mb if i < len(s.servers) else np.nan for s in recent]
            )
            rps = np.array(
                [
                    s.servers[i].served + s.servers[i].failed if i < len(s.servers) else np.nan
                    for s in recent
                ],
                dtype=float,
            )
            style = Qt.PenStyle.DashLine if server_dashed(i) else Qt.PenStyle.SolidLine
            pen = _pen(server_color(i), 2.5, style)
            label = name or f"server-{i + 1}"
            cm = self.memory.curve(("server", i), label, pen)
            cm.setData(t, mem, connect="finite")
            last_mem = mem[-1]
            self.memory.set_legend_label(
                cm, label if math.isnan(last_mem) else f"{label} {last_mem:,.1f}"
            )
            cr = self.rps.curve(("server", i), label, pen)
            cr.setData(t, rps, connect="finite")
            mem_max = max(mem_max, _finite_max(mem))
            rps_max = max(rps_max, _finite_max(rps))
        store = np.array([s.store_memory_mb for s in recent])
        if store.any() or ("store",) in self.memory.curves:
            cs = self.memory.curve(
                ("store",), "store", _pen(self.theme.text, 3.0, Qt.PenStyle.DashDotLine)
            )
            cs.setData(t, store)
            self.memory.set_legend_label(cs, f"store {store[-1]:,.1f}")
            mem_max = max(mem_max, float(store.max()))

        p50 = np.array([s.p50_ms for s in recent])
        p95 = np.array([s.p95_ms for s in recent])
        c50 = self.latency.curve("p50", "p50", _pen(BLUE, 2.5))
        c95 = self.latency.curve("p95", "p95", _pen(ORANGE, 2.5, Qt.PenStyle.DashLine))
        c50.setData(t, p50, connect="finite")
        c95.setData(t, p95, connect="finite")
        for c, arr, name in ((c50, p50, "p50"), (c95, p95, "p95")):
            last = arr[-1]
            self.latency.set_legend_label(c, name if math.isnan(last) else f"{name} {last:,.0f} ms")

        self.lost.set_window(t_end, float(lost.sum(axis=1).max()), 5.0)
        self.memory.set_window(t_end, mem_max)
        self.latency.set_window(t_end, _finite_max(p50, p95), 10.0)
        self.rps.set_window(t_end, rps_max, 5.0)
        for plot in self.plots:
            plot.set_markers(markers, lo, labelled=plot is self.lost)
