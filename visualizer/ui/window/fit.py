"""Windows and dialogs that fit the screen they are on, frame included.

A window manager draws its frame (title bar, borders) only once the window is on screen;
until then Qt reports no frame. So a window sized before it shows leaves room for a
typical frame, and checks again once the real frame is known.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize
from PySide6.QtWidgets import QWidget

#: Room kept for a frame that is not known yet (a title bar and thin borders).
FRAME_GUESS = QMargins(8, 40, 8, 8)


def frame_known(widget: QWidget) -> bool:
    """Whether the window manager has told the frame (or the window is shown without
    one being added later: Qt cannot tell, so only a non-empty frame counts)."""
    return widget.frameGeometry().size() != widget.size()


def frame_margins(widget: QWidget) -> QMargins:
    """The window's frame: the real one once known, else ``FRAME_GUESS``."""
    if not frame_known(widget):
        return FRAME_GUESS
    outer, inner = widget.frameGeometry(), widget.geometry()
    return QMargins(
        inner.left() - outer.left(),
        inner.top() - outer.top(),
        outer.right() - inner.right(),
        outer.bottom() - inner.bottom(),
    )


def room_inside(room: QRect, frame: QMargins) -> QSize:
    """The largest client size whose frame fits ``room``."""
    return QSize(
        room.width() - frame.left() - frame.right(), room.height() - frame.top() - frame.bottom()
    )


def fitted(want: QSize, room: QRect, frame: QMargins) -> QSize:
    """``want``, made small enough that it and its frame fit ``room``."""
    return want.boundedTo(room_inside(room, frame))


def place_inside(widget: QWidget, room: QRect) -> None:
    """Resize ``widget`` (a top-level window) down until it and its frame fit ``room``,
    then move it into ``room`` if any part is outside."""
    frame = frame_margins(widget)
    size = fitted(widget.size(), room, frame)
    if size != widget.size():
        widget.resize(size)
    outer = widget.geometry().marginsAdded(frame)
    if not room.contains(outer):
        x = min(max(outer.left(), room.left()), room.right() + 1 - outer.width())
        y = min(max(outer.top(), room.top()), room.bottom() + 1 - outer.height())
        widget.move(max(x, room.left()), max(y, room.top()))
