"""The static-looking parts of the canvas: lanes, balancer, store, wires (cards are in
card.py, tier nodes in tiers.py, what is drawn over them in overlays.py).

Items repaint only when what they show changes (they are device-cached), so a frame
costs little more than the request dots. Sizes are scene units; fonts scale with cards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
from visualizer.ui.canvas.painted import device_scale, draw_text, floor, unit_floor
from visualizer.ui.canvas.shapes import symbol_path
from visualizer.ui.colors import (
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


def font(px: float, bold: bool = False, key: bool = False) -> QFont:
    """The canvas's type at ``px`` units (under presenter mode's floor, at least that; a
    name or key number, ``key``, at least its larger floor)."""
    f = QFont(_family())
    f.setPixelSize(max(8, round(px), math.ceil(unit_floor(key))))
    f.setBold(bold)
    return f


def fitted(
    text: str, px: float, width: float, bold: bool = False, least: float = 0.6, key: bool = False
) -> QFont:
    """The font of ``px`` pixels, shrunk (to ``least`` of it at most) until ``text`` fits
    ``width``."""
    size = px
    while (
        size > px * least and QFontMetricsF(font(size, bold, key)).horizontalAdvance(text) > width
    ):
        size *= 0.92
    return font(size, bold, key)


def qrect(r: Rect) -> QRectF:
    return QRectF(r.x, r.y, r.w, r.h)


def fmt_mb(mb: float) -> str:
    if mb >= 1000:
        return f"{mb / 1000:,.2f} GB"
    if mb >= 100:
        return f"{mb:,.0f} MB"
    return f"{mb:,.1f} MB"


def say_fitting(
    p: QPainter, box: QRectF, flags: Qt.AlignmentFlag, said: Sequence[str], role: str = ""
) -> str:
    """The first of ``said`` (longest first) that fits ``box`` in the painter's font,
    drawn; the last if none does (under presenter mode's floor it is then left out)."""
    fm = QFontMetricsF(p.font())
    for text in said:
        ink = fm.boundingRect(box, int(flags), text)
        if ink.width() <= box.width() + 0.5 and ink.height() <= box.height() + 0.5:
            break
    draw_text(p, box, flags, text, role)
    return text


def _number_and_noun(words: str) -> tuple[str, ...]:
    """Shorter words for "29 users revoked": "29 revoked" (a number keeps a noun); none
    for words that do not start with a number."""
    first, *rest = words.split(" ")
    if not rest or not first.replace(",", "").replace(".", "").isdigit():
        return ()
    return (f"{first} {rest[-1]}",)


def centred_line(p: QPainter, box: QRectF, row_h: float, at: float, text: str) -> None:
    """Text centred on the row starting ``at`` row heights into ``box``."""
    draw_text(p, QRectF(box.x(), box.y() + row_h * at, box.width(), row_h), CENTER, text)


def least_px(item: QGraphicsItem) -> float:
    """The smallest type the item's scene allows, in device pixels (presenter mode; 0:
    any size)."""
    return float(getattr(item.scene(), "least_px", 0.0))


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
        with floor(least_px(self), device_scale(painter)):
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
        users = self._state if isinstance(self._state, int) else 0
        two = QFontMetricsF(font(24, bold=True)).height() + QFontMetricsF(font(17)).height()
        if unit_floor() > 0 and two > h.height():
            # presenter mode's floor: one line, as much of it as fits ("309 users")
            p.setPen(QColor(t.text))
            p.setFont(font(17))
            fm = QFontMetricsF(p.font())
            said = [f"{users:,} users online", f"{users:,} users", f"{users:,} online"]
            line = next((s for s in said if fm.horizontalAdvance(s) <= h.width() - 4), said[-1])
            draw_text(p, h.adjusted(4, 0, 0, 0), ALIGN_LEFT, line)
        else:
            p.setPen(QColor(t.text))
            p.setFont(font(24, bold=True))
            draw_text(p, h.adjusted(4, 0, 0, -h.height() / 2), ALIGN_LEFT, "Clients")
            p.setPen(QColor(t.muted))
            p.setFont(font(17))
            online = f"{users:,} users online"
            draw_text(p, h.adjusted(4, h.height() / 2, 0, 0), ALIGN_LEFT, online)
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
            draw_text(p, lr.adjusted(22 + n * size * 1.15, 0, -8, 0), ALIGN_RIGHT, f"lane {i + 1}")


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
        p.setFont(font(24, bold=True, key=True))
        row = r.height() / 6
        if unit_floor() > 0 and s is not None:
            self._draw_stacked(p, r, s)
            return
        title = QRectF(r.x() + 2, r.y() + 6, r.width() - 4, row * 1.2)
        say_fitting(p, title, CENTER, ("Load balancer", "Balancer", "LB"), "name")
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
        draw_text(p, badge, CENTER, "STICKY ✓" if s.sticky else "not sticky")
        p.setPen(QColor(t.muted))
        p.setFont(second if s.bold else font(16))
        centred_line(p, r, row, 3.8, f"health check {s.health_check_s:g} s")
        centred_line(p, r, row, 4.7, f"{s.in_rotation}/{s.live} in rotation")

    def _draw_stacked(self, p: QPainter, r: QRectF, s: BalancerState) -> None:
        """Presenter mode's floor: name, algorithm, sticky badge, then what else fits,
        one under another, each line as tall as its type."""
        t = self.theme
        y, bottom = r.y() + 4, r.bottom() - 4
        lines: list[tuple[QFont, str, tuple[str, ...], str]] = [
            (font(24, True, key=True), t.text, ("Load balancer", "Balancer", "LB"), "name"),
            (font(19), t.text, (s.algorithm.replace("_", " "),), ""),
            (font(18, bold=True), "", ("STICKY ✓" if s.sticky else "not sticky",), "badge"),
            (font(16), t.muted, (f"{s.in_rotation}/{s.live} in rotation",), ""),
            (font(16), t.muted, (f"health check {s.health_check_s:g} s",), ""),
        ]
        shown = []  # the lines that fit, with their heights
        for f, color, said, role in lines:
            fm = QFontMetricsF(f)
            h = fm.height() * (1.25 if role == "badge" else 1.02)
            if y + h > bottom:
                break
            if role != "name" and all(fm.horizontalAdvance(x) > r.width() - 6 for x in said):
                continue  # too wide in a room's type: left out, and no gap left for it
            shown.append((f, color, said, role, h))
            y += h
        y = r.y() + 4 + max(0.0, (bottom - y) / 2)  # (centred in the box)
        for f, color, said, role, h in shown:
            fm = QFontMetricsF(f)
            box = QRectF(r.x() + 3, y, r.width() - 6, h)
            p.setFont(f)
            if role == "badge":
                fill, ink, edge = sticky_badge(t, s.sticky)
                bw = min(box.width(), fm.horizontalAdvance(said[0]) + 16)
                badge = QRectF(box.center().x() - bw / 2, y + 1, bw, h - 2)
                p.setPen(Qt.PenStyle.NoPen if edge is None else QPen(QColor(edge), 2))
                p.setBrush(QColor(fill))
                p.drawRoundedRect(badge, 8, 8)
                p.setPen(QColor(ink))
                draw_text(p, badge, CENTER, said[0])
            else:
                p.setPen(QColor(color))
                say_fitting(p, box, CENTER, said, role)
            y += h


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
        status = "✖ DOWN" if down else "UP"
        replicas = f"{v.replicas} replica{'s' if v.replicas != 1 else ''}"
        trip = f"+{v.latency_ms:g} ms"
        if unit_floor() > 0:
            self._draw_stacked(p, inner.adjusted(0, 0, 0, -row), down, text, muted, [
                (font(22, bold=True, key=True), (name, "Store")),
                (font(17, bold=True), (status,)),
                (font(19, bold=True), (holds, *_number_and_noun(holds))),
                (font(18), (fmt_mb(v.memory_mb),)),
                (font(15), (f"{trip} per request", trip)),
                (font(15), (replicas,)),
            ])  # fmt: skip
        else:
            p.setPen(text)
            p.setFont(font(22, bold=True, key=True))
            title = QRectF(inner.x(), inner.y(), inner.width(), row)
            draw_text(p, title, CENTER, name, "name")
            badge = QRectF(inner.center().x() - 60, inner.y() + row * 1.1, 120, row * 0.9)
            self._status_badge(p, badge, down, status)
            p.setPen(text)
            p.setFont(font(19, bold=True))
            centred_line(p, inner, row, 2.2, holds)
            p.setFont(font(18))
            centred_line(p, inner, row, 3.1, fmt_mb(v.memory_mb))
            p.setPen(muted)
            # (presenter mode: the round trip and the replicas in type a room reads)
            p.setFont(fitted("+999 ms per request", 22.0, inner.width()) if bold else font(15))
            centred_line(p, inner, row, 4.0, f"{trip} per request")
            centred_line(p, inner, row, 4.8, replicas)
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

    @staticmethod
    def _status_badge(p: QPainter, badge: QRectF, down: bool, status: str) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(FAILURE if down else GREEN))
        p.drawRoundedRect(badge, 6, 6)
        p.setPen(QColor("#FFFFFF"))
        p.setFont(font(17, bold=True))
        draw_text(p, badge, CENTER, status)

    def _draw_stacked(
        self,
        p: QPainter,
        inner: QRectF,
        down: bool,
        text: QColor,
        muted: QColor,
        lines: list[tuple[QFont, tuple[str, ...]]],
    ) -> None:
        """Presenter mode's floor: the lines one under another, each as tall as its type,
        in the first words that fit the width; the lines that do not fit are left out."""
        y = inner.y()
        for k, (f, said) in enumerate(lines):
            fm = QFontMetricsF(f)
            h = fm.height() * (1.3 if k == 1 else 1.05)
            if y + h > inner.bottom():
                break
            box = QRectF(inner.x(), y, inner.width(), h)
            if k > 1 and all(fm.horizontalAdvance(x) > box.width() for x in said):
                continue  # too wide in a room's type: left out, and no gap left for it
            if k == 1:  # the status badge
                bw = min(inner.width(), fm.horizontalAdvance(said[0]) + 24)
                badge = QRectF(box.center().x() - bw / 2, y + 1, bw, h - 2)
                self._status_badge(p, badge, down, said[0])
            else:
                p.setPen(text if k < 4 else muted)
                p.setFont(f)
                say_fitting(p, box, CENTER, said, "name" if k == 0 else "")
            y += h


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
