"""The static-looking parts of the canvas: lanes, balancer, server cards, store, wires.

Items repaint only when what they show changes (they are device-cached), so a frame
costs little more than the request dots. Sizes are scene units; fonts scale with cards.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from visualizer.sim.snapshot import StoreView
from visualizer.ui.canvas.layout import Rect
from visualizer.ui.lesson_views import HeadlineRow
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

ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter


@cache
def _family() -> str:
    """The family the default font resolves to, named (an SVG then says which font)."""
    return QFontInfo(QFont()).family() or "DejaVu Sans"


def font(px: float, bold: bool = False) -> QFont:
    f = QFont(_family())
    f.setPixelSize(max(8, round(px)))
    f.setBold(bold)
    return f


def fitted(text: str, px: float, width: float, bold: bool = False, least: float = 0.6) -> QFont:
    """The font of ``px`` pixels, shrunk (to ``least`` of it at most) until ``text`` fits
    ``width``."""
    size = px
    while size > px * least and QFontMetricsF(font(size, bold)).horizontalAdvance(text) > width:
        size *= 0.92
    return font(size, bold)


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
    p.drawText(QRectF(box.x(), box.y() + row_h * at, box.width(), row_h), CENTER, text)


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
        p.drawText(h.adjusted(4, 0, 0, -h.height() / 2), ALIGN_LEFT, "Clients")
        p.setPen(QColor(t.muted))
        p.setFont(font(17))
        users = self._state if isinstance(self._state, int) else 0
        p.drawText(h.adjusted(4, h.height() / 2, 0, 0), ALIGN_LEFT, f"{users:,} users online")
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
            p.drawText(lr.adjusted(22 + n * size * 1.15, 0, -8, 0), ALIGN_RIGHT, f"lane {i + 1}")


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
        p.drawText(QRectF(r.x(), r.y() + 6, r.width(), row * 1.2), CENTER, "Load balancer")
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
        p.drawText(badge, CENTER, "STICKY ✓" if s.sticky else "not sticky")
        p.setPen(QColor(t.muted))
        p.setFont(font(16))
        centred_line(p, r, row, 3.8, f"health check {s.health_check_s:g} s")
        centred_line(p, r, row, 4.7, f"{s.in_rotation}/{s.live} in rotation")


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
        p.drawText(QRectF(inner.x(), inner.y(), inner.width(), row), CENTER, "Session store")
        badge = QRectF(inner.center().x() - 60, inner.y() + row * 1.1, 120, row * 0.9)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(FAILURE if down else GREEN))
        p.drawRoundedRect(badge, 6, 6)
        p.setPen(QColor("#FFFFFF"))
        p.setFont(font(17, bold=True))
        p.drawText(badge, CENTER, "✖ DOWN" if down else "UP")
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
    """A short notice in the free space above the balancer (e.g. "Paused — press Space
    to run"): never over a card."""

    def __init__(self, text: str, theme: Theme) -> None:
        super().__init__()
        self.text = text
        self.theme = theme
        self._font = font(22, bold=True)
        self._rect = QRectF(0, 0, 400, 44)
        self.setZValue(40)

    def place(self, room: Rect) -> None:
        """Centred at the top of ``room``, as wide as the text needs (within the room)."""
        self.prepareGeometryChange()
        self._font = font(22, bold=True)
        need = QFontMetricsF(self._font).horizontalAdvance(self.text) + 40
        if need > room.w > 0:  # a narrow room (compare mode): smaller type, all the text
            self._font = font(max(9.0, 22 * (room.w - 40) / (need - 40)), bold=True)
        width = min(room.w, QFontMetricsF(self._font).horizontalAdvance(self.text) + 40)
        self._rect = QRectF(room.x + (room.w - width) / 2, room.y, width, 44)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self._rect
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.theme.text))
        painter.drawRoundedRect(r, 10, 10)
        painter.setPen(QColor(self.theme.card))
        painter.setFont(self._font)
        painter.drawText(r, CENTER, self.text)


