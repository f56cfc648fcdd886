"""A lesson's tier nodes on the canvas: services, a queue, a consumer (see ``topology``).

One item per node, drawn from the ``NodeFacts`` the lesson computes; it repaints only
when they change. A request forwarded to a node sits in the strip at its left (the
tracker puts it there), so the words stay right of it.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen

from visualizer.ui.canvas.layout import Rect
from visualizer.ui.canvas.nodes import ALIGN_LEFT, CENTER, Node, fitted, font
from visualizer.ui.canvas.painted import draw_text, unit_floor
from visualizer.ui.canvas.topology import NodeFacts, Shape, TierNode
from visualizer.ui.colors import FAILURE, Theme

QUEUE_BLUE = "#1F77B4"  # the queue's messages (the colour of its line in the plot)
DOT_STRIP = 0.24  # the left part of a service box where its requests' dots sit


def fit_text(
    p: QPainter,
    box: QRectF,
    px: float,
    text: str,
    bold: bool = False,
    least: float = 0.6,
    role: str = "",
) -> float:
    """``text`` left-aligned in ``box``, its type shrunk to fit the width; returns its size."""
    f = fitted(text, px, box.width(), bold, least, key=bool(role))
    p.setFont(f)
    draw_text(p, box, ALIGN_LEFT, text, role)
    return float(f.pixelSize())


class TierBox(Node):
    """One tier node; its facts come from the lesson's view every refresh."""

    def __init__(self, node: TierNode, rect: Rect, theme: Theme) -> None:
        super().__init__(rect, theme)
        self.node = node
        self.big_px = 0.0  # the main number's type as last drawn (tests check readability)
        self.setZValue(5)

    def set_facts(self, facts: NodeFacts | None, bold: bool = False) -> bool:
        """New facts (and style: ``bold`` for presenter mode or a node drawn small, with
        bigger type and only the first line); repaints only on a change."""
        if not self._changed((facts, bold)):
            return False
        if facts is not None:
            big = f"{facts.big} {facts.unit}".strip()
            self.setToolTip("\n".join((self.node.title, big, *facts.lines)))
        return True

    @property
    def facts(self) -> NodeFacts | None:
        state = self._state
        return state[0] if isinstance(state, tuple) else None

    @property
    def bold(self) -> bool:
        state = self._state
        return bool(state[1]) if isinstance(state, tuple) else False

    def _draw(self, p: QPainter, r: QRectF) -> None:
        t, f, bold = self.theme, self.facts, self.bold
        down = f is not None and not f.up
        self._box(p, r, t.card_down if down else t.card, FAILURE if down else t.text, 2.5)
        if bold:
            scale = max(0.8, min(1.0, r.height() / 180.0))
            title_px, big_px, line_px = 28 * scale, 38 * scale, 21 * scale
        else:
            scale = max(0.62, min(1.0, r.height() / 220.0))
            title_px, big_px, line_px = 22 * scale, 26 * scale, 17 * scale
        text = QColor("#F2F2F2") if down else QColor(t.text)
        muted = QColor("#B0B0B0") if down else QColor(t.muted)
        pad = 12.0 * scale
        title_h = title_px * 1.5
        if unit_floor() > 0:  # (a name in a room's type: its row as tall as the type)
            title_h = max(title_h, QFontMetricsF(font(title_px, True, key=True)).height() + 4)
        p.setPen(text)
        name = self.node.title
        tpad = 3.0 if unit_floor() > 0 else pad  # (a name in a room's type: more room)
        title = QRectF(r.x() + tpad, r.y() + 6, r.width() - 2 * tpad, title_h)
        if unit_floor() > 0:  # presenter mode's floor: the short name where the long one
            # would not fit ("inventory" for "inventory service", "queue")
            said = (name, self.node.short or name)
            fm = QFontMetricsF(font(title_px, bold=True, key=True))
            name = next((s for s in said if fm.horizontalAdvance(s) <= title.width()), said[-1])
        fit_text(p, title, title_px, name, bold=True, role="name")
        if f is None:
            return
        left = r.x() + (r.width() * DOT_STRIP if self.node.shape is Shape.SERVICE else pad)
        body = QRectF(left, r.y() + title_h + 8, r.right() - pad - left, r.height() - title_h - 14)
        if self.node.shape is Shape.SERVICE:
            p.setPen(QPen(QColor(t.card_border), 1.2, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            strip = QRectF(
                r.x() + pad * 0.6, body.y(), r.width() * DOT_STRIP - pad, body.height() * 0.72
            )
            p.drawRoundedRect(strip, 6, 6)
        if self.node.shape is Shape.QUEUE:
            body = self._pipe(p, body, f, scale)
        lines = f.lines[:1] if bold else f.lines
        badge = f.down_words if down else f.part_down
        rows = 1 + len(lines) + (1 if badge else 0)
        if lines and body.height() / rows < QFontMetricsF(font(line_px)).height():
            lines, rows = (), rows - len(lines)  # (presenter mode's floor: no room for them)
        row = min(body.height() / max(rows, 1), big_px * 1.5)
        y = body.y()
        if down:
            self._badge(p, QRectF(body.x(), y, body.width(), row * 0.9), badge, line_px)
            y += row
        p.setPen(text)
        # the number that matters is never cut: it may shrink further than the rest
        box = QRectF(body.x(), y, body.width(), row)
        big = f.big
        if f.big_short and unit_floor() > 0:  # presenter mode's floor: the short form if
            # the whole does not fit ("0 s" for "up to date")
            wide = QFontMetricsF(font(big_px, True, key=True)).horizontalAdvance(big)
            big = big if wide <= box.width() else f.big_short
        self.big_px = fit_text(p, box, big_px, big, True, least=0.4, role="number")
        if f.unit:  # after the number, if it fits whole
            x = (
                box.x()
                + QFontMetricsF(font(self.big_px, True, key=True)).horizontalAdvance(big)
                + 8
            )
            unit = font(line_px * 1.1)
            if x + QFontMetricsF(unit).horizontalAdvance(f.unit) <= box.right():
                p.setFont(unit)
                draw_text(p, QRectF(x, y, box.right() - x, row), ALIGN_LEFT, f.unit)
        y += row
        p.setPen(muted)
        for line in lines:
            fit_text(p, QRectF(body.x(), y, body.width(), row), line_px, line)
            y += row
        if badge and not down:
            self._badge(p, QRectF(body.x(), y + 2, body.width(), row * 0.9), badge, line_px)

    def _badge(self, p: QPainter, box: QRectF, words: str, px: float) -> None:
        """Bad news on the node, white on the failure red."""
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(FAILURE))
        p.drawRoundedRect(box, 6, 6)
        p.setPen(QColor("#FFFFFF"))
        p.setFont(fitted(words, px, box.width() - 8, bold=True))
        draw_text(p, box, CENTER, words)

    def _pipe(self, p: QPainter, body: QRectF, f: NodeFacts, scale: float) -> QRectF:
        """The queue as a pipe of message slots, filled from the left with its depth;
        returns the room left under it for the words."""
        t = self.theme
        h = min(46.0 * scale, body.height() * 0.3)
        pipe = QRectF(body.x(), body.y(), body.width(), h)
        path = QPainterPath()
        path.addRoundedRect(pipe, h / 2, h / 2)
        p.setPen(QPen(QColor(t.text), 2))
        p.setBrush(QColor(t.canvas))
        p.drawPath(path)
        fill = max(0.0, min(1.0, f.fill or 0.0))
        slots = 12
        w = (pipe.width() - 8) / slots
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(QUEUE_BLUE))
        full = fill * slots
        for k in range(slots):
            share = max(0.0, min(1.0, full - k))
            if share <= 0:
                break
            p.drawRoundedRect(
                QRectF(pipe.x() + 4 + k * w + 1, pipe.y() + 4, (w - 2) * share, h - 8), 3, 3
            )
        return QRectF(body.x(), pipe.bottom() + 8, body.width(), body.bottom() - pipe.bottom() - 8)
