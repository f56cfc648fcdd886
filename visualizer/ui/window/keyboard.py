"""Keys that work window-wide, and a run that waits behind modal dialogs.

A presenter types a number into a field and then presses Space: the run must play, not
the field swallow the key. Fields keep what a field needs (digits, a sign, a point, the
arrows, editing keys); the presenter's keys go to the window; Enter or Esc hands the
focus back to the canvas. And while a modal dialog is open (F1, Save, Export, Record),
the run pauses and resumes after.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

from visualizer.ui.window.driver import SimDriver

K = Qt.Key
#: Keys that stay the window's even when a field has the focus.
WINDOW_KEYS = frozenset(
    {
        K.Key_Space,
        K.Key_T,
        K.Key_S,
        K.Key_R,
        K.Key_N,
        K.Key_P,
        K.Key_BracketLeft,
        K.Key_BracketRight,
        K.Key_PageUp,
        K.Key_PageDown,
    }
)
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class FieldKeys(QObject):
    """Installed on the control panel's fields (spin boxes, drop-downs)."""

    def __init__(self, canvas: QWidget, fields: list[QWidget]) -> None:
        super().__init__(canvas)
        self.canvas = canvas
        for field in fields:
            field.installEventFilter(self)
            inner = field.lineEdit() if isinstance(field, QAbstractSpinBox | QComboBox) else None
            if inner is not None:
                inner.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        plain = event.modifiers() in _PLAIN
        if kind == QEvent.Type.ShortcutOverride:
            if key in WINDOW_KEYS and plain:
                event.ignore()  # not the field's: the window's shortcut fires
                return True
            if key == K.Key_Escape:
                event.accept()  # the field's: Esc hands the focus back (below)
            return False
        if key in (K.Key_Return, K.Key_Enter):
            QTimer.singleShot(0, self._back_to_canvas)  # after the field takes the value
            return False
        if key == K.Key_Escape:
            self._back_to_canvas()
            return True
        return False

    def _back_to_canvas(self) -> None:
        self.canvas.setFocus(Qt.FocusReason.ShortcutFocusReason)


class ModalPause(QObject):
    """Installed on the main window: a modal dialog pauses the run, closing it resumes."""

    def __init__(self, window: QWidget, driver: SimDriver) -> None:
        super().__init__(window)
        self.driver = driver
        self._resume = False
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowBlocked:
            self._resume = self._resume or self.driver.running
            self.driver.pause()
        elif event.type() == QEvent.Type.WindowUnblocked and self._resume:
            self._resume = False
            self.driver.play()
        return False
