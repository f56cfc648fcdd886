"""The static-looking parts of the canvas: lanes, balancer, server cards, store, wires.

Items repaint only when what they show changes (they are device-cached), so a frame
costs little more than the request dots. Sizes are scene units; fonts scale with cards.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from visualizer.sim.snapshot import ServerView, StoreView
from visualizer.ui.canvas.layout import Rect
from visualizer.ui.shapes import symbol_path
from visualizer.ui.theme import (
    FAILURE,
    GREEN,
    USER_COLORS,
    Theme,
    server_color,
    server_hollow,
    server_symbol,
    user_color_index,
)

_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
COMPACT_H = 80.0  # cards shorter than this (more than 16 servers) show one line


def font(px: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(max(8, round(px)))
    f.setBold(bold)
    return f


def qrect(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


def fmt_mb(mb: float) -> str:
    if mb >= 1000:
        return f"{mb / 1000:,.2f} GB"
    if mb >= 100:
        return f"{mb:,.0f} MB"
    return f"{mb:,.1f} MB"


def centred_line(p: QPainter, box: QRectF, row_h: float, at: float, text: str) -> None:
    """Text centred on the row starting ``at`` row heights into ``box``."""
    p.drawText(QRectF(box.x(), box.y() + row_h * at, box.width(), row_h), _CENTER, text)


def nice_scale(mb: float) -> float:
    """Smallest 1-2-5 step at or above ``mb`` (memory bars share one scale)."""
    if mb <= 1.0:
        return 1.0
    exp = 10 ** math.floor(math.log10(mb))
    for m in (1, 2, 5, 10):
        if m * exp >= mb:
            return m * exp
    return 10 * exp


class Node(QGraphicsItem):
    """A cached item with a rectangle and a theme; subclasses paint ``_draw``."""

    def __init__(self, rect: Rect, theme: Theme) -> None:
        super().__init__()
        self.rect = rect
        self.theme = theme
        self._state: object = None
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:
        return qrect(self.rect).adjusted(-4, -4, 4, 4)

    def set_rect(self, rect: Rect) -> None:
        if rect != self.rect:
            self.prepareGeometryChange()
            self.rect = rect
            self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    refreshed = 0.0  # wall time of the last refresh (the scene staggers them)

    def _changed(self, state: object) -> bool:
        if state == self._state:
            return False
        self._state = state
        self.update()
        return True

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._draw(painter, qrect(self.rect))

    def _draw(self, p: QPainter, r: QRectF) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _box(self, p: QPainter, r: QRectF, fill: str, border: str, width: float = 2.0) -> None:
        p.setPen(QPen(QColor(border), width))
        p.setBrush(QColor(fill))
        p.drawRoundedRect(r, 12, 12)


class ClientLanes(Node):
    """Users, hashed into a few lanes; each user's dots keep the user's colour."""

    def __init__(self, header: Rect, lanes: tuple[Rect, ...], theme: Theme) -> None:
        self.lanes = lanes
        self.header = header
        super().__init__(self._union(header, lanes), theme)
        self.setZValue(5)

    @staticmethod
    def _union(header: Rect, lanes: tuple[Rect, ...]) -> Rect:
        bottom = max(r.bottom for r in lanes)
        return Rect(header.x, header.y, header.w, bottom - header.y)

    def set_geometry(self, header: Rect, lanes: tuple[Rect, ...]) -> None:
        self.header, self.lanes = header, lanes
        self.set_rect(self._union(header, lanes))
        self.update()

    def set_users(self, active: int) -> None:
        self._changed(active)

    def lane_at(self, pos: QPointF) -> int | None:
        for i, lane in enumerate(self.lanes):
            if qrect(lane).contains(pos):
                return i
        return None

    def _draw(self, p: QPainter, r: QRectF) -> None:
        t = self.theme
        h = qrect(self.header)
        p.setPen(QColor(t.text))
        p.setFont(font(24, bold=True))
        p.drawText(h.adjusted(4, 0, 0, -h.height() / 2), _ALIGN_LEFT, "Clients")
        p.setPen(QColor(t.muted))
        p.setFont(font(17))
        users = self._state if isinstance(self._state, int) else 0
        p.drawText(h.adjusted(4, h.height() / 2, 0, 0), _ALIGN_LEFT, f"{users:,} users online")
        for i, lane in enumerate(self.lanes):
            lr = qrect(lane)
            self._box(p, lr, t.card, t.card_border, 1.5)
            # a few figures in user colours: each lane is a crowd of users
            n = 3
            size = min(lr.height() * 0.5, 26.0)
            for k in range(n):
                c = QColor(USER_COLORS[(i * 5 + k * 3) % len(USER_COLORS)])
                cx = lr.x() + 22 + k * (size * 1.15)
                cy = lr.center().y()
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(c)
                p.drawEllipse(QPointF(cx, cy - size * 0.28), size * 0.2, size * 0.2)
                p.drawRoundedRect(
                    QRectF(cx - size * 0.32, cy - size * 0.02, size * 0.64, size * 0.42), 5, 5
                )
            p.setPen(QColor(t.muted))
            p.setFont(font(min(16, lr.height() * 0.3)))
            p.drawText(lr.adjusted(22 + n * size * 1.15, 0, -8, 0), _ALIGN_RIGHT, f"lane {i + 1}")


@dataclass(frozen=True)
class BalancerState:
    algorithm: str
    sticky: bool
    health_check_s: float
    in_rotation: int
    live: int


class BalancerNode(Node):
    def __init__(self, rect: Rect, theme: Theme) -> None:
        super().__init__(rect, theme)
        self.setZValue(22)  # above the dots: requests pass through it, its text stays legible

    def set_state(self, state: BalancerState) -> None:
        if self._changed(state):
            sticky = "sticky: each user pinned" if state.sticky else "not sticky"
            self.setToolTip(
                f"Load balancer — {state.algorithm.replace('_', ' ')}, {sticky}\n"
                f"health check every {state.health_check_s:g} s; "
                f"{state.in_rotation} of {state.live} servers in rotation"
            )

    def _draw(self, p: QPainter, r: QRectF) -> None:
        t = self.theme
        s = self._state if isinstance(self._state, BalancerState) else None
        self._box(p, r, t.card, t.text, 3.0)
        p.setPen(QColor(t.text))
        p.setFont(font(24, bold=True))
        row = r.height() / 6
        p.drawText(QRectF(r.x(), r.y() + 6, r.width(), row * 1.2), _CENTER, "Load balancer")
        if s is None:
            return
        p.setFont(font(19))
        centred_line(p, r, row, 1.3, s.algorithm.replace("_", " "))
        badge = QRectF(r.x() + 22, r.y() + row * 2.5, r.width() - 44, row * 1.1)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(GREEN if s.sticky else t.grid))
        p.drawRoundedRect(badge, 8, 8)
        p.setPen(QColor("#FFFFFF") if s.sticky else QColor(t.text))
        p.setFont(font(18, bold=True))
        p.drawText(badge, _CENTER, "STICKY ✓" if s.sticky else "not sticky")
        p.setPen(QColor(t.muted))
        p.setFont(font(16))
        centred_line(p, r, row, 3.8, f"health check {s.health_check_s:g} s")
        centred_line(p, r, row, 4.7, f"{s.in_rotation}/{s.live} in rotation")


@dataclass(frozen=True)
class CardState:
    view: ServerView
    mem_scale_mb: float
    cap_mb: float


class ServerCard(Node):
    """One server: name, status, workers and queue, session chips, memory bar, req/s."""

    def __init__(self, index: int, rect: Rect, theme: Theme) -> None:
        super().__init__(rect, theme)
        self.index = index
        self.setZValue(5)
        # last drawn chips: (top-left, colour, user) for the crash burst and for clicks
        self.chips: list[tuple[QPointF, str, int]] = []
        self.chip_size = 0.0

    @property
    def view(self) -> ServerView | None:
        return self._state.view if isinstance(self._state, CardState) else None

    def set_view(self, view: ServerView, mem_scale_mb: float, cap_mb: float) -> bool:
        """Show new numbers; returns whether anything changed (and a repaint is due)."""
        if self._changed(CardState(view, mem_scale_mb, cap_mb)):
            self.setToolTip(card_tooltip(view, cap_mb))
            return True
        return False

    def status(self) -> tuple[str, str]:
        """(label, colour) of the status badge."""
        v = self.view
        if v is None:
            return "", self.theme.muted
        if v.draining:
            return "DRAINING", "#7F7F7F"
        if not v.up:
            return "DOWN", FAILURE
        if not v.in_rotation:
            return "UP · waiting for health check", "#7F7F7F"
        return "UP", GREEN

    def _draw(self, p: QPainter, r: QRectF) -> None:
        t = self.theme
        state = self._state if isinstance(self._state, CardState) else None
        if state is None:
            return
        v = state.view
        down = not v.up
        fill = t.card_down if down else t.card
        border = FAILURE if down else (server_color(v.index) if v.in_rotation else t.card_border)
        self._box(p, r, fill, border, 3.0 if down else 2.0)
        text = QColor("#F2F2F2") if down else QColor(t.text)
        muted = QColor("#B0B0B0") if down else QColor(t.muted)
        h, w = r.height(), r.width()
        if h < COMPACT_H:
            self.chips = []
            self._draw_compact(p, r, v, text)
            return
        head = max(22.0, h * 0.27)
        fs = min(26.0, max(13.0, head * 0.62))
        # header: the server's colour and shape (as on the plots), name, status, req/s
        size = fs * 0.85
        sw = QRectF(r.x() + 12, r.y() + (head - size) / 2, size, size)
        draw_server_symbol(p, v.index, sw)
        p.setPen(text)
        p.setFont(font(fs, bold=True))
        name_r = QRectF(sw.right() + 8, r.y() + 2, w * 0.4, head)
        p.drawText(name_r, _ALIGN_LEFT, v.name)
        label, color = self.status()
        p.setFont(font(fs * 0.72, bold=True))
        fm = p.fontMetrics()
        bw = fm.horizontalAdvance(label) + 18
        nx = name_r.x() + QFontMetricsF(font(fs, bold=True)).horizontalAdvance(v.name) + 12
        badge = QRectF(nx, r.y() + head * 0.2, bw, head * 0.62)
        if not down:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(color))
            p.drawRoundedRect(badge, 6, 6)
            p.setPen(QColor("#FFFFFF"))
            p.drawText(badge, _CENTER, label)
        p.setPen(muted)
        p.setFont(font(fs * 0.72))
        p.drawText(QRectF(r.x(), r.y() + 2, w - 12, head), _ALIGN_RIGHT, f"{v.rps:,.0f} req/s")

        body = QRectF(r.x(), r.y() + head, w, h - head)
        zone_w = w * 0.36
        if down:
            self.chips = []
            self._draw_down(p, body, v)
            return
        # activity zone (the tracker puts queued and working dots here)
        p.setPen(QPen(QColor(t.grid), 1.0, Qt.PenStyle.DashLine))
        p.drawLine(
            QPointF(r.x() + w * 0.115, body.y() + 4), QPointF(r.x() + w * 0.115, r.bottom() - 6)
        )
        p.drawLine(QPointF(r.x() + zone_w, body.y() + 4), QPointF(r.x() + zone_w, r.bottom() - 6))
        p.setPen(muted)
        small = max(10.0, min(15.0, body.height() * 0.16))
        p.setFont(font(small))
        p.drawText(
            QRectF(r.x() + 4, r.bottom() - small * 1.5, w * 0.11, small * 1.4), _CENTER, "queue"
        )
        p.drawText(
            QRectF(r.x() + w * 0.12, r.bottom() - small * 1.5, zone_w - w * 0.12, small * 1.4),
            _CENTER,
            "working",
        )
        # info panel
        info = QRectF(r.x() + zone_w + 12, body.y(), w - zone_w - 24, body.height() - 6)
        rows = 3
        rh = info.height() / rows
        fs2 = min(20.0, max(11.0, rh * 0.5))
        self._draw_workers(p, QRectF(info.x(), info.y(), info.width(), rh), v, fs2, text, muted)
        self._draw_chips(p, QRectF(info.x(), info.y() + rh, info.width(), rh), v, fs2, muted)
        self._draw_memory(
            p, QRectF(info.x(), info.y() + 2 * rh, info.width(), rh), state, fs2, text, muted
        )

    def _draw_compact(self, p: QPainter, r: QRectF, v: ServerView, text: QColor) -> None:
        """One line for crowded fleets (more than 16 servers): symbol, name, status."""
        fs = max(9.0, min(18.0, r.height() * 0.42))
        size = fs * 0.8
        draw_server_symbol(p, v.index, QRectF(r.x() + 6, r.center().y() - size / 2, size, size))
        label, color = self.status()
        p.setFont(font(fs, bold=True))
        p.setPen(text)
        name_r = QRectF(r.x() + 10 + size, r.y(), r.width() - 14 - size, r.height())
        p.drawText(name_r, _ALIGN_LEFT, v.name.removeprefix("server-"))
        detail = "✖ DOWN" if not v.up else f"{v.sessions:,}" if v.sessions else label
        p.setFont(font(fs * 0.8, bold=not v.up))
        p.setPen(QColor("#FFFFFF") if not v.up else QColor(color))
        p.drawText(name_r.adjusted(0, 0, -2, 0), _ALIGN_RIGHT, detail.split(" ·")[0])

    def _draw_workers(
        self, p: QPainter, r: QRectF, v: ServerView, fs: float, text: QColor, muted: QColor
    ) -> None:
        p.setFont(font(fs))
        p.setPen(muted)
        label_w = fs * 4.6
        p.drawText(QRectF(r.x(), r.y(), label_w, r.height()), _ALIGN_LEFT, "workers")
        box = min(r.height() * 0.55, fs * 0.9)
        x = r.x() + label_w
        shown = min(v.workers, 12)
        for k in range(shown):
            busy = k < round(v.busy * shown / max(1, v.workers))
            p.setPen(QPen(QColor(server_color(v.index)), 1.5))
            p.setBrush(QColor(server_color(v.index)) if busy else Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(x + k * (box + 4), r.center().y() - box / 2, box, box))
        p.setPen(text)
        x += shown * (box + 4) + 10
        p.drawText(
            QRectF(x, r.y(), r.right() - x, r.height()),
            _ALIGN_LEFT,
            f"{v.busy}/{v.workers} busy · queue {v.queue:,}",
        )

    def _draw_chips(self, p: QPainter, r: QRectF, v: ServerView, fs: float, muted: QColor) -> None:
        p.setFont(font(fs))
        p.setPen(muted)
        label_w = fs * 4.6
        p.drawText(QRectF(r.x(), r.y(), label_w, r.height()), _ALIGN_LEFT, "sessions")
        chip = min(r.height() * 0.5, fs * 0.8)
        count_text = f"{v.sessions:,}"
        p.setPen(QColor(self.theme.text))
        p.setFont(font(fs, bold=True))
        count_w = p.fontMetrics().horizontalAdvance(count_text) + 10
        p.drawText(QRectF(r.x() + label_w, r.y(), count_w, r.height()), _ALIGN_LEFT, count_text)
        x0 = r.x() + label_w + count_w
        fits = max(0, int((r.right() - x0 - fs * 3) // (chip + 3)))
        users = v.recent_users[:fits]
        self.chips = []
        p.setPen(Qt.PenStyle.NoPen)
        for k, user in enumerate(users):
            color = USER_COLORS[user_color_index(user)]
            pos = QPointF(x0 + k * (chip + 3), r.center().y() - chip / 2)
            p.setBrush(QColor(color))
            p.drawRoundedRect(QRectF(pos.x(), pos.y(), chip, chip), 3, 3)
            self.chips.append((pos, color, user))
        self.chip_size = chip
        extra = v.sessions - len(users)
        if extra > 0:
            p.setPen(muted)
            p.setFont(font(fs * 0.85))
            x = x0 + len(users) * (chip + 3) + 4
            p.drawText(QRectF(x, r.y(), r.right() - x, r.height()), _ALIGN_LEFT, f"+{extra:,}")

    def _draw_memory(
        self, p: QPainter, r: QRectF, s: CardState, fs: float, text: QColor, muted: QColor
    ) -> None:
        v = s.view
        p.setFont(font(fs))
        p.setPen(muted)
        label_w = fs * 4.6
        p.drawText(QRectF(r.x(), r.y(), label_w, r.height()), _ALIGN_LEFT, "memory")
        value = fmt_mb(v.memory_mb) + (f" / {fmt_mb(s.cap_mb)}" if s.cap_mb > 0 else "")
        p.setFont(font(fs, bold=True))
        vw = p.fontMetrics().horizontalAdvance(value) + 12
        bar = QRectF(r.x() + label_w, r.center().y() - r.height() * 0.22, 0, r.height() * 0.44)
        bar.setWidth(max(20.0, r.width() - label_w - vw))
        p.setPen(QPen(QColor(self.theme.card_border), 1.0))
        p.setBrush(QColor(self.theme.canvas))
        p.drawRoundedRect(bar, 4, 4)
        frac = min(1.0, v.memory_mb / s.mem_scale_mb) if s.mem_scale_mb > 0 else 0.0
        if frac > 0:
            fill = QRectF(bar.x(), bar.y(), bar.width() * frac, bar.height())
            near_cap = s.cap_mb > 0 and v.memory_mb > 0.85 * s.cap_mb
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(FAILURE if near_cap else server_color(v.index)))
            p.drawRoundedRect(fill, 4, 4)
        p.setPen(text)
        p.drawText(QRectF(bar.right() + 8, r.y(), vw, r.height()), _ALIGN_LEFT, value)

    def _draw_down(self, p: QPainter, body: QRectF, v: ServerView) -> None:
        big = min(body.height() * 0.5, 56.0)
        label = "✖ DOWN"
        f = font(big * 0.75, bold=True)
        text_w = QFontMetricsF(f).horizontalAdvance(label)
        badge = QRectF(0, 0, text_w + big * 0.8, big * 1.1)
        # left of middle, clear of the entry point where failure codes flash
        badge.moveCenter(QPointF(body.x() + body.width() * 0.36, body.center().y()))
        badge.moveLeft(max(badge.left(), body.x() + body.width() * 0.14))
        p.setPen(QPen(QColor("#FFFFFF"), 3))
        p.setBrush(QColor(FAILURE))
        p.drawRoundedRect(badge, 10, 10)
        p.setPen(QColor("#FFFFFF"))
        p.setFont(f)
        p.drawText(badge, _CENTER, label)
        note = (
            "balancer still sending (health check pending)"
            if v.in_rotation
            else "out of rotation · click to restart"
        )
        p.setFont(font(min(17.0, body.height() * 0.18)))
        p.setPen(QColor("#E0E0E0"))
        p.drawText(
            QRectF(badge.right() + 12, body.y(), body.right() - badge.right() - 20, body.height()),
            _ALIGN_LEFT | Qt.TextFlag.TextWordWrap,
            note,
        )


def draw_server_symbol(p: QPainter, index: int, box: QRectF) -> None:
    """The server's plot symbol in its colour; outlined for servers 9-16."""
    color = QColor(server_color(index))
    p.save()
    p.translate(box.center())
    p.scale(box.width(), box.height())
    if server_hollow(index):
        p.setPen(QPen(color, 2.5 / box.width()))
        p.setBrush(Qt.BrushStyle.NoBrush)
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
    p.drawPath(symbol_path(server_symbol(index)))
    p.restore()


