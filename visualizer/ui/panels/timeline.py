"""The timeline under the canvas: the run so far, its notable moments, what is scheduled
ahead, and a playhead. Click or drag to go to any computed moment."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from visualizer.sim.records import EventKind, Marker
from visualizer.ui.canvas.painted import draw_text
from visualizer.ui.colors import FAILURE, GREEN, Theme

#: What a marker on the timeline looks like: a glyph (never colour alone) and a colour.
_GLYPHS = {
    EventKind.SERVER_CRASHED: ("✖", FAILURE),
    EventKind.STORE_CRASHED: ("✖", FAILURE),
    EventKind.SERVER_RESTARTED: ("▲", GREEN),
    EventKind.STORE_RESTORED: ("▲", GREEN),
    EventKind.SERVER_ADDED: ("+", GREEN),
    EventKind.SERVER_DRAINING: ("−", "#7F7F7F"),
    EventKind.SETTING_CHANGED: ("◆", "#7F7F7F"),
}
_SCHEDULED_GLYPHS = {"crash": "✖", "crash_store": "✖", "restart": "▲", "restore_store": "▲"}


@dataclass(frozen=True)
class TimelineState:
    now: float
    end: float  # furthest computed moment
    markers: tuple[Marker, ...]  # up to end (ahead of now when rewound)
    ahead: tuple[tuple[float, str], ...]  # scheduled, not yet computed: (t, action)
    duration: float = 0.0  # the scenario's length: the track's end while the run is in it


def marker_times(markers: list[Marker]) -> list[float]:
    """Distinct times of the markers worth jumping to (health checks are not)."""
    return sorted({m.t for m in markers if m.kind in _GLYPHS})


def previous_marker(times: list[float], now: float) -> float | None:
    i = bisect.bisect_left(times, now - 1e-6)
    return times[i - 1] if i > 0 else None


def next_marker(times: list[float], now: float) -> float | None:
    i = bisect.bisect_right(times, now + 1e-6)
    return times[i] if i < len(times) else None


class Timeline(QWidget):
    seekRequested = Signal(float)

    PAD = 14

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.state = TimelineState(0.0, 0.0, (), ())
        self.setMinimumHeight(38)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Timeline")
        self.setToolTip(
            "The run so far: click or drag to go back to any moment (Shift+← / → 5 s, "
            "[ / ] markers, Home / End). A command given in the past starts a new future; "
            "Ctrl+Z brings the old one back."
        )
        self._dragging = False
        self.least_px = 0  # presenter mode: its words no smaller (and the bar taller)

    def sizeHint(self) -> QSize:
        return QSize(600, 40 if not self.least_px else round(self.least_px * 3.4))

    def set_presenting(self, on: bool, least_px: int = 16) -> None:
        """Presenter mode: the times in type a room reads, the bar tall enough for them."""
        self.least_px = least_px if on else 0
        self.setMinimumHeight(self.sizeHint().height() if on else 38)
        self.updateGeometry()
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def show_state(self, state: TimelineState) -> None:
        """Repaint only when something visible changed (the playhead moved a pixel)."""
        old = self.state
        span = self.span(state)
        moved = abs(self._x(state.now, span) - self._x(old.now, self.span(old))) >= 0.5
        changed = (state.markers, state.end, state.ahead) != (old.markers, old.end, old.ahead)
        self.state = state
        if moved or changed:
            self.update()

    # --- geometry ---------------------------------------------------------------------

    @staticmethod
    def span(state: TimelineState) -> float:
        """Seconds shown: the scenario's length while the run and its schedule are in it
        (a 120 s preset's track ends at 120 s); past it, the computed run and what is
        scheduled ahead, rounded up."""
        last = max([state.end, state.now, *(t for t, _ in state.ahead)], default=0.0)
        if 0.0 < last <= state.duration:
            return state.duration
        step = 30.0 if last <= 300 else 300.0
        return max(60.0, math.ceil((last + 1e-9) / step) * step)

    def _x(self, t: float, span: float) -> float:
        width = max(1.0, self.width() - 2 * self.PAD)
        return self.PAD + width * min(max(t, 0.0), span) / span

    def time_at(self, x: float) -> float:
        width = max(1.0, self.width() - 2 * self.PAD)
        t = (x - self.PAD) / width * self.span(self.state)
        return min(max(0.0, t), self.state.end)

    # --- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        s, t = self.state, self.theme
        span = self.span(s)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(t.card))
        h = self.height()
        track = QRectF(self.PAD, h * 0.42, self.width() - 2 * self.PAD, h * 0.22)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(t.grid))
        p.drawRoundedRect(track, 3, 3)
        x_now, x_end = self._x(s.now, span), self._x(s.end, span)
        if x_end > x_now:  # computed but not shown: lies ahead after a rewind
            p.setBrush(QColor(t.muted))
            p.setOpacity(0.45)
            p.drawRect(QRectF(x_now, track.y(), x_end - x_now, track.height()))
            p.setOpacity(1.0)
        p.setBrush(QColor(t.text))
        p.drawRoundedRect(QRectF(track.x(), track.y(), x_now - track.x(), track.height()), 3, 3)
        font = QFont()
        font.setPixelSize(max(11, round(h * 0.32), self.least_px))
        font.setBold(True)
        p.setFont(font)
        for m in s.markers:
            glyph, color = _GLYPHS.get(m.kind, ("", ""))
            if glyph:
                self._glyph(p, self._x(m.t, span), glyph, color, m.t > s.now)
        for at, action in s.ahead:
            glyph = _SCHEDULED_GLYPHS.get(action, "◆")
            self._glyph(p, self._x(at, span), glyph, t.muted, True)
        # the playhead
        p.setPen(QPen(QColor(t.text), 2.0))
        p.drawLine(QPointF(x_now, 2), QPointF(x_now, h - 2))
        p.setBrush(QColor(t.text))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPolygon(QPolygonF([QPointF(x_now - 6, 1), QPointF(x_now + 6, 1), QPointF(x_now, 9)]))
        small = QFont(font)
        small.setBold(False)
        small.setPixelSize(max(10, round(h * 0.28), self.least_px))
        p.setFont(small)
        p.setPen(QColor(t.muted))
        label = f"{s.now:,.1f} s" + (f"  (computed to {s.end:,.0f} s)" if s.end > s.now else "")
        right = x_now < self.width() * 0.7
        box = QRectF(x_now + 8, h * 0.62, 260, h * 0.38)
        if not right:
            box.moveRight(x_now - 8)
        align = Qt.AlignmentFlag.AlignLeft if right else Qt.AlignmentFlag.AlignRight
        draw_text(p, box, align | Qt.AlignmentFlag.AlignVCenter, label)
        span_box = QRectF(self.width() - 120, 0, 112, h * 0.42)
        ink = p.boundingRect(span_box, int(Qt.AlignmentFlag.AlignRight), f"{span:,.0f} s")
        if x_now < ink.left() - 8:  # (the playhead at the end would cross it: the time
            # under the playhead says it)
            draw_text(
                p,
                span_box,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{span:,.0f} s",
            )
        p.end()

    def _glyph(self, p: QPainter, x: float, glyph: str, color: str, dim: bool) -> None:
        p.setOpacity(0.45 if dim else 1.0)
        p.setPen(QColor(color))
        box = QRectF(x - 10, 0, 20, self.height() * 0.42)
        draw_text(p, box, Qt.AlignmentFlag.AlignCenter, glyph)
        p.setOpacity(1.0)

    # --- interaction --------------------------------------------------------------------

    def marker_near(self, x: float) -> Marker | None:
        span = self.span(self.state)
        near = [m for m in self.state.markers if m.kind in _GLYPHS]
        best = min(near, key=lambda m: abs(self._x(m.t, span) - x), default=None)
        if best is not None and abs(self._x(best.t, span) - x) <= 8:
            return best
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._dragging = True
            self.seekRequested.emit(self.time_at(event.position().x()))
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._dragging:
            self.seekRequested.emit(self.time_at(x))
        marker = self.marker_near(x)
        self.setToolTip(
            f"{marker.t:,.1f} s — {marker.label}"
            if marker is not None
            else f"{self.time_at(x):,.1f} s: click to go there"
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._dragging = False
