"""Compare mode's plots: runs A and B overlaid, on one clock, one line per side.

The same five plots as for one run, each showing a side's total (two fleets of
per-server lines would be unreadable): sessions lost (cumulative, both numbers written
large), failed requests/s, memory (servers and store), latency p50 and p95, and ok
requests/s. A is solid with filled circles, B dashed with hollow squares, so the sides
differ by more than colour; each legend names the sides by what differs in their
titles. Failure lines keep the one red (B's a lighter shade of it); the others are the
neutral ink (A) and grey (B), never red. A marker both sides share shows once; one only
a side has is labelled with that side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from visualizer.app.compare import CompareTitle
from visualizer.sim.metrics import Sample
from visualizer.sim.records import Marker
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.canvas.painted import draw_text_at
from visualizer.ui.colors import FAILURE, Theme
from visualizer.ui.lesson.views import FigureLine, LessonPlot
from visualizer.ui.plots.legend import BigNumber
from visualizer.ui.plots.panel import as_drawn, trailing_mean
from visualizer.ui.plots.parts import Plot
from visualizer.ui.plots.row import PlotRow
from visualizer.ui.plots.style import DASHES, LINE_WIDTH, WINDOW_S, display_color, marker_label

__all__ = ["ComparePlots", "MergedMarkers", "PairNumber", "legend_titles", "merge_markers"]

#: Side letter → (dash pattern, end symbol, hollow): A solid ●, B dashed □.
_LOOKS = {"A": ((), "o", False), "B": (DASHES, "s", True)}
_P95_WIDTH = 1.5  # p95 drawn thinner than p50


def lighter(color: str, amount: float = 0.3) -> str:
    """``color`` mixed with white: side B's shade of A's colour (where the lines lie on
    each other, B's dashes show on A's line)."""
    c = QColor(color)
    mix = [round(v + (255 - v) * amount) for v in (c.red(), c.green(), c.blue())]
    return QColor(*mix).name().upper()


#: Side B's failure lines: a lighter shade of the one red (and dashed).
FAILURE_B = lighter(FAILURE)


@dataclass(frozen=True)
class MergedMarkers:
    """Both sides' markers for the plots: ``markers`` in time order, a moment both sides
    have once; ``sides`` the side ("A" or "B") of each marker only one has; ``notes``
    what the hover readout says of a marker whose details differ between the sides."""

    markers: list[Marker]
    sides: dict[Marker, str]
    notes: dict[Marker, str]


def _same_moment(m: Marker) -> tuple:
    """What makes two sides' markers one: the time, the kind, the server and the words
    the plot writes ("✖ server-2"); not the details ("262 sessions lost" or "0")."""
    return (m.t, m.kind, m.server, marker_label(m))


def merge_markers(a: Sequence[Marker], b: Sequence[Marker]) -> MergedMarkers:
    """A's and B's markers as the plots show them (see ``MergedMarkers``)."""
    waiting: dict[tuple, list[Marker]] = {}
    for m in b:
        waiting.setdefault(_same_moment(m), []).append(m)
    merged: list[Marker] = []
    sides: dict[Marker, str] = {}
    notes: dict[Marker, str] = {}
    for m in a:
        twins = waiting.get(_same_moment(m))
        merged.append(m)
        if twins:
            twin = twins.pop(0)
            if twin.label != m.label:
                notes[m] = f"A: {m.label} · B: {twin.label}"
        else:
            sides[m] = "A"
            notes[m] = f"A: {m.label}"
    for rest in waiting.values():
        for m in rest:
            merged.append(m)
            sides[m] = "B"
            notes[m] = f"B: {m.label}"
    merged.sort(key=lambda m: m.t)  # stable: same-time markers keep their order
    return MergedMarkers(merged, sides, notes)


def legend_titles(titles: tuple[str, str]) -> tuple[str, str]:
    """The sides as their legends name them: what differs, without what both share
    ("A: count on the client, unsigned" → "A: unsigned"), so a narrow legend that cuts
    its end keeps the words that tell A from B; the titles as they are when one side
    would be left with nothing ("A: JWT", "B: JWT + blocklist")."""
    if not all(isinstance(title, CompareTitle) for title in titles):
        return titles  # (plain names, before a comparison's titles come: "A", "B")
    sides: list[CompareTitle] = list(titles)  # type: ignore[arg-type]
    pairs = zip(sides, sides[::-1], strict=True)
    kept = [[w for w in mine.words if w not in other.words] for mine, other in pairs]
    if not all(kept):
        return titles
    a, b = (CompareTitle(title.side, k) for title, k in zip(sides, kept, strict=True))
    return a, b


class PairNumber(BigNumber):
    """Both sides' sessions lost in large type: "A 262 · B 0 sessions lost", each number
    in the failure red only when it is not zero (and counts bad news: a lesson's
    figure that is not a failure, such as messages waiting, stays in the text colour)."""

    def __init__(self, parent, theme: Theme) -> None:
        self.values = (0, 0)
        self.bad = True
        super().__init__(parent, theme)

    def set_values(self, a: int, b: int, bad: bool = True) -> None:
        if (a, b, bad) != (*self.values, self.bad):
            self.values = (a, b)
            self.bad = bad
            self.value = a + b
            self._relayout()

    @property
    def caption(self) -> str:
        return self.noun[1]

    def _parts(self) -> list[tuple[str, str]]:
        """(text, colour) pieces of the number."""
        a, b = self.values
        ink = self.theme.text
        return [
            ("A ", ink),
            (f"{a:,}", FAILURE if a and self.bad else ink),
            (" · B ", ink),
            (f"{b:,}", FAILURE if b and self.bad else ink),
        ]

    def number_text(self) -> str:
        return "".join(text for text, _ in self._parts())

    def paint_number(self, p: QPainter, at: QPointF) -> None:
        metrics = QFontMetricsF(p.font())
        x = at.x()
        for text, color in self._parts():
            p.setPen(QColor(display_color(color, self.theme.plot_bg)))
            draw_text_at(p, QPointF(x, at.y()), text)
            x += metrics.horizontalAdvance(text)


@dataclass
class _Side:
    """One side's seconds in the window and the moment shown, if past its last second."""

    letter: str
    title: str
    recent: list[Sample]
    t: np.ndarray
    live: Snapshot | None

    def series(self, value: Callable[[Sample], float]) -> np.ndarray:
        return np.fromiter((value(s) for s in self.recent), float, len(self.recent))

    def level(
        self, value: Callable[[Sample], float], now: Callable[[Snapshot], float]
    ) -> tuple[np.ndarray, np.ndarray]:
        """A level (sessions lost, memory) that ends at the moment shown, as the canvas."""
        t, v = self.t, self.series(value)
        if self.live is not None:
            t, v = np.append(t, self.live.t), np.append(v, now(self.live))
        return t, v


