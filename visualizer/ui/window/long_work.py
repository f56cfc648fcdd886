"""Long work (a far seek, an undo, computing a comparison) without a frozen window.

The engine is single-threaded Python: on another thread it would still hold the
interpreter most of the time, and views would read a run that is half-way through a
replay. So long work is given as steps (a generator that yields the fraction done) and
run here on the GUI thread in slices: between slices the window keeps painting, and
after ``DELAY_S`` a progress dialog shows with a Cancel button. Cancelled, the work
stops where it got to (a run then shows the moment it reached, which is exact).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

#: Work shorter than this shows no dialog (a seek of a small run takes ~30 ms; the
#: window repaints meanwhile).
DELAY_S = 0.5
#: The window repaints at least this often while the work goes on.
EVENTS_EVERY_S = 0.05


class LongWork:
    """Runs steps with a progress dialog that can cancel them. ``busy`` is True while
    they run (the driver then neither advances nor takes commands)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent
        self.busy = False
        self.dialogs_shown = 0  # (for tests and benchmarks)
        self.on_dialog: Callable[[QProgressDialog], None] | None = None  # (tests)

    def run(self, title: str, label: str, steps: Iterator[float]) -> bool:
        """Run ``steps`` to the end (True) or until cancelled (False)."""
        if self.busy:  # (a click delivered while the dialog came up)
            steps.close()
            return False
        self.busy = True
        dialog: QProgressDialog | None = None
        focus = QApplication.focusWidget()  # (the dialog takes it; it comes back after)
        started = last_events = time.monotonic()
        try:
            for fraction in steps:
                now = time.monotonic()
                if dialog is None and now - started > DELAY_S:
                    dialog = self._dialog(title, label)
                if dialog is not None:
                    dialog.setValue(round(min(1.0, max(0.0, fraction)) * 1000))
                if now - last_events > EVENTS_EVERY_S:
                    last_events = now
                    if dialog is None:  # no clicks or keys reach a window mid-way
                        QApplication.processEvents(
                            QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
                        )
                    else:  # the dialog is modal: input goes to its Cancel button
                        QApplication.processEvents()
                if dialog is not None and dialog.wasCanceled():
                    steps.close()
                    return False
            return True
        finally:
            self.busy = False
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
                if self.parent is not None:  # the presenter's keys work again at once
                    self.parent.activateWindow()
                    QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
                if focus is not None:
                    focus.setFocus()

    def _dialog(self, title: str, label: str) -> QProgressDialog:
        dialog = QProgressDialog(label, "Cancel", 0, 1000, self.parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.show()
        self.dialogs_shown += 1
        if self.on_dialog is not None:
            self.on_dialog(dialog)
        return dialog
