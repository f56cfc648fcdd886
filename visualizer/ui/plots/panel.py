"""Live plots of the last two simulated minutes (pyqtgraph, persistent curves + setData).

Five plots, each with one meaning per line: sessions lost by cause (cumulative, the total
written large), failed requests/s by error code, memory per server with the store and
the total, latency p50/p95, and ok requests/s per server with the failed ones apart.
Legends sit below the data; markers at crashes and setting changes carry short labels;
hovering shows each series' value at that time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtWidgets import QWidget

from visualizer.sim.metrics import ERROR_CODES, LOSS_CAUSES, Sample
from visualizer.sim.records import Marker
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.colors import (
    ERROR_COLORS,
    FAILURE,
    LOSS_COLORS,
    Theme,
    server_color,
    server_hollow,
    server_symbol,
)
from visualizer.ui.lesson.views import FigureLine, LessonPlot
from visualizer.ui.plots.parts import Plot
from visualizer.ui.plots.row import PlotRow
from visualizer.ui.plots.style import LINE_WIDTH, WINDOW_S, nice_top

__all__ = ["WINDOW_S", "PlotPanel", "nice_top", "trailing_mean"]

RATE_WINDOW_S = 5  # rates are shown as trailing means over this many seconds
_LOSS_SYMBOLS = ("o", "s", "d", "t")
_ERROR_SYMBOLS = ("o", "t", "s", "d", "x", "+", "p", "h", "star")  # one per ErrorCode


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


def as_drawn(values: np.ndarray, line: FigureLine) -> np.ndarray:
    """A lesson figure's per-second values as its line draws them: a trailing mean for a
    rate, times the line's scale."""
    return (trailing_mean(values) if line.rate else values) * line.scale


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


def _short_name(name: str) -> str:
    return name.removeprefix("server-")


