"""Every request in flight, drawn by one item with one ``drawPixmapFragments`` call.

One QGraphicsItem per request is too slow past a few thousand; here positions arrive as
numpy arrays and a pre-rendered sprite per colour is stamped from an atlas. Painters
that are not raster (SVG export) get vector circles instead.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import cache

import numpy as np
import shiboken6
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPaintEngine,
    QPainter,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from visualizer.sim.records import ErrorCode
from visualizer.ui.canvas.layout import MAX_H, SCENE_W
from visualizer.ui.canvas.nodes import font, least_px
from visualizer.ui.canvas.painted import device_scale, draw_text, floor
from visualizer.ui.canvas.tracker import EMPTY_SPRITE, FAILED_SPRITE, MESSAGE_SPRITE, Failure
from visualizer.ui.colors import EMPTY, ERROR_COLORS, FAILURE, MESSAGE, USER_COLORS, contrast

DOT_SIZE = 16.0  # scene units, while few requests are in flight


def badge_fill(color: str) -> str:
    """``color`` darkened (its hue kept) until white text on it reads at 4.5:1 at least:
    a code's badge in its own colour, readable (TAMPERED's tan was not)."""
    q = QColor(color)
    while contrast(q.name(), "#FFFFFF") < 4.5:
        q = q.darker(110)
    return q.name().upper()


def dot_size(count: int) -> float:
    """Dots shrink as they multiply: crowds stay readable and cheap to draw."""
    if count <= 1_500:
        return DOT_SIZE
    return max(7.0, DOT_SIZE * (1_500 / count) ** 0.25)


_RASTER = {QPaintEngine.Type.Raster, QPaintEngine.Type.OpenGL, QPaintEngine.Type.OpenGL2}


def sprite_colors() -> list[str]:
    """Colours by sprite index: users, then a failure, an empty response, a message."""
    return [*USER_COLORS, FAILURE, EMPTY, MESSAGE]


def _diamond(cx: float, cy: float, r: float) -> QPolygonF:
    return QPolygonF(
        [QPointF(cx, cy - r), QPointF(cx + r, cy), QPointF(cx, cy + r), QPointF(cx - r, cy)]
    )


class RequestDots(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._sprite = np.zeros(0, dtype=np.int16)
        self._opacity = np.ones(0)
        self._frags = np.zeros((0, 10))  # one QPainter.PixmapFragment a row
        self._frags_key: tuple[int, float] | None = None  # (px, dpr) its columns are for
        self._atlas: QPixmap | None = None
        self._atlas_key: tuple[int, float] = (0, 0.0)
        self.setZValue(20)

    def boundingRect(self) -> QRectF:
        pad = DOT_SIZE
        return QRectF(-pad, -pad, SCENE_W + 2 * pad, MAX_H + 2 * pad)

    def set_points(
        self,
        x: np.ndarray,
        y: np.ndarray,
        sprite: np.ndarray,
        opacity: np.ndarray | None = None,
    ) -> None:
        self._x, self._y, self._sprite = x, y, sprite
        self._opacity = np.ones(x.size) if opacity is None else opacity
        self.update()

    @property
    def count(self) -> int:
        return int(self._x.size)

    def _ensure_atlas(self, px: int, dpr: float) -> QPixmap:
        if self._atlas is not None and self._atlas_key == (px, dpr):
            return self._atlas
        colors = sprite_colors()
        atlas = QPixmap(px * len(colors), px)
        atlas.fill(Qt.GlobalColor.transparent)
        p = QPainter(atlas)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = max(1.0, px / 12.0)
        for k, color in enumerate(colors):
            c = QColor(color)
            p.setPen(QPen(c.darker(150), edge))
            p.setBrush(c)
            r = QRectF(k * px + edge, edge, px - 2 * edge, px - 2 * edge)
            if k == EMPTY_SPRITE:  # a ring: nothing inside
                p.setPen(QPen(c, max(1.5, px / 6.0)))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawEllipse(r.adjusted(edge, edge, -edge, -edge))
                continue
            if k == MESSAGE_SPRITE:  # a diamond with a light edge
                p.setPen(QPen(QColor("#FFFFFF"), edge))
                p.drawPolygon(_diamond(r.center().x(), r.center().y(), r.width() / 2))
                continue
            p.drawEllipse(r)
            if k == FAILED_SPRITE:  # a cross, so failure is not told by colour alone
                p.setPen(QPen(QColor("#FFFFFF"), max(1.5, px / 7.0)))
                m = px * 0.3
                p.drawLine(QPointF(k * px + m, m), QPointF(k * px + px - m, px - m))
                p.drawLine(QPointF(k * px + px - m, m), QPointF(k * px + m, px - m))
        p.end()
        atlas.setDevicePixelRatio(dpr)
        self._atlas, self._atlas_key = atlas, (px, dpr)
        return atlas

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        n = self._x.size
        if n == 0:
            return
        engine = painter.paintEngine()
        if engine is None or engine.type() not in _RASTER:
            self._paint_vector(painter)
            return
        t = painter.worldTransform()
        scale = math.hypot(t.m11(), t.m12())
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        px = max(3, round(dot_size(n) * scale * dpr))
        atlas = self._ensure_atlas(px, dpr)
        f = self._fragments(n, px, dpr)
        # x' = m11 x + m21 y + dx (and y' likewise), in place: no temporaries of n
        x, y = f[:, 0], f[:, 1]
        np.multiply(self._x, t.m11(), out=x)
        x += t.m21() * self._y
        x += t.dx()
        np.multiply(self._x, t.m12(), out=y)
        y += t.m22() * self._y
        y += t.dy()
        np.multiply(self._sprite, px, out=f[:, 2])
        f[:, 9] = self._opacity
        ptr = shiboken6.wrapInstance(f.ctypes.data, QPainter.PixmapFragment)
        painter.save()
        painter.resetTransform()
        painter.drawPixmapFragments(ptr, n, atlas)
        painter.restore()

    def _fragments(self, n: int, px: int, dpr: float) -> np.ndarray:
        """The first ``n`` rows of the fragment buffer, the columns that stay the same from
        frame to frame (source y, size, scale, rotation) already set: rewriting them every
        frame cost 0.35 ms of 0.5 with 26,000 dots."""
        if self._frags.shape[0] < n:
            self._frags = np.empty((max(n, 2 * self._frags.shape[0]), 10))
            self._frags_key = None
        if self._frags_key != (px, dpr):
            f = self._frags
            f[:, 3] = 0.0
            f[:, 4] = px
            f[:, 5] = px
            f[:, 6] = 1.0 / dpr
            f[:, 7] = 1.0 / dpr
            f[:, 8] = 0.0
            self._frags_key = (px, dpr)
        return self._frags[:n]

    def _paint_vector(self, painter: QPainter) -> None:
        colors = [QColor(c) for c in sprite_colors()]
        r = dot_size(self._x.size) / 2
        points = zip(
            self._x.tolist(),
            self._y.tolist(),
            self._sprite.tolist(),
            self._opacity.tolist(),
            strict=True,
        )
        cross = QPen(QColor("#FFFFFF"), max(1.5, r / 3.5))
        ring = QPen(colors[EMPTY_SPRITE], max(1.5, r / 3.0))
        for x, y, s, alpha in points:
            painter.setOpacity(alpha)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colors[s])
            if s == EMPTY_SPRITE:
                painter.setPen(ring)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(QPointF(x, y), r * 0.8, r * 0.8)
                continue
            if s == MESSAGE_SPRITE:
                painter.drawPolygon(_diamond(x, y, r))
                continue
            painter.drawEllipse(QPointF(x, y), r, r)
            if s == FAILED_SPRITE:  # the cross, as on screen: failure not by colour alone
                m = r * 0.55
                painter.setPen(cross)
                painter.drawLine(QPointF(x - m, y - m), QPointF(x + m, y + m))
                painter.drawLine(QPointF(x + m, y - m), QPointF(x - m, y + m))
        painter.setOpacity(1.0)


@cache
def _label_px(text: str, room: int) -> float:
    """The largest type (15 px down to 10) in which a label and its padding fit ``room``."""
    px = 15.0
    while px > 10.0 and QFontMetricsF(font(px, bold=True)).horizontalAdvance(text) + 26 > room:
        px -= 0.5
    return px


class FailureFlashes(QGraphicsItem):
    """The error code shown briefly where a request failed (fades over wall-clock time,
    so it is readable at any speed), and a lesson's notes the same way ("saw 2 · true 3").
    Throttled per place and code so a storm stays legible."""

    LIFETIME_S = 1.6
    MAX_LABELS = 24
    MIN_GAP_S = LIFETIME_S  # one label per place and code at a time: no stacks

    def __init__(self) -> None:
        super().__init__()
        # wall t0, x, y, server (-1: balancer), code (None: a note), text, colour
        self._labels: list[tuple[float, float, float, int, ErrorCode | None, str, str]] = []
        self._last: dict[tuple[int, object], float] = {}
        self.rise = True  # labels drift upwards as they fade (off for reduced motion)
        #: the width a card leaves its labels (its queue and workers zone), by server: a
        #: label shrinks to it, so it never covers the card's words or numbers
        self.room_of: Callable[[int], float | None] = lambda _server: None
        self.setZValue(30)

    def boundingRect(self) -> QRectF:
        return QRectF(-200, -50, SCENE_W + 400, MAX_H + 100)

    def add(self, failures: list[Failure], wall: float | None = None) -> None:
        now = time.monotonic() if wall is None else wall
        for f in failures:
            key = (f.server, f.code)
            if now - self._last.get(key, -1e9) < self.MIN_GAP_S:
                continue
            self._last[key] = now
            color = ERROR_COLORS[f.code]
            self._labels.append((now, f.x, f.y, f.server, f.code, f.code.value, color))
        self._trim()

    def add_note(
        self, x: float, y: float, server: int, text: str, color: str, wall: float | None = None
    ) -> None:
        """A lesson's note at a card (one per card at a time, like a code)."""
        now = time.monotonic() if wall is None else wall
        key = (server, "note")
        if now - self._last.get(key, -1e9) < self.MIN_GAP_S:
            return
        self._last[key] = now
        self._labels.append((now, x, y, server, None, text, color))
        self._trim()

    @property
    def visible_notes(self) -> list[str]:
        return [lb[5] for lb in self._labels if lb[4] is None]

    def _trim(self) -> None:
        if len(self._labels) > self.MAX_LABELS:
            del self._labels[: len(self._labels) - self.MAX_LABELS]

    def clear(self) -> None:
        self._labels.clear()
        self._last.clear()
        self.update()

    def tick(self, wall: float | None = None) -> None:
        now = time.monotonic() if wall is None else wall
        self._labels = [lb for lb in self._labels if now - lb[0] < self.LIFETIME_S]
        self._now = now
        self.update()

    def label_font(self, text: str, room: float | None) -> QFont:
        """The label's type: 15 px bold, smaller (to 10 px) where its card leaves it
        ``room`` pixels (the label with its padding fits them)."""
        if room is None:
            return font(15, bold=True)  # (at least presenter mode's floor)
        return font(_label_px(text, round(room)), bold=True)

    @property
    def visible_codes(self) -> list[ErrorCode]:
        return [lb[4] for lb in self._labels if lb[4] is not None]

    def placed(self, now: float | None = None) -> list[tuple[QRectF, QFont, str, str, float]]:
        """Each label as drawn: its box, type, text, colour and opacity. A card's labels
        take its zone's width at most and stack one under another."""
        now = getattr(self, "_now", time.monotonic()) if now is None else now
        out = []
        stacked: dict[int, float] = {}
        for t0, x, y, server, _code, text, color in self._labels:
            age = max(0.0, now - t0)
            alpha = 1.0 if age < self.LIFETIME_S * 0.6 else max(0.0, (self.LIFETIME_S - age) / 0.64)
            room = None if server < 0 else self.room_of(server)
            label_font = self.label_font(text, room)
            fm = QFontMetricsF(label_font)
            w = fm.horizontalAdvance(text) + 16
            if room is not None and w + 10 > room:
                continue  # too wide for the card's zone even in its smallest type (or
                # presenter mode's floor): it would cover the card's words; the failed-
                # requests plot names the code
            h = fm.height() + 6
            rise = age * 14 if self.rise else 0.0
            if server < 0:  # failed at the balancer: above it
                rect = QRectF(x - w / 2, y - h - 40 - rise, w, h)
            else:  # inside the card, by its entry point, under the card's other labels
                below = stacked.get(server, 0.0)
                stacked[server] = below + h + 2
                rect = QRectF(x + 10, y + 4 + below - rise, w, h)
            out.append((rect, label_font, text, color, alpha))
        return out

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self._labels:
            return
        with floor(least_px(self), device_scale(painter)):  # (labels sized for it)
            for rect, label_font, text, color, alpha in self.placed():
                painter.setFont(label_font)
                painter.setOpacity(alpha)
                painter.setPen(QPen(QColor("#FFFFFF"), 1.5))
                painter.setBrush(QBrush(QColor(badge_fill(color))))
                painter.drawRoundedRect(rect, 6, 6)
                painter.setPen(QColor("#FFFFFF"))
                draw_text(painter, rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.setOpacity(1.0)
