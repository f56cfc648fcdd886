"""Text as it is painted: every word the canvas and the plots draw goes through
``draw_text`` or ``draw_text_at``, so a layout check can see, for each, the room it was
given, where its glyphs went and how large they are on the device; and so presenter mode
can hold every word to a smallest type (``floor``): a text drawn smaller is drawn at the
floor if it still fits its box, and left out if it does not (a slide shows fewer words,
each readable from the back of a room).

Outside ``recording()`` the helpers only draw (one global read per call). Inside, each
call notes a ``PaintedText`` in device coordinates: the layout test renders a view with
caching off and asks whether any text leaves its box or the view, overlaps another, or
is smaller than a room can read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF, QPainter

#: How far glyphs may stray past their box before it counts as clipped (device pixels):
#: a font's ink overhangs its advance a little.
SLACK_PX = 1.5
#: ... and above and below, as a share of the type's size: a line's box (ascent, descent
#: and leading) is taller than its glyphs.
SLACK_LINE = 0.2


@dataclass(frozen=True)
class PaintedText:
    """One text as drawn: ``box`` the room it was given (None when drawn at a point),
    ``ink`` where its glyphs go, both in the device's pixels; ``px`` the type's height
    in device pixels."""

    text: str
    ink: QRectF
    box: QRectF | None
    px: float
    #: left out: at the floor's size it did not fit its box
    dropped: bool = False
    #: "name" (a server's, a node's) or "number" (a key figure): what a room must read
    #: larger than the rest; "" for the rest
    role: str = ""

    @property
    def spills(self) -> bool:
        """The glyphs pass the box they were given (they are cut or run over)."""
        if self.box is None:
            return False
        return _spills(self.ink, self.box, SLACK_PX, self.px * SLACK_LINE + SLACK_PX)


_log: list[PaintedText] | None = None
#: Names and key numbers stand out from the words round them by this much under a floor
#: (a room reads 16 px words and 20 px names at 1280x720).
KEY_SCALE = 1.25

_least_px = 0.0
_unit_floor = 0.0


@contextmanager
def floor(least_px: float, scale: float = 1.0) -> Iterator[None]:
    """Within the block, no text is drawn smaller than ``least_px`` device pixels (0: no
    floor); ``scale`` is the item's device pixels per unit, so that fonts chosen in the
    item's units start at the floor (``unit_floor``) and layouts measured with them make
    room for it."""
    global _least_px, _unit_floor
    before = _least_px, _unit_floor
    _least_px, _unit_floor = least_px, (least_px / scale if least_px > 0 else 0.0)
    try:
        yield
    finally:
        _least_px, _unit_floor = before


def unit_floor(key: bool = False) -> float:
    """The smallest type, in the painting item's units, under the current floor (0); for
    a name or key number (``key``), ``KEY_SCALE`` times it."""
    return _unit_floor * (KEY_SCALE if key else 1.0)


def device_scale(p: QPainter) -> float:
    """Device pixels per unit of the painter's current coordinates."""
    return math.sqrt(abs(p.transform().determinant())) or 1.0


@contextmanager
def recording() -> Iterator[list[PaintedText]]:
    """Note every text drawn through this module until the block ends."""
    global _log
    before, _log = _log, []
    try:
        yield _log
    finally:
        _log = before


def is_recording() -> bool:
    """Someone notes what is drawn: an item that replays a cached picture draws live
    instead, so the notes are in the device's pixels."""
    return _log is not None


def draw_text(
    p: QPainter, box: QRectF, flags: Qt.AlignmentFlag | int, text: str, role: str = ""
) -> None:
    """``p.drawText(box, flags, text)``: noted when recording (with its ``role``); under a
    floor, in type at least that large, or not at all if it then leaves its box."""
    if not text:
        return
    small = _raised(p, KEY_SCALE if role else 1.0)
    measured = _least_px > 0 or _log is not None  # (else nothing needs the glyphs' box)
    ink = p.boundingRect(box, int(flags), text) if measured else box
    dropped = _least_px > 0 and _spills(ink, box, 0.5, _px(p.font()) * SLACK_LINE)
    if not dropped:
        p.drawText(box, flags, text)
    if _log is not None:
        _note(p, text, ink, box, dropped, role)
    if small is not None:
        p.setFont(small)


def draw_text_at(p: QPainter, at: QPointF, text: str) -> None:
    """``p.drawText(at, text)`` (``at`` the baseline's start): noted when recording;
    under a floor, in type at least that large."""
    if not text:
        return
    small = _raised(p)
    p.drawText(at, text)
    if _log is not None:
        ink = QFontMetricsF(p.font()).tightBoundingRect(text).translated(at)
        _note(p, text, ink, None)
    if small is not None:
        p.setFont(small)


def _px(font: QFont) -> float:
    return font.pixelSize() if font.pixelSize() > 0 else QFontInfo(font).pixelSize()


def _raised(p: QPainter, times: float = 1.0) -> QFont | None:
    """Under a floor (``times`` it), the painter's font raised to it; returns the font it
    had (to put back), or None when it was large enough."""
    if _least_px <= 0:
        return None
    least = _least_px * times
    scale = device_scale(p)
    font = p.font()
    if _px(font) * scale >= least - 0.01:
        return None
    big = QFont(font)
    big.setPixelSize(math.ceil(least / scale))
    p.setFont(big)
    return font


def _spills(ink: QRectF, box: QRectF, across: float, up_down: float) -> bool:
    """The ink leaves the box by more than ``across`` at a side or ``up_down`` above or
    below."""
    return (
        ink.left() < box.left() - across
        or ink.right() > box.right() + across
        or ink.top() < box.top() - up_down
        or ink.bottom() > box.bottom() + up_down
    )


def _note(
    p: QPainter, text: str, ink: QRectF, box: QRectF | None, dropped: bool = False, role: str = ""
) -> None:
    t = p.transform()
    assert _log is not None
    _log.append(
        PaintedText(
            text,
            t.mapRect(ink),
            t.mapRect(box) if box is not None else None,
            _px(p.font()) * device_scale(p),
            dropped,
            role,
        )
    )
