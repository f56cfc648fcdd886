"""A server card: name and status, its queue and workers, the sessions it holds (as chips
in their users' colours), its memory against a labelled scale, and, while it is down,
what its crash cost in large type.

Two styles: "full" (roomy windows) and "bold" (presenter mode, or a card drawn small):
fewer rows, bigger numbers, so server names and key numbers stay readable from the back
of a room (at least 20 px at 1280×720 in presenter mode).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from visualizer.sim.snapshot import ServerView
from visualizer.ui.canvas.layout import Rect
from visualizer.ui.canvas.nodes import (
    ALIGN_LEFT,
    ALIGN_RIGHT,
    CENTER,
    Node,
    draw_server_symbol,
    fitted,
    fmt_mb,
    font,
)
from visualizer.ui.canvas.painted import draw_text, unit_floor
from visualizer.ui.colors import FAILURE, GREEN, USER_COLORS, Theme, server_color, user_color_index

COMPACT_H = 80.0  # cards shorter than this (more than 16 servers) show one line
#: A card drawn shorter than this many pixels uses the bold style.
BOLD_BELOW_PX = 150.0


@dataclass(frozen=True)
class CardState:
    view: ServerView
    mem_scale_mb: float
    cap_mb: float
    bold: bool = False
    #: what the card says instead of its sessions ("sessions live in the shared store:
    #: +15 ms a request"; a lesson's own words), from the lesson's view
    words: str = ""
    #: what the DOWN badge says, when the lesson has its own words ("" for the loss)
    down: str = ""
    #: ``words`` in fewer words, where they do not fit presenter mode's type
    short: str = ""


def zone_width(card_w: float, bold: bool) -> float:
    """The width of a card's queue-and-workers zone (its left part)."""
    return card_w * (0.26 if bold else 0.36)