class PlotPanel(PlotRow):
    """The five live plots of one run side by side, in the order of ``NAMES``."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self._table_key: tuple = ()
        self._table: dict[str, np.ndarray] = {}
        self._rows = _RowCache()
        self.shown: Snapshot | None = None
        self.set_text_scale(1.0)

    def make_plots(self, theme: Theme) -> tuple[Plot, ...]:
        count = "{:,.0f}".format
        return (
            Plot("lost", "Sessions lost", theme, count),
            Plot("errors", "Failed requests/s", theme, "{:,.1f}/s".format),
            Plot("memory", "Memory (MB)", theme, "{:,.1f} MB".format),
            Plot("latency", "Latency (ms)", theme, "{:,.0f} ms".format),
            Plot(
                "requests", "Requests/s", theme, "{:,.1f}/s".format, headings=("ok:", "ok, server")
            ),
        )

    # --- data ---------------------------------------------------------------------------

    def clear(self) -> None:
        super().clear()
        self._table_key = ()
        self._rows.clear()

    def set_samples(
        self,
        samples: Sequence[Sample],
        markers: Sequence[Marker],
        names: dict[int, str],
        which: Sequence[int | str] | None = None,
        live: Snapshot | None = None,
    ) -> None:
        """Redraw the plots in ``which`` (indices into ``NAMES`` or names; None: all) from
        the per-second samples of the last ``WINDOW_S`` seconds.

        ``live`` is the snapshot of the moment shown: the levels (sessions lost, memory)
        then end at that instant, as on the canvas, not at the last whole second."""
        if not samples:
            if live is not None and (which is None or 0 in which or "lost" in which):
                self._update_lost_live_only(live)
            return
        recent = list(samples[-int(WINDOW_S) - 1 :])
        t = np.fromiter((s.t for s in recent), float, len(recent))
        if self._table_key != (t[0], t[-1], len(t)):
            self._table_key = (t[0], t[-1], len(t))
            self._table = self._rows.table(recent)
        self.shown = live  # the moment shown (the lesson's number is read from it)
        if live is not None and live.t <= t[-1]:
            live = None  # the samples reach the moment shown already
        # every plot's window ends at the moment shown (the canvas's)
        self.t_end = t_end = float(t[-1]) if live is None else live.t
        lo = max(0.0, t_end - WINDOW_S)
        self.updates += 1
        updaters = (
            self._update_lost,
            self._update_errors,
            self._update_memory,
            self._update_latency,
            self._update_rps,
        )
        indices = range(len(self.plots)) if which is None else which
        for k in indices:
            k = self.NAMES.index(k) if isinstance(k, str) else k
            plot = self.plots[k]
            updaters[k](recent, t, names, live)
            plot.set_markers(markers, lo)
            plot.refresh_readout()

    # --- each plot ----------------------------------------------------------------------

    def _update_lost(
        self, recent: list[Sample], t: np.ndarray, names: dict[int, str], live: Snapshot | None
    ) -> None:
        if self.lesson is not None:
            self._update_lesson(self.lesson, recent, t, live)
            return
        lost = np.array([s.lost for s in recent], dtype=float)
        if live is not None:
            t = np.append(t, live.t)
            lost = np.vstack([lost, np.array(live.lost_by_cause, dtype=float)])
        self._draw_lost(t, lost)

    def _update_lesson(
        self, spec: LessonPlot, recent: list[Sample], t: np.ndarray, live: Snapshot | None
    ) -> None:
        """The lesson's figures as lines, and its number written large (as of ``live``)."""
        plot = self.lost
        ends: list[tuple] = []
        peak = self._figure_lines(plot, spec.lines, recent, t, ends)
        if self.shown is not None:
            total = spec.total(self.shown)
            self.total.set_value(total, FAILURE if spec.bad and total else self.ink)
        plot.set_window(self.t_end, peak, 5.0, room=2.0)
        plot.set_ends(ends)

    def _figure_lines(
        self,
        plot: Plot,
        lines: Sequence[FigureLine],
        recent: list[Sample],
        t: np.ndarray,
        ends: list[tuple],
        order: int = 0,
    ) -> float:
        """A lesson's per-second figures as lines on ``plot`` (a line that never moved
        stays out of the legend, but the first); returns their peak."""
        peak = 0.0
        for k, line in enumerate(lines):
            at = self.figure_at.get(line.figure)
            if at is None:
                continue
            raw = np.array([s.lesson[at] if len(s.lesson) > at else np.nan for s in recent])
            values = as_drawn(raw, line)
            quiet = not np.nan_to_num(values).any()
            if quiet and k > 0 and ("lesson", line.figure) not in plot.curves:
                continue
            c = plot.curve(
                ("lesson", line.figure), line.label, line.color, line.symbol, order=order + k
            )
            c.setData(t, values, connect="finite")
            if values.size and not math.isnan(values[-1]):
                ends.append((t[-1], values[-1], line.symbol, line.color, False))
            peak = max(peak, _finite_max(values))
        return peak

    def show_numbers(self, live: Snapshot) -> None:
        """The number written large, as of ``live`` (the moment every number on screen
        shows: the window sets them together)."""
        self.set_lesson(live.config)
        if self.lesson is not None:
            total = self.lesson.total(live)
            self.total.set_value(total, FAILURE if self.lesson.bad and total else self.ink)
        else:
            total = sum(live.lost_by_cause)
            self.total.set_value(total, FAILURE if total else self.ink)

    def _update_lost_live_only(self, live: Snapshot) -> None:
        if self.lesson is not None:
            self.total.set_value(self.lesson.total(live), self.ink)
            return
        self._draw_lost(np.array([live.t]), np.array([live.lost_by_cause], dtype=float))

    def _draw_lost(self, t: np.ndarray, lost: np.ndarray) -> None:
        plot = self.lost
        ends = []
        for k, cause in enumerate(LOSS_CAUSES):
            if lost[:, k].any() or k == 0 or ("lost", cause) in plot.curves:
                color, symbol = LOSS_COLORS[cause], _LOSS_SYMBOLS[k]
                word = cause.value.replace("_", " ")
                c = plot.curve(("lost", cause), word, color, symbol, width=3.0, order=k)
                c.setData(t, lost[:, k])
                plot.set_name(("lost", cause), f"{word} ({int(lost[-1, k]):,})")
                ends.append((t[-1], lost[-1, k], symbol, color, False))
        total = int(lost[-1].sum())
        self.total.set_value(total, FAILURE if total else self.ink)
        # the top half stays free for the big number and the marker labels
        plot.set_window(float(t[-1]), float(lost.sum(axis=1).max()), 5.0, room=2.0)
        plot.set_ends(ends)

    def _update_errors(
        self, recent: list[Sample], t: np.ndarray, names: dict[int, str], live: Snapshot | None
    ) -> None:
        plot = self.errors
        errors = np.array([s.errors for s in recent], dtype=float)
        errors = np.column_stack([trailing_mean(errors[:, k]) for k in range(errors.shape[1])])
        ends = []
        for k, code in enumerate(ERROR_CODES):
            if errors[:, k].any() or ("error", code) in plot.curves:
                color, symbol = ERROR_COLORS[code], _ERROR_SYMBOLS[k]
                c = plot.curve(("error", code), code.value, color, symbol, order=k)
                c.setData(t, errors[:, k])
                ends.append((t[-1], errors[-1, k], symbol, color, False))
        self.quiet.setVisible(not errors.any())
        plot.set_window(self.t_end, float(errors.max()), 5.0, room=1.2)
        plot.set_ends(ends)

    def _per_server(self, field: str) -> dict[int, np.ndarray]:
        grid = self._table[field]
        return {i: grid[:, i] for i in range(grid.shape[1])}

    def _server_lines(
        self,
        plot: Plot,
        series: dict[int, np.ndarray],
        t: np.ndarray,
        names: dict[int, str],
        ends: list[tuple],
    ) -> float:
        peak = 0.0
        for i, values in series.items():
            label = names.get(i, f"server-{i + 1}")
            symbol, hollow, color = server_symbol(i), server_hollow(i), server_color(i)
            c = plot.curve(
                ("server", i), label, color, symbol, hollow, short=_short_name(label), order=10 + i
            )
            c.setData(t, values, connect="finite")
            last = values[-1]
            if not math.isnan(last):
                ends.append((t[-1], last, symbol, color, hollow))
            peak = max(peak, _finite_max(values))
        return peak

    def _update_memory(
        self, recent: list[Sample], t: np.ndarray, names: dict[int, str], live: Snapshot | None
    ) -> None:
        plot = self.memory
        if self.second is not None:  # the lesson's plot in memory's place
            ends: list[tuple] = []
            peak = self._figure_lines(plot, self.second.lines, recent, t, ends)
            plot.set_ends(ends)
            plot.set_window(self.t_end, peak, 5.0, room=1.15)
            return
        grid = self._table["memory_mb"]
        store = np.array([s.store_memory_mb for s in recent])
        if live is not None:  # end at the moment shown: a crash empties its server at once
            row = np.full((1, grid.shape[1]), np.nan)
            for v in live.servers:
                if v.index < grid.shape[1]:
                    row[0, v.index] = v.memory_mb
            grid = np.vstack([grid, row])
            store = np.append(store, live.store.memory_mb)
            t = np.append(t, live.t)
        total = np.nansum(grid, axis=1) + store
        ends: list[tuple] = []
        series = {i: grid[:, i] for i in range(grid.shape[1])}
        peak = self._server_lines(plot, series, t, names, ends)
        # total first in the legend, drawn under the others: in shared mode it equals the
        # store, whose thinner line then shows inside it
        ct = plot.curve(("total",), "total", self.ink, "+", width=4.5, order=0)
        ct.setZValue(-1)
        ct.setData(t, total)
        ends.append((t[-1], total[-1], "+", self.ink, False))
        if store.any() or ("store",) in plot.curves:
            cs = plot.curve(("store",), "store", self.grey, "s", width=2.5, order=1)
            cs.setData(t, store)
            ends.append((t[-1], store[-1], "s", self.grey, False))
        plot.set_ends(ends)
        plot.set_name(("total",), f"total {total[-1]:,.0f} MB")
        plot.set_window(self.t_end, max(peak, float(total.max())), room=1.15)

    def _update_latency(
        self, recent: list[Sample], t: np.ndarray, names: dict[int, str], live: Snapshot | None
    ) -> None:
        plot = self.latency
        p50 = np.array([s.p50_ms for s in recent])
        p95 = np.array([s.p95_ms for s in recent])
        c50 = plot.curve("p50", "p50 (median)", self.ink, "o", order=0)
        c95 = plot.curve("p95", "p95", self.grey, "t1", order=1)
        c50.setData(t, p50, connect="finite")
        c95.setData(t, p95, connect="finite")
        ends = []
        for arr, symbol, color in ((p50, "o", self.ink), (p95, "t1", self.grey)):
            if not math.isnan(arr[-1]):
                ends.append((t[-1], arr[-1], symbol, color, False))
        peak = self._figure_lines(plot, self.latency_lines, recent, t, ends, order=2)
        plot.set_ends(ends)
        plot.set_window(self.t_end, max(_finite_max(p50, p95), peak), 10.0, room=1.15)

    def _update_rps(
        self, recent: list[Sample], t: np.ndarray, names: dict[int, str], live: Snapshot | None
    ) -> None:
        """Ok requests per server; failed requests (all servers) as one red line."""
        plot = self.rps
        served = self._per_server("served")
        series = {i: trailing_mean(values) for i, values in served.items()}
        ends: list[tuple] = []
        peak = self._server_lines(plot, series, t, names, ends)
        failed = trailing_mean(np.array([s.failed for s in recent], dtype=float))
        cf = plot.curve(("failed",), "failed (all)", FAILURE, "x", width=LINE_WIDTH, order=0)
        cf.setData(t, failed)
        cf.setZValue(5)
        ends.append((t[-1], failed[-1], "x", FAILURE, False))
        plot.set_ends(ends)
        plot.set_window(self.t_end, max(peak, float(failed.max())), 5.0, room=1.15)