class ComparePlots(PlotRow):
    """The five plots with A and B overlaid (``set_runs``)."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.titles = ("A", "B")
        self._merged_key: tuple = ()
        self._merged = MergedMarkers([], {}, {})
        self.shown: tuple[Snapshot | None, Snapshot | None] = (None, None)
        self.set_text_scale(1.0)

    def make_plots(self, theme: Theme) -> tuple[Plot, ...]:
        return (
            Plot("lost", "Sessions lost", theme, "{:,.0f}".format),
            Plot("errors", "Failed requests/s", theme, "{:,.1f}/s".format),
            Plot("memory", "Memory total (MB)", theme, "{:,.1f} MB".format),
            Plot("latency", "Latency p50, p95 (ms)", theme, "{:,.0f} ms".format),
            Plot("requests", "Requests ok/s", theme, "{:,.1f}/s".format),
        )

    def make_total(self) -> PairNumber:
        return PairNumber(self.lost.vb, self.theme)

    def clear(self) -> None:
        super().clear()
        self.total.set_values(0, 0)
        self._merged_key = ()

    # --- data ---------------------------------------------------------------------------

    def set_runs(
        self,
        a_samples: Sequence[Sample],
        b_samples: Sequence[Sample],
        a_markers: Sequence[Marker],
        b_markers: Sequence[Marker],
        titles: tuple[str, str],
        which: Sequence[int | str] | None = None,
        live: tuple[Snapshot | None, Snapshot | None] | None = None,
    ) -> None:
        """Redraw the plots in ``which`` (indices into ``NAMES`` or names; None: all) from
        both runs' per-second samples of the last ``WINDOW_S`` seconds; ``live``: each
        side's snapshot of the moment shown (the levels end there, as on the canvases)."""
        if titles != self.titles:  # other sides: every line and legend anew
            self.clear()
            self.titles = titles
        lives = live if live is not None else (None, None)
        self.shown = lives  # the moments shown (the lesson's numbers are read from them)
        sides = [
            self._side(letter, title, samples, now)
            for letter, title, samples, now in zip(
                "AB", legend_titles(titles), (a_samples, b_samples), lives, strict=True
            )
        ]
        sides = [s for s in sides if s is not None]
        if not sides:
            return
        self.t_end = t_end = max(s.live.t if s.live is not None else s.t[-1] for s in sides)
        lo = max(0.0, t_end - WINDOW_S)
        merged = self._markers(a_markers, b_markers)
        self.updates += 1
        updaters = (
            self._update_lost,
            self._update_errors,
            self._update_memory,
            self._update_latency,
            self._update_rps,
        )
        for k in range(len(self.plots)) if which is None else which:
            k = self.NAMES.index(k) if isinstance(k, str) else k
            plot = self.plots[k]
            updaters[k](sides)
            plot.set_markers(merged.markers, lo, merged.sides, merged.notes)
            plot.refresh_readout()

    @staticmethod
    def _side(
        letter: str, title: str, samples: Sequence[Sample], live: Snapshot | None
    ) -> _Side | None:
        recent = list(samples[-int(WINDOW_S) - 1 :])
        t = np.fromiter((s.t for s in recent), float, len(recent))
        if live is not None and t.size and live.t <= t[-1]:
            live = None  # the samples reach the moment shown already
        if not recent and live is None:
            return None
        return _Side(letter, title, recent, t, live)

    def _markers(self, a: Sequence[Marker], b: Sequence[Marker]) -> MergedMarkers:
        """The merged markers, the same objects while neither side has a new one (the
        plots then leave their marker lines as they are)."""
        key = (id(a), len(a), id(b), len(b))
        if key != self._merged_key:
            self._merged_key = key
            self._merged = merge_markers(a, b)
        return self._merged

    # --- each plot ----------------------------------------------------------------------

    def _line(
        self,
        plot: Plot,
        side: _Side,
        key: str,
        color: str,
        t: np.ndarray,
        values: np.ndarray,
        ends: list[tuple],
        width: float = LINE_WIDTH,
        text: str | None = None,
        readout: str | None = None,
        order: float = 0.0,
        row_start: bool = False,
    ) -> None:
        """Side ``side``'s line of ``key``: solid or dashed, its symbol at its end."""
        dashes, symbol, hollow = _LOOKS[side.letter]
        if color == FAILURE and side.letter == "B":
            color = FAILURE_B
        c = plot.curve(
            (side.letter, key),
            side.title if text is None else text,
            color,
            symbol,
            hollow,
            width,
            order=order + (0.5 if side.letter == "B" else 0.0),
            dashes=dashes,
            readout=side.letter if readout is None else readout,
            row_start=row_start,
        )
        c.setZValue(1 if side.letter == "B" else 0)  # B's dashes over A's line
        c.setData(t, values, connect="finite")
        if t.size and not math.isnan(values[-1]):
            ends.append((t[-1], values[-1], symbol, color, hollow))

    def _color(self, side: _Side) -> str:
        """Lines that are not failures: A in ink, B in grey (and dashed)."""
        return self.ink if side.letter == "A" else self.grey

    def show_numbers(self, a: Snapshot, b: Snapshot) -> None:
        """Both numbers written large, as of the snapshots of the moment every number on
        screen shows (the window sets them together)."""
        self.set_lesson(a.config)
        if self.lesson is not None:
            self.total.set_values(self.lesson.total(a), self.lesson.total(b), self.lesson.bad)
        else:
            self.total.set_values(sum(a.lost_by_cause), sum(b.lost_by_cause))

    def _update_lost(self, sides: list[_Side]) -> None:
        if self.lesson is not None:
            self._update_lesson(self.lesson, sides)
            return
        plot = self.lost
        ends: list[tuple] = []
        totals = {"A": 0, "B": 0}
        peak = 0.0
        for side in sides:
            t, lost = side.level(lambda s: sum(s.lost), lambda v: v.lost)
            self._line(plot, side, "lost", FAILURE, t, lost, ends, width=3.0)
            totals[side.letter] = int(lost[-1])
            peak = max(peak, float(lost.max()))
        self.total.set_values(totals["A"], totals["B"])
        # the top half stays free for the big numbers and the marker labels
        plot.set_window(self.t_end, peak, 5.0, room=2.0)
        plot.set_ends(ends)

    def _update_lesson(self, spec: LessonPlot, sides: list[_Side]) -> None:
        """The lesson's main figure for A and B, and both its numbers written large."""
        plot = self.lost
        ends: list[tuple] = []
        peak = self._figure_pair(plot, spec.lines[0], sides, ends)
        a, b = (spec.total(s) if s is not None else 0 for s in self.shown)
        self.total.set_values(a, b, spec.bad)
        plot.set_window(self.t_end, peak, 5.0, room=2.0)
        plot.set_ends(ends)

    def _figure_pair(
        self, plot: Plot, line: FigureLine, sides: list[_Side], ends: list[tuple]
    ) -> float:
        """One of the lesson's figures as a line for A and one for B; returns the peak."""
        at = self.figure_at.get(line.figure, -1)
        peak = 0.0
        for side in sides:
            raw = side.series(lambda s: s.lesson[at] if 0 <= at < len(s.lesson) else np.nan)
            values = as_drawn(raw, line)
            self._line(plot, side, "lesson", line.color, side.t, values, ends)
            peak = max(peak, float(np.nanmax(values, initial=0.0)))
        return peak

    def _update_errors(self, sides: list[_Side]) -> None:
        plot = self.errors
        ends: list[tuple] = []
        peak = 0.0
        for side in sides:
            failed = trailing_mean(side.series(lambda s: s.failed))
            self._line(plot, side, "failed", FAILURE, side.t, failed, ends)
            peak = max(peak, float(np.nanmax(failed, initial=0.0)))
        self.quiet.setVisible(peak == 0.0)
        plot.set_window(self.t_end, peak, 5.0, room=1.2)
        plot.set_ends(ends)

    def _update_memory(self, sides: list[_Side]) -> None:
        plot = self.memory
        ends: list[tuple] = []
        if self.second is not None:  # the lesson's plot in memory's place
            peak = self._figure_pair(plot, self.second.lines[0], sides, ends)
            plot.set_window(self.t_end, peak, 5.0, room=1.15)
            plot.set_ends(ends)
            return
        peak = 0.0
        for side in sides:
            t, mb = side.level(
                lambda s: s.memory_mb,
                lambda v: sum(x.memory_mb for x in v.servers) + v.store.memory_mb,
            )
            self._line(plot, side, "memory", self._color(side), t, mb, ends, width=3.0)
            peak = max(peak, float(mb.max()))
        plot.set_window(self.t_end, peak, room=1.15)
        plot.set_ends(ends)

    def _update_latency(self, sides: list[_Side]) -> None:
        plot = self.latency
        ends: list[tuple] = []
        peak = 0.0
        for side in sides:
            color = self._color(side)
            p50 = side.series(lambda s: s.p50_ms)
            p95 = side.series(lambda s: s.p95_ms)
            self._line(
                plot, side, "p50", color, side.t, p50, ends, 3.0, readout=f"{side.letter} p50"
            )
            self._line(
                plot,
                side,
                "p95",
                color,
                side.t,
                p95,
                ends,
                _P95_WIDTH,
                text=f"{side.letter} p95",
                order=2,
                row_start=side.letter == "A",  # "A p95  B p95" on a row of their own
            )
            for values in (p50, p95):
                if np.isfinite(values).any():
                    peak = max(peak, float(np.nanmax(values)))
        plot.set_window(self.t_end, peak, 10.0, room=1.15)
        plot.set_ends(ends)

    def _update_rps(self, sides: list[_Side]) -> None:
        plot = self.rps
        ends: list[tuple] = []
        peak = 0.0
        for side in sides:
            ok = trailing_mean(side.series(lambda s: s.ok))
            self._line(plot, side, "ok", self._color(side), side.t, ok, ends)
            peak = max(peak, float(np.nanmax(ok, initial=0.0)))
        plot.set_window(self.t_end, peak, 5.0, room=1.15)
        plot.set_ends(ends)
