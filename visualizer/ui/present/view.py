"""The presenter view: a window of the presenter's own (Ctrl+F5) with the speaker notes,
the slide's number and title, the next slide's title, the time since presenting began
and the run's clock. The projected window shows notes only when N is pressed; this one
always does. With a second screen it opens there when presenter mode starts; with one
screen it is a window to place beside the projected one. The window's keys work here
too (Space, PgDn, T, S, R, …): the same actions, added to this window."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from visualizer.sim import scenario
from visualizer.sim.snapshot import Snapshot

if TYPE_CHECKING:
    from visualizer.ui.window.host import Stage


def _label(size_pt: float, bold: bool = False, color: str = "#ECEEF1") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # titles and notes come from files
    label.setWordWrap(True)
    font = QFont(label.font())
    font.setPointSizeF(size_pt)
    font.setBold(bold)
    label.setFont(font)
    label.setStyleSheet(f"color: {color};")
    return label


def slide_words(name: str, names: list[str]) -> tuple[str, str]:
    """("Slide 3 of 28 · store-outage: <title>", "Next: 4 · <title>" or "the last slide")
    for the preset ``name`` among the slides ``names``."""
    titles = {p.name: p.title for p in scenario.list_presets_cached()}
    title = titles.get(name, "")
    if name not in names:
        return f"{name}: {title}" if title else name, "Next: PgDn opens slide 1"
    k = names.index(name)
    now = f"Slide {k + 1} of {len(names)} · {name}: {title}"
    if k + 1 == len(names):
        return now, "Next: none, this is the last slide"
    after = names[k + 1]
    return now, f"Next: {k + 2} · {after}: {titles.get(after, '')}"


class PresenterView(QWidget):
    """The presenter's window (see the module's docstring)."""

    def __init__(self, stage: Stage) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.stage = stage
        self.setObjectName("presenterView")
        self.setWindowTitle("Presenter view — Request Routing Visualizer")
        self.setStyleSheet("QWidget#presenterView { background: #16181C; }")
        self.slide = _label(20, bold=True)
        self.clock = _label(16, color="#A3A9B3")
        self.notes = _label(22, color="#FFE9A8")
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.next = _label(16, color="#A3A9B3")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(self.slide)
        layout.addWidget(self.clock)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.next)
        self.addActions(stage.actions())  # the projected window's keys work here too
        self.started = time.monotonic()
        self._run_line = ""
        self._slide: tuple[str, str] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.resize(720, 480)

    def start_clock(self) -> None:
        """Presenting begins: the elapsed time counts from now."""
        self.started = time.monotonic()
        self._tick()

    def show_slide(self, name: str, notes: str, names: list[str]) -> None:
        """The slide on the projected screen, its notes and what comes next (worked out
        when the slide changes, not at every refresh of the numbers)."""
        if (name, notes) == self._slide:
            return
        self._slide = (name, notes)
        now, after = slide_words(name, names)
        self.slide.setText(now)
        self.notes.setText(notes or "(this scenario has no speaker notes)")
        self.next.setText(after)

    def show_run(self, snap: Snapshot, running: bool, speed: float) -> None:
        self._run_line = f"run at t = {snap.t:,.0f} s · {speed:g}×" + (
            "" if running else " · paused"
        )
        self._tick()

    def _tick(self) -> None:
        minutes, seconds = divmod(int(time.monotonic() - self.started), 60)
        self.clock.setText(f"presenting for {minutes}:{seconds:02d} · {self._run_line}")

    def place(self) -> None:
        """On a screen other than the projected window's if there is one, else where
        the window system puts it (a window to place)."""
        here = self.stage.screen()
        others = [s for s in QGuiApplication.screens() if s is not here]
        if others:
            self.setGeometry(others[0].availableGeometry().adjusted(40, 40, -40, -40))

    def showEvent(self, event) -> None:
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)
