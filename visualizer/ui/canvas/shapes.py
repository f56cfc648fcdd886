"""Marker shapes shared by server cards and plots (the same names and geometry as
pyqtgraph's symbols), so a server is recognisable by shape as well as colour."""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath, QPolygonF


def _polygon(points: list[tuple[float, float]]) -> QPainterPath:
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
    path.closeSubpath()
    return path


def _regular(n: int, radius: float = 0.5, start: float = -90.0) -> list[tuple[float, float]]:
    return [
        (
            radius * math.cos(math.radians(start + k * 360 / n)),
            radius * math.sin(math.radians(start + k * 360 / n)),
        )
        for k in range(n)
    ]


@cache
def symbol_path(name: str) -> QPainterPath:
    """A shape in the unit box centred on (0, 0), y pointing down (screen coordinates)."""
    if name == "o":
        path = QPainterPath()
        path.addEllipse(QRectF(-0.5, -0.5, 1.0, 1.0))
        return path
    if name == "s":
        return _polygon([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)])
    if name == "t":  # pointing down
        return _polygon([(-0.5, -0.5), (0.0, 0.5), (0.5, -0.5)])
    if name == "t1":  # pointing up
        return _polygon([(-0.5, 0.5), (0.0, -0.5), (0.5, 0.5)])
    if name == "d":
        return _polygon([(0.0, -0.5), (-0.4, 0.0), (0.0, 0.5), (0.4, 0.0)])
    if name == "p":
        return _polygon(_regular(5))
    if name == "h":
        return _polygon(_regular(6, start=-30.0))
    if name == "star":
        outer = _regular(5)
        inner = _regular(5, radius=0.2, start=-54.0)
        return _polygon([p for pair in zip(outer, inner, strict=True) for p in pair])
    raise ValueError(f"unknown symbol {name!r}")