class Caption(QGraphicsItem):
    """A large caption for a few seconds (presenter mode), in the free space above the
    balancer, wrapped to fit it: never over a card's live numbers."""

    LIFETIME_S = 4.0

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.text = ""
        self.t0 = -1e9
        self._age = 1e9
        self._font = font(30, bold=True)
        self._room = QRectF(0, 60, 400, 160)
        self.setZValue(45)

    def place(self, room: Rect) -> None:
        self.prepareGeometryChange()
        self._room = QRectF(room.x, room.y, room.w, room.h)

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
        return self._room

    def text_rect(self) -> QRectF:
        """Where the caption's box is drawn (inside the room, below the paused banner)."""
        room = self._room.adjusted(0, 52, 0, 0)
        fm = QFontMetricsF(self._font)
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter)
        needed = fm.boundingRect(room.adjusted(16, 0, -16, 0), flags, self.text)
        height = min(room.height(), needed.height() + 24)
        return QRectF(room.x(), room.y(), room.width(), height)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.showing:
            return
        fade = max(0.0, min(1.0, (self.LIFETIME_S - self._age) / 0.6))
        painter.setOpacity(fade)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self._font)
        r = self.text_rect()
        painter.setPen(QPen(QColor("#FFFFFF"), 3))
        painter.setBrush(QColor(0, 0, 0, 215))
        painter.drawRoundedRect(r, 14, 14)
        painter.setPen(QColor("#FFFFFF"))
        painter.drawText(r.adjusted(16, 8, -16, -8), CENTER | Qt.TextFlag.TextWordWrap, self.text)
        painter.setOpacity(1.0)


@dataclass(frozen=True)
class Headline:
    """The story so far in three numbers, always on the canvas (the lesson's view picks
    them: sessions lost, users sent back to log in, failed requests for sessions)."""

    rows: tuple[HeadlineRow, ...]


class HeadlineCounters(Node):
    """The lesson's headline numbers in large type below the balancer (bad news in the
    failure red once above zero): no legend to read."""

    def __init__(self, theme: Theme) -> None:
        super().__init__(Rect(0, 0, 10, 10), theme)
        self.setZValue(6)

    def set_headline(self, headline: Headline) -> None:
        self._changed(headline)

    def _draw(self, p: QPainter, r: QRectF) -> None:
        h = self._state if isinstance(self._state, Headline) else None
        if h is None or r.height() < 60:
            return
        rows = [
            (f"{row.number:,}", row.label, FAILURE if row.bad and row.number else self.theme.text)
            for row in h.rows
        ]
        row_h = min(r.height() / 3, 58.0)
        big = row_h * 0.62
        top = r.y() + (r.height() - 3 * row_h) / 2
        for k, (number, label, color) in enumerate(rows):
            row = QRectF(r.x(), top + k * row_h, r.width(), row_h)
            p.setFont(font(big, bold=True))
            p.setPen(QColor(color))
            number_w = QFontMetricsF(font(big, bold=True)).horizontalAdvance(number) + 12
            p.drawText(QRectF(row.x(), row.y(), number_w, row_h), ALIGN_LEFT, number)
            p.setFont(font(big * 0.5))
            p.setPen(QColor(self.theme.muted))
            rest = QRectF(row.x() + number_w, row.y(), row.width() - number_w, row_h)
            p.drawText(rest, ALIGN_LEFT | Qt.TextFlag.TextWordWrap, label)


def chip_at(node: Node, pos: QPointF) -> int | None:
    """The user whose session chip is drawn at ``pos`` (scene coordinates), if any."""
    size = node.chip_size  # type: ignore[attr-defined]
    for top_left, _, user in node.chips:  # type: ignore[attr-defined]
        if QRectF(top_left.x(), top_left.y(), size, size).adjusted(-2, -2, 2, 2).contains(pos):
            return user
    return None


class UserMarks(QGraphicsItem):
    """A mark on the dots of the users a lesson points out (revoked users still getting
    in): a ring crossed by a slash, in the REVOKED colour, round each of their requests."""

    def __init__(self, color: str) -> None:
        super().__init__()
        self.color = color
        self.points: list[QPointF] = []
        self.setZValue(34)

    def boundingRect(self) -> QRectF:
        return QRectF(-50, -50, 1700, 1400)

    def show(self, points: list[QPointF]) -> None:
        if points or self.points:
            self.points = points
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.points:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(self.color), 2.5))
        r = 11.0
        slash = r * 0.7
        for p in self.points:
            painter.drawEllipse(p, r, r)
            painter.drawLine(
                QPointF(p.x() - slash, p.y() + slash), QPointF(p.x() + slash, p.y() - slash)
            )


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
            painter.drawText(box, CENTER, label)
