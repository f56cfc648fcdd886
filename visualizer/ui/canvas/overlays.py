"""What is drawn over the picture: the pause banner, captions, the headline numbers, the
marks on followed and revoked users' dots, and a crashed holder's chips flying apart.
Sizes are scene units, like the nodes under them."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from visualizer.ui.canvas.layout import Rect
from visualizer.ui.canvas.nodes import ALIGN_LEFT, CENTER, Node, font, least_px
from visualizer.ui.canvas.painted import device_scale, draw_text, floor, unit_floor
from visualizer.ui.colors import FAILURE, Theme
from visualizer.ui.lesson.views import HeadlineRow


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

    def __init__(self, text: str, theme: Theme, short: str = "") -> None:
        super().__init__()
        self.text = text
        self.short = short or text  # what it says where the whole text does not fit
        self.theme = theme
        self._room = QRectF(0, 0, 400, 44)
        self.setZValue(40)

    def place(self, room: Rect) -> None:
        """Centred at the top of ``room``."""
        self.prepareGeometryChange()
        self._room = QRectF(room.x, room.y, room.w, max(room.h, 44.0))

    def boundingRect(self) -> QRectF:
        return self._room

    def shown(self) -> tuple[QRectF, QFont, str]:
        """Its box, type and words as drawn: 22 px bold, smaller in a narrow room (compare
        mode), never under the floor (presenter mode: then the short words)."""
        room = self._room
        least = unit_floor()
        said = (self.text, self.short, self.short.split()[0])  # ("❚❚" at the narrowest)
        for text in said:
            f = font(22, bold=True)
            need = QFontMetricsF(f).horizontalAdvance(text) + 40
            if need > room.width() > 0:
                f = font(max(9.0, least, 22 * (room.width() - 40) / (need - 40)), bold=True)
            fm = QFontMetricsF(f)
            if fm.horizontalAdvance(text) + 24 <= room.width() or text == said[-1]:
                break
        width = min(room.width(), fm.horizontalAdvance(text) + 40)
        height = max(44.0, fm.height() + 12)
        return QRectF(room.x() + (room.width() - width) / 2, room.y(), width, height), f, text

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        with floor(least_px(self), device_scale(painter)):
            r, f, text = self.shown()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(self.theme.text))
            painter.drawRoundedRect(r, 10, 10)
            painter.setPen(QColor(self.theme.card))
            painter.setFont(f)
            draw_text(painter, r, CENTER, text)


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

    #: the caption's type in pixels: as large as fits its room, never under what the back
    #: of a room reads at 1280×720
    MAX_PX, MIN_PX = 30, 16

    def text_rect(self) -> QRectF:
        """Where the caption's box is drawn (inside the room, below the paused banner),
        with the type shrunk until the wrapped text fits it whole (it was cut)."""
        room = self._room.adjusted(0, 52, 0, 0)
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter)
        least = max(self.MIN_PX, math.ceil(unit_floor()))  # (presenter mode's floor)
        size = max(self.MAX_PX, least)
        while True:
            self._font.setPixelSize(size)
            fm = QFontMetricsF(self._font)
            needed = fm.boundingRect(room.adjusted(16, 0, -16, 0), flags, self.text)
            if needed.height() + 24 <= room.height() or size <= least:
                break
            size -= 1
        height = min(room.height(), needed.height() + 24)
        return QRectF(room.x(), room.y(), room.width(), height)

    def fits(self) -> bool:
        """Whether the text fits its box whole (a test reads it)."""
        r = self.text_rect().adjusted(16, 8, -16, -8)
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter)
        needed = QFontMetricsF(self._font).boundingRect(r, flags, self.text)
        return needed.height() <= r.height() + 0.5 and needed.width() <= r.width() + 0.5

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if not self.showing:
            return
        fade = max(0.0, min(1.0, (self.LIFETIME_S - self._age) / 0.6))
        painter.setOpacity(fade)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        with floor(least_px(self), device_scale(painter)):
            r = self.text_rect()
            painter.setFont(self._font)
            painter.setPen(QPen(QColor("#FFFFFF"), 3))
            painter.setBrush(QColor(0, 0, 0, 215))
            painter.drawRoundedRect(r, 14, 14)
            painter.setPen(QColor("#FFFFFF"))
            room = r.adjusted(16, 8, -16, -8)
            draw_text(painter, room, CENTER | Qt.TextFlag.TextWordWrap, self.text)
        painter.setOpacity(1.0)


@dataclass(frozen=True)
class Headline:
    """The story so far in three numbers, always on the canvas (the lesson's view picks
    them: sessions lost, users sent back to log in, failed requests for sessions)."""

    rows: tuple[HeadlineRow, ...]


def label_px(label: str, big: float, width: float) -> float:
    """A headline number's words: as large as fit one line beside it (three quarters of
    the number's size at most, half at least; then they wrap). At half, "sessions lost"
    read 10 px on a 1280×720 projector."""
    px = big * 0.75
    while px > big * 0.5 and QFontMetricsF(font(px)).horizontalAdvance(label) > width - 2:
        px -= 0.5
    return max(px, big * 0.5)


class HeadlineCounters(Node):
    """The lesson's headline numbers in large type below the balancer (bad news in the
    failure red once above zero): no legend to read."""

    def __init__(self, theme: Theme) -> None:
        super().__init__(Rect(0, 0, 10, 10), theme)
        self.setZValue(21)  # above the dots passing by: nothing covers a live number

    def set_headline(self, headline: Headline) -> None:
        self._changed(headline)

    def _draw(self, p: QPainter, r: QRectF) -> None:
        h = self._state if isinstance(self._state, Headline) else None
        if h is None or r.height() < 60:
            return
        rows = [
            (
                f"{row.number:,}",
                (row.label, row.short) if row.short else (row.label,),
                FAILURE if row.bad and row.number else self.theme.text,
            )
            for row in h.rows
        ]
        row_h = min(r.height() / 3, 58.0)
        big = row_h * 0.62
        flags = ALIGN_LEFT | Qt.TextFlag.TextWordWrap
        tallest = max(row_h, r.height() / 2)  # a row after the first may take this much
        # (number, label, colour, number width, label font, row height, label under it)
        placed = []
        for number, labels, color in rows:
            number_fm = QFontMetricsF(font(big, True, key=True))
            number_w = number_fm.horizontalAdvance(number) + 12
            for label in labels:  # the whole label, else its short form (presenter's floor)
                room = QRectF(0, 0, r.width() - number_w, 10_000)
                small = font(label_px(label, big, room.width()))
                need = QFontMetricsF(small).boundingRect(room, int(flags), label)
                under = need.width() > room.width() + 0.5
                if under:  # (a word wider than the room beside the number) the words
                    # under the number, across the whole width
                    room = QRectF(0, 0, r.width(), 10_000)
                    need = QFontMetricsF(small).boundingRect(room, int(flags), label)
                    h = number_fm.height() + need.height()
                else:
                    h = max(row_h, need.height())
                if need.width() <= room.width() + 0.5 and h <= (tallest if placed else r.height()):
                    placed.append((number, label, color, number_w, small, h, under))
                    break
            # (none fits: the number goes with its words; the scoreboard shows it)
        while placed and sum(x[5] for x in placed) > r.height():
            placed.pop()  # the first numbers tell the story; the rest do not fit
        top = r.y() + max(0.0, (r.height() - sum(x[5] for x in placed)) / 2)
        plate = QColor(self.theme.canvas)
        plate.setAlpha(225)  # (dots passing by show through faintly, not over the digits)
        for _number, label, _color, number_w, small, h, under in placed:
            words = QFontMetricsF(small).boundingRect(
                QRectF(0, 0, r.width() - (0 if under else number_w), h), int(flags), label
            )
            wide = max(number_w, words.width()) if under else number_w + words.width()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(plate)
            p.drawRoundedRect(QRectF(r.x() - 4, top, min(r.width(), wide) + 8, h), 6, 6)
            top += h
        top -= sum(x[5] for x in placed)
        for number, label, color, number_w, small, h, under in placed:
            p.setFont(font(big, bold=True, key=True))
            p.setPen(QColor(color))
            line = QFontMetricsF(p.font()).height() if under else h
            draw_text(p, QRectF(r.x(), top, number_w, line), ALIGN_LEFT, number, "number")
            if under:
                rest = QRectF(r.x(), top + line, r.width(), h - line)
            else:
                rest = QRectF(r.x() + number_w, top, r.width() - number_w, h)
            p.setFont(small)
            p.setPen(QColor(self.theme.muted))
            draw_text(p, rest, flags, label)
            top += h


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
            draw_text(painter, box, CENTER, label)
