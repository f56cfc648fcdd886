"""Presenter mode (F5, Esc leaves): full screen, larger type, the controls folded into a
slim overlay, captions of notable events, and PageDown/PageUp through the presets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QWidget

from visualizer.sim import scenario
from visualizer.sim.config import Config, Mode
from visualizer.sim.snapshot import Snapshot

if TYPE_CHECKING:
    from visualizer.ui.host import Stage


def overlay_text(snap: Snapshot, running: bool, speed: float, slide: str) -> str:
    """The slim bar's one line: the three toggles, the fleet, time and speed, the slide."""
    c: Config = snap.config
    mode = c.state.mode

    def flag(name: str, on: bool, key: str) -> str:
        return f"{'●' if on else '○'} {name} ({key})"

    parts = [
        "  ".join(
            (
                flag("Stateful", mode is not Mode.TOKEN, "T"),
                flag("Sticky", c.balancer.sticky, "S"),
                flag("Shared store", mode is Mode.SHARED, "R"),
            )
        ),
        f"{c.balancer.algorithm.value.replace('_', ' ')}, "
        f"{sum(not s.draining for s in snap.servers)} servers (1–9)",
        f"t = {snap.t:,.0f} s  {speed:g}×" + ("" if running else " paused"),
        slide,
        "Esc",
    ]
    return "   ·   ".join(p for p in parts if p)


class PresenterBar(QLabel):
    """A slim bar above the canvas in presenter mode: the controls, folded into a line.
    The font shrinks until the line fits the width."""

    MAX_PT = 15.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presenterBar")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "QLabel#presenterBar { background: #16181C; color: white; padding: 5px 10px; }"
        )
        self.hide()

    def show_line(self, text: str) -> None:
        if text == self.text():
            return
        font = self.font()
        size = self.MAX_PT
        font.setPointSizeF(size)
        font.setBold(True)
        room = max(100, self.width() - 24)
        while size > 8 and QFontMetrics(font).horizontalAdvance(text) > room:
            size -= 0.5
            font.setPointSizeF(size)
        self.setFont(font)
        self.setText(text)


class PresenterMode(QObject):
    changed = Signal(bool)

    def __init__(self, stage: Stage, parent: QObject) -> None:
        super().__init__(parent)
        self.stage = stage
        self.active = False
        self.overlay = stage.presenter_bar
        self._saved: dict[str, object] = {}

    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        if self.active:
            return
        w = self.stage
        self._saved = {
            "controls": w.controls_dock.isVisible(),
            "menu": w.menuBar().isVisible(),
            "full": w.isFullScreen(),
            "maximized": w.isMaximized(),
        }
        self.active = True
        w.controls_dock.hide()
        w.menuBar().hide()
        w.headline.set_scale(1.35)
        w.scene.captions = True
        w.canvas.inspecting = False  # every click on a card crashes or restarts it
        self.overlay.show()
        w.showFullScreen()
        w.canvas.setFocus()
        self.changed.emit(True)

    def leave(self) -> None:
        if not self.active:
            return
        w = self.stage
        self.active = False
        w.scene.captions = False
        w.canvas.inspecting = True
        self.overlay.hide()
        w.headline.set_scale(1.0)
        w.menuBar().setVisible(bool(self._saved.get("menu", True)))
        w.controls_dock.setVisible(bool(self._saved.get("controls", True)))
        if not self._saved.get("full"):
            if self._saved.get("maximized"):
                w.showMaximized()
            else:
                w.showNormal()
        self.changed.emit(False)

    def update(self, snap: Snapshot) -> None:
        if not self.active:
            return
        names = [p.name for p in scenario.list_presets_cached()]
        current = snap.config.scenario.name
        slide = (
            f"{current} {names.index(current) + 1}/{len(names)} (PgUp/PgDn)"
            if current in names
            else current
        )
        d = self.stage.driver
        self.overlay.show_line(overlay_text(snap, d.running, d.speed, slide))

    def step_preset(self, step: int) -> None:
        """PageDown/PageUp: the next or previous preset, like slides (presenter mode only)."""
        if not self.active:
            return
        names = [p.name for p in scenario.list_presets_cached()]
        current = self.stage.driver.config.scenario.name
        index = names.index(current) if current in names else -1
        self.stage.open_preset(names[(index + step) % len(names)])