class ServerCard(Node):
    """One server card; ``set_view`` gives it new numbers (it repaints only on change)."""

    def __init__(self, index: int, rect: Rect, theme: Theme) -> None:
        super().__init__(rect, theme)
        self.index = index
        self.setZValue(5)
        self.hints = True  # what a click does ("click to restart"); off in exported files
        # last drawn chips: (top-left, colour, user) for the crash burst and for clicks
        self.chips: list[tuple[QPointF, str, int]] = []
        self.chip_size = 0.0
        self.name_px = 0.0  # the name's font size, in scene units (tests check readability)

    @property
    def view(self) -> ServerView | None:
        return self._state.view if isinstance(self._state, CardState) else None

    def set_view(
        self,
        view: ServerView,
        mem_scale_mb: float,
        cap_mb: float,
        bold: bool = False,
        words: str = "",
        down: str = "",
        short: str = "",
    ) -> bool:
        """Show new numbers; returns whether anything changed (and a repaint is due)."""
        if self._changed(CardState(view, mem_scale_mb, cap_mb, bold, words, down, short)):
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

    # --- drawing ------------------------------------------------------------------------

    def label_room(self) -> float:
        """The width a failure label may take on this card: its queue and workers zone
        (the rest holds its words and numbers)."""
        state = self._state if isinstance(self._state, CardState) else None
        bold = state.bold if state is not None else False
        return zone_width(self.rect.w, bold)

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
        if r.height() < COMPACT_H:
            self.chips = []
            self._draw_compact(p, r, v, text)
            return
        bold = state.bold
        head = r.height() * (0.4 if bold else 0.27)
        fs = min(36.0 if bold else 26.0, max(13.0, head * (0.64 if bold else 0.6)))
        self._draw_header(p, QRectF(r.x(), r.y(), r.width(), head), v, fs, text, muted)
        body = QRectF(r.x(), r.y() + head, r.width(), r.height() - head)
        if down:
            self.chips = []
            self._draw_down(p, body, v, state.down)
            return
        zone_w = zone_width(r.width(), bold)
        self._draw_zones(p, body, zone_w, v, muted, bold)
        info = QRectF(r.x() + zone_w + 12, body.y(), r.width() - zone_w - 24, body.height() - 6)
        if state.words:
            self.chips = []
            p.setPen(muted)
            flags = ALIGN_LEFT | Qt.TextFlag.TextWordWrap
            for words in (state.words, state.short or state.words):
                size = min(fs * 0.8, info.height() * 0.4)
                while size > 7.0:  # the whole sentence, in the type that fits
                    fits = QFontMetricsF(font(size)).boundingRect(info, flags, words)
                    if fits.height() <= info.height() and fits.width() <= info.width():
                        break
                    size *= 0.9
                if size > 7.0:  # (under presenter mode's floor: else the short words)
                    break
            p.setFont(font(size))
            draw_text(p, info, flags, words)
            return
        if bold:
            self._draw_bold_body(p, info, state, fs, text, muted)
            return
        rh = info.height() / 3
        fs2 = min(20.0, max(11.0, rh * 0.5))
        row = [QRectF(info.x(), info.y() + k * rh, info.width(), rh) for k in range(3)]
        self._draw_workers(p, row[0], v, fs2, text, muted)
        self._draw_chips(p, row[1], v, fs2, muted)
        self._draw_memory(p, row[2], state, fs2, text, muted)

    def _draw_bold_body(
        self, p: QPainter, r: QRectF, s: CardState, fs: float, text: QColor, muted: QColor
    ) -> None:
        """The numbers in big type on one line, then a thin band of chips and the bar."""
        v = s.view
        big = min(fs * 0.95, r.height() * 0.5)
        numbers = QRectF(r.x(), r.y(), r.width(), r.height() * 0.58)
        p.setPen(text)
        p.setFont(font(big, bold=True, key=True))
        count = f"{v.sessions:,}"
        fm = QFontMetricsF(font(big, bold=True, key=True))
        draw_text(p, numbers, ALIGN_LEFT, count, "number")
        x = numbers.x() + fm.horizontalAdvance(count) + 8
        memory = fmt_mb(v.memory_mb)
        room = numbers.right() - fm.horizontalAdvance(memory) - 12 - x
        p.setPen(muted)
        # the word as large as the room between the numbers allows (0.55 of them read
        # 9 px on a projector)
        p.setFont(fitted("sessions", big * 0.72, room, least=0.55 / 0.72))
        rest = QRectF(x, numbers.y(), numbers.width(), numbers.height())
        draw_text(p, rest, ALIGN_LEFT, "sessions")
        p.setPen(text)
        p.setFont(font(big, bold=True, key=True))
        draw_text(p, numbers, ALIGN_RIGHT, memory, "number")
        band = QRectF(r.x(), numbers.bottom(), r.width(), r.height() - numbers.height())
        half = band.width() * 0.55
        self._draw_chip_row(p, QRectF(band.x(), band.y(), half, band.height()), v, muted)
        bar_box = QRectF(band.x() + half + 10, band.y(), band.width() - half - 10, band.height())
        self._draw_bar(p, bar_box, s, max(10.0, big * 0.42), muted)

    def _draw_chip_row(self, p: QPainter, r: QRectF, v: ServerView, muted: QColor) -> None:
        chip = min(r.height() * 0.6, 14.0)
        fits = max(0, int((r.width() - 40) // (chip + 3)))
        users = v.recent_users[:fits]
        self.chips = []
        p.setPen(Qt.PenStyle.NoPen)
        for k, user in enumerate(users):
            color = USER_COLORS[user_color_index(user)]
            pos = QPointF(r.x() + k * (chip + 3), r.center().y() - chip / 2)
            p.setBrush(QColor(color))
            p.drawRoundedRect(QRectF(pos.x(), pos.y(), chip, chip), 3, 3)
            self.chips.append((pos, color, user))
        self.chip_size = chip
        extra = v.sessions - len(users)
        if extra > 0:
            p.setPen(muted)
            p.setFont(font(chip))
            x = r.x() + len(users) * (chip + 3) + 2
            draw_text(p, QRectF(x, r.y(), r.right() - x, r.height()), ALIGN_LEFT, f"+{extra:,}")

    def _draw_header(
        self, p: QPainter, r: QRectF, v: ServerView, fs: float, text: QColor, muted: QColor
    ) -> None:
        """The server's colour and shape (as on the plots), name, status, served per second."""
        label, color = self.status()
        rate = f"{v.ok_rps:,.0f} ok/s"
        if v.failed_rps > 0:
            rate += f" · ✖ {v.failed_rps:,.0f}/s"
        if self._header_size(fs, r.width(), v.name, label, rate) < fs:
            rate = ""  # a narrow card: the name keeps its size, the rate is in the tooltip
        fs = self._header_size(fs, r.width(), v.name, label, rate)
        self.name_px = fs
        size = fs * 0.85
        sw = QRectF(r.x() + 12, r.y() + (r.height() - size) / 2, size, size)
        draw_server_symbol(p, v.index, sw)
        p.setPen(text)
        name_font = font(fs, bold=True, key=True)
        p.setFont(name_font)
        name_w = QFontMetricsF(name_font).horizontalAdvance(v.name) + 4
        name_r = QRectF(sw.right() + 8, r.y() + 2, max(r.width() * 0.45, name_w), r.height())
        draw_text(p, name_r, ALIGN_LEFT, v.name, "name")
        p.setFont(font(fs * 0.62, bold=True))
        bw = p.fontMetrics().horizontalAdvance(label) + 18
        bh = max(r.height() * 0.56, p.fontMetrics().height() + 2)  # (presenter's floor)
        nx = name_r.x() + QFontMetricsF(name_font).horizontalAdvance(v.name) + 12
        badge = QRectF(nx, r.center().y() - bh / 2, bw, bh)
        if v.up and (badge.right() <= r.right() - 6 or unit_floor() == 0):
            # (under presenter mode's floor a narrow card leaves its UP out: its colour
            # and its numbers say it is up)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(color))
            p.drawRoundedRect(badge, 6, 6)
            p.setPen(QColor("#FFFFFF"))
            draw_text(p, badge, CENTER, label)
        p.setPen(muted)
        p.setFont(font(fs * 0.7, bold=True))
        draw_text(p, QRectF(r.x(), r.y() + 2, r.width() - 12, r.height()), ALIGN_RIGHT, rate)

    @staticmethod
    def _header_size(fs: float, width: float, name: str, label: str, rate: str) -> float:
        """The header's type size: ``fs``, or smaller (to 60%) when symbol, name, badge and
        rate (if any) would not fit side by side (a narrow card: tiers share the width)."""
        size = fs
        while size > fs * 0.6:
            need = (
                12
                + size * 0.85
                + 8
                + QFontMetricsF(font(size, bold=True, key=True)).horizontalAdvance(name)
                + 12
                + QFontMetricsF(font(size * 0.62, bold=True)).horizontalAdvance(label)
                + 18
                + 12
                + QFontMetricsF(font(size * 0.7, bold=True)).horizontalAdvance(rate)
                + 12
            )
            if need <= width:
                break
            size *= 0.94
        return size

    def _draw_zones(
        self, p: QPainter, body: QRectF, zone_w: float, v: ServerView, muted: QColor, bold: bool
    ) -> None:
        """Where the tracker puts queued and working dots; the queue says its length."""
        x, w = body.x(), body.width()
        split = x + w * 0.115
        p.setPen(QPen(QColor(self.theme.grid), 1.0, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(split, body.y() + 4), QPointF(split, body.bottom() - 6))
        p.drawLine(QPointF(x + zone_w, body.y() + 4), QPointF(x + zone_w, body.bottom() - 6))
        small = max(10.0, min(18.0 if bold else 15.0, body.height() * 0.16))
        band = QRectF(x + 4, body.bottom() - small * 1.5, split - x - 4, small * 1.4)
        if v.queue > 0:  # the count, big: past a dozen the dots stop (see tracker)
            p.setPen(QColor(self.theme.text))
            # (for a room: as large as the zone allows, whatever the card's height)
            size = max(small * 1.15, 20.0) if bold else small * 1.15
            p.setFont(fitted(f"{v.queue:,} waiting", size, zone_w - 8, bold=True))
            line = max(size * 1.3, p.fontMetrics().height())  # (the floor's type: taller)
            waiting = QRectF(x + 4, body.bottom() - line - size * 0.1, zone_w - 8, line)
            draw_text(p, waiting, ALIGN_LEFT, f"{v.queue:,} waiting")
        elif not bold:  # (presenter mode leaves the zones' names to the speaker: at this
            # size they read 7 px on a projector; the dots show what waits and works)
            self._zone_label(p, band, "queue", small, muted)
        if bold:
            return
        work = QRectF(split, body.bottom() - small * 1.5, x + zone_w - split, small * 1.4)
        self._zone_label(p, work, "working", small, muted)

    @staticmethod
    def _zone_label(p: QPainter, box: QRectF, words: str, px: float, color: QColor) -> bool:
        """A zone's name under it, if it fits in readable type (a narrow card skips it)."""
        if QFontMetricsF(font(px * 0.8)).horizontalAdvance(words) > box.width() - 2:
            return False
        p.setPen(color)
        p.setFont(fitted(words, px, box.width() - 2))
        draw_text(p, box, CENTER, words)
        return True

    def _draw_compact(self, p: QPainter, r: QRectF, v: ServerView, text: QColor) -> None:
        """One line for crowded fleets (more than 16 servers): symbol, name, status."""
        fs = max(9.0, min(18.0, r.height() * 0.42))
        self.name_px = fs
        size = fs * 0.8
        draw_server_symbol(p, v.index, QRectF(r.x() + 6, r.center().y() - size / 2, size, size))
        label, color = self.status()
        p.setFont(font(fs, bold=True))
        p.setPen(text)
        name_r = QRectF(r.x() + 10 + size, r.y(), r.width() - 14 - size, r.height())
        draw_text(p, name_r, ALIGN_LEFT, v.name.removeprefix("server-"))
        detail = "✖ DOWN" if not v.up else f"{v.sessions:,}" if v.sessions else label
        p.setFont(font(fs * 0.8, bold=not v.up))
        p.setPen(QColor("#FFFFFF") if not v.up else QColor(color))
        draw_text(p, name_r.adjusted(0, 0, -2, 0), ALIGN_RIGHT, detail.split(" ·")[0])

    def _draw_workers(
        self, p: QPainter, r: QRectF, v: ServerView, fs: float, text: QColor, muted: QColor
    ) -> None:
        p.setFont(font(fs))
        p.setPen(muted)
        label_w = fs * 4.6
        draw_text(p, QRectF(r.x(), r.y(), label_w, r.height()), ALIGN_LEFT, "workers")
        box = min(r.height() * 0.55, fs * 0.9)
        x = r.x() + label_w
        shown = min(v.workers, 12)
        color = QColor(server_color(v.index))
        for k in range(shown):
            busy = k < round(v.busy * shown / max(1, v.workers))
            p.setPen(QPen(color, 1.5))
            p.setBrush(color if busy else Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(x + k * (box + 4), r.center().y() - box / 2, box, box))
        p.setPen(text)
        x += shown * (box + 4) + 10
        busy = f"{v.busy}/{v.workers} busy"
        draw_text(p, QRectF(x, r.y(), r.right() - x, r.height()), ALIGN_LEFT, busy)

    def _draw_chips(self, p: QPainter, r: QRectF, v: ServerView, fs: float, muted: QColor) -> None:
        p.setFont(font(fs * 0.8))
        p.setPen(muted)
        label = "sessions"
        label_w = p.fontMetrics().horizontalAdvance(label) + 10
        draw_text(p, QRectF(r.x(), r.y(), label_w, r.height()), ALIGN_LEFT, label)
        chip = min(r.height() * 0.45, fs * 0.7)
        count_text = f"{v.sessions:,}"
        p.setPen(QColor(self.theme.text))
        p.setFont(font(fs, bold=True))
        count_w = p.fontMetrics().horizontalAdvance(count_text) + 10
        draw_text(p, QRectF(r.x() + label_w, r.y(), count_w, r.height()), ALIGN_LEFT, count_text)
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
            p.setFont(font(fs * 0.75))
            x = x0 + len(users) * (chip + 3) + 4
            draw_text(p, QRectF(x, r.y(), r.right() - x, r.height()), ALIGN_LEFT, f"+{extra:,}")

    def _draw_memory(
        self, p: QPainter, r: QRectF, s: CardState, fs: float, text: QColor, muted: QColor
    ) -> None:
        """The memory held, against a labelled scale: the cap if there is one, else a
        round figure shared by all cards (so bars compare across cards)."""
        v = s.view
        p.setFont(font(fs * 0.8))
        p.setPen(muted)
        label = "memory"
        label_w = p.fontMetrics().horizontalAdvance(label) + 10
        draw_text(p, QRectF(r.x(), r.y(), label_w, r.height()), ALIGN_LEFT, label)
        value = fmt_mb(v.memory_mb)
        p.setFont(font(fs, bold=True))
        vw = p.fontMetrics().horizontalAdvance(value) + 12
        p.setPen(text)
        draw_text(p, QRectF(r.x() + label_w, r.y(), vw, r.height()), ALIGN_LEFT, value)
        bar_x = r.x() + label_w + vw
        self._draw_bar(p, QRectF(bar_x, r.y(), r.right() - bar_x, r.height()), s, fs * 0.6, muted)

    def _draw_bar(self, p: QPainter, r: QRectF, s: CardState, fs: float, muted: QColor) -> None:
        """The memory bar against its labelled scale ("of 20 MB", or "of 64 MB cap")."""
        v = s.view
        scale_text = f"of {fmt_mb(s.mem_scale_mb)}" + (" cap" if s.cap_mb > 0 else "")
        p.setFont(font(fs))
        sw = p.fontMetrics().horizontalAdvance(scale_text) + 6
        bar = QRectF(r.x(), r.center().y() - r.height() * 0.18, 0, r.height() * 0.36)
        bar.setWidth(max(16.0, r.right() - r.x() - sw))
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
        p.setPen(muted)
        draw_text(p, QRectF(bar.right() + 6, r.y(), sw, r.height()), ALIGN_LEFT, scale_text)

    def _draw_down(self, p: QPainter, body: QRectF, v: ServerView, down: str = "") -> None:
        """What the crash cost, large, for as long as the card is down (``down``: the
        lesson's own words for it)."""
        lost = v.lost_in_crash
        if down:
            label = down
        elif v.draining:
            label = "✖ DOWN"
        elif lost == 0:  # (sessions elsewhere: a shared store or tokens)
            label = "✖ DOWN · no carts lost"
        else:
            label = f"✖ {lost:,} cart{'s' if lost != 1 else ''} lost"
        size = min(body.height() * 0.42, 48.0)
        f = font(size, bold=True, key=True)
        text_w = QFontMetricsF(f).horizontalAdvance(label)
        if text_w + size * 0.8 > body.width() * 0.62 and unit_floor() > 0:
            label = "✖ DOWN"  # presenter mode's floor: the badge's short words
            text_w = QFontMetricsF(f).horizontalAdvance(label)
        width = min(body.width() * 0.62, text_w + size * 0.8)
        badge = QRectF(body.x() + body.width() * 0.04, body.y() + 6, width, size * 1.35)
        p.setPen(QPen(QColor("#FFFFFF"), 3))
        p.setBrush(QColor(FAILURE))
        p.drawRoundedRect(badge, 10, 10)
        p.setPen(QColor("#FFFFFF"))
        p.setFont(
            f
            if text_w + size * 0.8 <= width
            else font(size * width / (text_w + size), True, key=True)
        )
        draw_text(p, badge, CENTER, label, "number")
        note = (
            "DOWN · the balancer still sends here (health check pending)"
            if v.in_rotation
            else "DOWN · out of rotation" + (" · click to restart" if self.hints else "")
        )
        p.setPen(QColor("#E0E0E0"))
        below = QRectF(badge.x(), badge.bottom() + 2, body.width() * 0.9, 0)
        below.setBottom(body.bottom())
        flags = ALIGN_LEFT | Qt.TextFlag.TextWordWrap
        short = "health check pending" if v.in_rotation else "out of rotation"
        for words in (note, short):  # (the short words: presenter mode's floor)
            size = min(18.0, body.height() * 0.2)
            while size > 9.0:  # the whole note inside the card (it ran past its bottom)
                needed = QFontMetricsF(font(size)).boundingRect(below, int(flags), words)
                if needed.height() <= below.height() + 0.5:
                    break
                size -= 1.0
            if needed.height() <= below.height() + 0.5:
                break
        if needed.height() > below.height() + 0.5:
            return  # (presenter mode's floor: not even the short words fit under the badge)
        p.setFont(font(size))
        draw_text(p, below, flags, words)


def card_tooltip(v: ServerView, cap_mb: float) -> str:
    state = "UP" if v.up else "DOWN"
    rotation = "in rotation" if v.in_rotation else "out of rotation"
    cap = f" (cap {fmt_mb(cap_mb)})" if cap_mb > 0 else ""
    action = "restart" if not v.up else "crash"
    return (
        f"{v.name} — {state}, {rotation}\n"
        f"workers: {v.busy} of {v.workers} busy, queue {v.queue:,}\n"
        f"sessions: {v.sessions:,} = {fmt_mb(v.memory_mb)}{cap}\n"
        f"utilisation {v.utilization:.0%}, {v.ok_rps:,.0f} ok/s, {v.failed_rps:,.0f} failed/s\n"
        f"served {v.served:,}, failed {v.failed:,}, crashes {v.crashes}\n"
        f"Click the name bar: {action} · right-click: more"
    )