def card_tooltip(v: ServerView, cap_mb: float) -> str:
    state = "UP" if v.up else "DOWN"
    rotation = "in rotation" if v.in_rotation else "out of rotation"
    cap = f" (cap {fmt_mb(cap_mb)})" if cap_mb > 0 else ""
    action = "restart" if not v.up else "crash"
    return (
        f"{v.name} — {state}, {rotation}\n"
        f"workers: {v.busy} of {v.workers} busy, queue {v.queue:,}\n"
        f"sessions: {v.sessions:,} = {fmt_mb(v.memory_mb)}{cap}\n"
        f"utilisation {v.utilization:.0%}, {v.rps:,.0f} req/s\n"
        f"served {v.served:,}, failed {v.failed:,}, crashes {v.crashes}\n"
        f"Click: {action} · right-click: more"
    )


class StoreNode(Node):
    """The shared session store, drawn as a database cylinder."""

    def __init__(self, rect: Rect, theme: Theme) -> None:
        super().__init__(rect, theme)
        self.setZValue(5)
        self.chips: list[tuple[QPointF, str, int]] = []
        self.chip_size = 9.0

    def set_view(self, view: StoreView) -> None:
        if self._changed(view):
            action = "restore" if not view.up else "crash"
            self.setToolTip(
                f"Session store — {'UP' if view.up else 'DOWN'}\n"
                f"sessions: {view.sessions:,} = {fmt_mb(view.memory_mb)}\n"
                f"replicas: {view.replicas} · round trip {view.latency_ms:g} ms\n"
                f"Click: {action}"
            )

    def _draw(self, p: QPainter, r: QRectF) -> None:
        t = self.theme
        v = self._state if isinstance(self._state, StoreView) else None
        if v is None:
            return
        down = not v.up
        fill = QColor(t.card_down if down else t.card)
        edge = QColor(FAILURE if down else t.text)
        ell = r.height() * 0.12
        body = QPainterPath()
        body.moveTo(r.x(), r.y() + ell / 2)
        body.lineTo(r.x(), r.bottom() - ell / 2)
        body.arcTo(QRectF(r.x(), r.bottom() - ell, r.width(), ell), 180, 180)
        body.lineTo(r.right(), r.y() + ell / 2)
        body.arcTo(QRectF(r.x(), r.y(), r.width(), ell), 0, 180)
        p.setPen(QPen(edge, 3))
        p.setBrush(fill)
        p.drawPath(body)
        p.drawEllipse(QRectF(r.x(), r.y(), r.width(), ell))
        text = QColor("#F2F2F2") if down else QColor(t.text)
        muted = QColor("#B0B0B0") if down else QColor(t.muted)
        inner = r.adjusted(10, ell + 6, -10, -ell)
        row = inner.height() / 6
        p.setPen(text)
        p.setFont(font(22, bold=True))
        p.drawText(QRectF(inner.x(), inner.y(), inner.width(), row), _CENTER, "Session store")
        badge = QRectF(inner.center().x() - 60, inner.y() + row * 1.1, 120, row * 0.9)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(FAILURE if down else GREEN))
        p.drawRoundedRect(badge, 6, 6)
        p.setPen(QColor("#FFFFFF"))
        p.setFont(font(17, bold=True))
        p.drawText(badge, _CENTER, "✖ DOWN" if down else "UP")
        p.setPen(text)
        p.setFont(font(19, bold=True))
        centred_line(p, inner, row, 2.2, f"{v.sessions:,} sessions")
        p.setFont(font(18))
        centred_line(p, inner, row, 3.1, fmt_mb(v.memory_mb))
        p.setPen(muted)
        p.setFont(font(15))
        centred_line(p, inner, row, 4.0, f"+{v.latency_ms:g} ms per request")
        centred_line(p, inner, row, 4.8, f"{v.replicas} replica{'s' if v.replicas != 1 else ''}")
        self.chips = []
        if not down:
            chip = 9.0
            per_row = int((inner.width() - 10) // (chip + 2))
            for k, user in enumerate(v.recent_users[: per_row * 1]):
                pos = QPointF(inner.x() + 5 + k * (chip + 2), inner.y() + row * 5.7)
                color = USER_COLORS[user_color_index(user)]
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(color))
                p.drawRect(QRectF(pos.x(), pos.y(), chip, chip))
                self.chips.append((pos, color, user))


