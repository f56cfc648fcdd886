"""The static-looking parts of the canvas: lanes, balancer, store, wires (cards are in
card.py, tier nodes in tiers.py, what is drawn over them in overlays.py).

Items repaint only when what they show changes (they are device-cached), so a frame
costs little more than the request dots. Sizes are scene units; fonts scale with cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
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


def sticky_badge(theme: Theme, sticky: bool) -> tuple[str, str, str | None]:
    """The balancer's sticky badge: fill, text and outline (None: none). On: white on the
    status green; off: the card's own colours, outlined (grey fills read white on light
    grey in the high-contrast theme)."""
    if sticky:
        return GREEN, "#FFFFFF", None
    return theme.card, theme.text, theme.card_border


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
    bold: bool = False  # presenter mode: its lines in type a room reads


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
        # (in presenter mode the lines under the title read 15 px on a 1280x720
        # projector at least; they read 11)
        second = font(min(23.0, row * 0.75)) if s.bold else font(19)
        p.setFont(second)
        centred_line(p, r, row, 1.3, s.algorithm.replace("_", " "))
        badge = QRectF(r.x() + 22, r.y() + row * 2.5, r.width() - 44, row * 1.1)
        fill, ink, edge = sticky_badge(t, s.sticky)
        p.setPen(Qt.PenStyle.NoPen if edge is None else QPen(QColor(edge), 2))
        p.setBrush(QColor(fill))
        p.drawRoundedRect(badge, 8, 8)
        p.setPen(QColor(ink))
        p.setFont(font(18, bold=True))
        p.drawText(badge, CENTER, "STICKY ✓" if s.sticky else "not sticky")
        p.setPen(QColor(t.muted))
        p.setFont(second if s.bold else font(16))
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
        self.words = ("Session store", "")

    def set_view(
        self, view: StoreView, words: tuple[str, str] = ("Session store", ""), bold: bool = False
    ) -> None:
        """``words``: the store's name and what it holds, in the lesson's words ("Count
        store", "count 1,204"); empty: its sessions."""
        self.words = (words[0], words[1] or f"{view.sessions:,} sessions")
        if self._changed((view, self.words, bold)):
            action = "restore" if not view.up else "crash"
            self.setToolTip(
                f"{self.words[0]} — {'UP' if view.up else 'DOWN'}\n"
                f"{self.words[1]} = {fmt_mb(view.memory_mb)}\n"
                f"replicas: {view.replicas} · round trip {view.latency_ms:g} ms\n"
                f"Click: {action}"
            )

    def _draw(self, p: QPainter, r: QRectF) -> None:
        t = self.theme
        state = self._state
        v = state[0] if isinstance(state, tuple) and isinstance(state[0], StoreView) else None
        if v is None:
            return
        name, holds = state[1]
        bold = state[2]
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
        p.drawText(QRectF(inner.x(), inner.y(), inner.width(), row), CENTER, name)
        badge = QRectF(inner.center().x() - 60, inner.y() + row * 1.1, 120, row * 0.9)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(FAILURE if down else GREEN))
        p.drawRoundedRect(badge, 6, 6)
        p.setPen(QColor("#FFFFFF"))
        p.setFont(font(17, bold=True))
        p.drawText(badge, CENTER, "✖ DOWN" if down else "UP")
        p.setPen(text)
        p.setFont(font(19, bold=True))
        centred_line(p, inner, row, 2.2, holds)
        p.setFont(font(18))
        centred_line(p, inner, row, 3.1, fmt_mb(v.memory_mb))
        p.setPen(muted)
        # (presenter mode: the round trip and the replicas in type a room reads)
        p.setFont(fitted("+999 ms per request", 22.0, inner.width()) if bold else font(15))
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


def chip_at(node: Node, pos: QPointF) -> int | None:
    """The user whose session chip is drawn at ``pos`` (scene coordinates), if any."""
    size = node.chip_size  # type: ignore[attr-defined]
    for top_left, _, user in node.chips:  # type: ignore[attr-defined]
        if QRectF(top_left.x(), top_left.y(), size, size).adjusted(-2, -2, 2, 2).contains(pos):
            return user
    return None
