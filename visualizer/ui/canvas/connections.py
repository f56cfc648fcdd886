"""Long-lived connections (a lesson's, e.g. WebSockets) as persistent lines from the
balancer to the card holding them, thicker the more a card holds (the card writes the
count). They leave the balancer as one trunk, level, and fan out just before the cards,
so they never cross the headline numbers under the balancer. A crash cuts its line at
once; the reconnecting crowd shows as dots."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from visualizer.ui.canvas.layout import Layout
from visualizer.ui.colors import MESSAGE

MAX_WIDTH = 14.0  # scene units, the line of the card holding the most
MESSAGE_ON_DARK = "#5BC0D3"  # the message teal, lightened for a dark canvas


class ConnectionLines(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self._counts: dict[int, int] = {}
        self._layout: Layout | None = None
        self.color = MESSAGE
        self.setZValue(4)  # under the cards and the dots

    def set_background(self, canvas: str) -> None:
        """The canvas's colour: on a dark one the bundles are a light teal (the message
        teal all but vanished there)."""
        self.color = MESSAGE if QColor(canvas).lightnessF() >= 0.5 else MESSAGE_ON_DARK
        self.update()

    def show(self, counts: dict[int, int], layout: Layout) -> None:
        """``counts``: open connections by server index (none: nothing drawn)."""
        counts = {k: v for k, v in counts.items() if v > 0 and k in layout.servers}
        if counts == self._counts and layout is self._layout:
            return
        self.prepareGeometryChange()
        self._counts, self._layout = counts, layout
        self.update()

    @property
    def counts(self) -> dict[int, int]:
        return dict(self._counts)

    def boundingRect(self) -> QRectF:
        if self._layout is None:
            return QRectF()
        return QRectF(0, 0, self._layout.width, self._layout.height)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        layout = self._layout
        if layout is None or not self._counts:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        most = max(self._counts.values())
        color = QColor(self.color)
        color.setAlpha(150 if self.color == MESSAGE else 190)
        bal = layout.balancer
        trunk_y = bal.cy + bal.h * 0.3
        fan_x = min(r.x for r in layout.servers.values()) - 30.0
        for index, n in self._counts.items():
            card = layout.servers[index]
            pen = QPen(color, 2.0 + (MAX_WIDTH - 2.0) * math.sqrt(n / most))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.drawPolyline(
                [
                    QPointF(bal.right, trunk_y),
                    QPointF(fan_x, trunk_y),
                    QPointF(card.x, card.y + card.h * 0.82),
                ]
            )