class Wires(QGraphicsItem):
    """Faint connections: lanes → balancer → servers (→ store)."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self._lines: list[tuple[QPointF, QPointF, bool]] = []
        self._bounds = QRectF()
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_lines(self, lines: list[tuple[QPointF, QPointF, bool]], bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self._lines = lines
        self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for a, b, dashed in self._lines:
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            painter.setPen(QPen(QColor(self.theme.grid), 2.0, style))
            painter.drawLine(a, b)


class ChipBurst(QGraphicsItem):
    """A crashed holder's session chips flying apart and fading (wall-clock animation)."""

    LIFETIME_S = 1.4

    def __init__(
        self, chips: list[tuple[QPointF, str, int]], center: QPointF, size: float, t0: float
    ) -> None:
        super().__init__()
        self.t0 = t0  # wall time the crash is shown to have happened
        self.size = size
        self.parts = []
        for k, (pos, color, _) in enumerate(chips):
            angle = (k * 2.399963) % (2 * math.pi)  # golden-angle spread
            speed = 140.0 + (k * 37 % 90)
            d = QPointF(pos.x() - center.x(), pos.y() - center.y())
            norm = math.hypot(d.x(), d.y()) or 1.0
            vx = d.x() / norm * speed * 0.6 + math.cos(angle) * speed * 0.7
            vy = d.y() / norm * speed * 0.6 + math.sin(angle) * speed * 0.7 - 60.0
            self.parts.append((pos, vx, vy, QColor(color)))
        self.setZValue(25)
        self._age = 0.0

    @property
    def done(self) -> bool:
        return self._age >= self.LIFETIME_S

    def tick(self, wall: float | None = None) -> None:
        self._age = (time.monotonic() if wall is None else wall) - self.t0
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-400, -400, 3200, 2400)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = min(self._age, self.LIFETIME_S)
        alpha = max(0.0, 1.0 - t / self.LIFETIME_S)
        painter.setOpacity(alpha)
        painter.setPen(Qt.PenStyle.NoPen)
        for pos, vx, vy, color in self.parts:
            x = pos.x() + vx * t
            y = pos.y() + vy * t + 260.0 * t * t  # a little gravity
            painter.setBrush(QBrush(color))
            painter.drawRoundedRect(QRectF(x, y, self.size, self.size), 3, 3)
        painter.setOpacity(1.0)


class Banner(QGraphicsItem):
    """A short notice at the top of the canvas (e.g. "Paused — press Space to run")."""

    def __init__(self, text: str, theme: Theme) -> None:
        super().__init__()
        self.text = text
        self.theme = theme
        self._font = font(22, bold=True)
        self.setZValue(40)

    def boundingRect(self) -> QRectF:
        return QRectF(-230, 0, 460, 44)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.boundingRect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.theme.text))
        painter.drawRoundedRect(r, 10, 10)
        painter.setPen(QColor(self.theme.card))
        painter.setFont(self._font)
        painter.drawText(r, _CENTER, self.text)


class Caption(QGraphicsItem):
    """A large caption across the canvas for a few seconds (presenter mode)."""

    LIFETIME_S = 4.0

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.text = ""
        self.t0 = -1e9
        self._age = 1e9
        self._font = font(34, bold=True)
        self.setZValue(45)

    def show_text(self, text: str, wall: float) -> None:
        self.text, self.t0 = text, wall
        self.tick(wall)

    def tick(self, wall: float) -> None:
        age = wall - self.t0
        visible = age < self.LIFETIME_S
        if visible or self._age < self.LIFETIME_S:
            self.update()
        self._age = age

    @property
    def showing(self) -> bool:
        return self._age < self.LIFETIME_S and bool(self.text)

    def boundingRect(self) -> QRectF:
        return QRectF(-700, -40, 1400, 80)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.showing:
            return
        fade = max(0.0, min(1.0, (self.LIFETIME_S - self._age) / 0.6))
        painter.setOpacity(fade)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font)
        width = min(1380.0, QFontMetricsF(self._font).horizontalAdvance(self.text) + 60)
        r = QRectF(-width / 2, -36, width, 72)
        painter.setPen(QPen(QColor("#FFFFFF"), 3))
        painter.setBrush(QColor(0, 0, 0, 215))
        painter.drawRoundedRect(r, 14, 14)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(r, _CENTER, self.text)
        painter.setOpacity(1.0)


def chip_at(node: ServerCard | StoreNode, pos: QPointF) -> int | None:
    """The user whose session chip is drawn at ``pos`` (scene coordinates), if any."""
    size = node.chip_size
    for top_left, _, user in node.chips:
        if QRectF(top_left.x(), top_left.y(), size, size).adjusted(-2, -2, 2, 2).contains(pos):
            return user
    return None


class FollowMarks(QGraphicsItem):
    """The followed user, marked on the canvas: a ring round each of their requests and
    their session chip, and their server's card outlined with a label."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.user: int | None = None
        self.points: list[QPointF] = []
        self.chip: QRectF | None = None
        self.card: QRectF | None = None
        self.setZValue(35)

    def boundingRect(self) -> QRectF:
        return QRectF(-50, -50, 1700, 1400)

    def show(self, user: int | None, points, chip: QRectF | None, card: QRectF | None) -> None:
        self.user, self.points, self.chip, self.card = user, points, chip, card
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.user is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = QColor(self.theme.text)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(ink, 3.0))
        for p in self.points:
            painter.drawEllipse(p, 14.0, 14.0)
        if self.chip is not None:
            painter.drawRoundedRect(self.chip.adjusted(-4, -4, 4, 4), 4, 4)
        if self.card is not None:
            painter.setPen(QPen(ink, 3.0, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(self.card.adjusted(-6, -6, 6, 6), 14, 14)
            label = f"following user {self.user}"
            painter.setFont(font(15, bold=True))
            width = painter.fontMetrics().horizontalAdvance(label) + 16
            box = QRectF(self.card.right() - width, self.card.y() - 24, width, 22)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ink)
            painter.drawRoundedRect(box, 6, 6)
            painter.setPen(QColor(self.theme.card))
            painter.drawText(box, _CENTER, label)
