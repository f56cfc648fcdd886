"""Presenter mode (F5, Esc leaves): full screen, larger type, the controls folded into a
slim overlay, captions of notable events, PageDown/PageUp through the presets in their
teaching order, and the speaker notes on N."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from visualizer.lessons import controls_for
from visualizer.sim import scenario
from visualizer.sim.config import PLOT_NAMES, Config
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.present.view import PresenterView

if TYPE_CHECKING:
    from visualizer.ui.window.host import Stage


def overlay_text(snap: Snapshot, running: bool, speed: float, slide: str) -> str:
    """The slim bar's one line: the lesson's three toggles, the fleet, time and speed,
    the slide."""
    c: Config = snap.config
    toggles = controls_for(c).toggles
    parts = [
        "  ".join(f"{'●' if t.is_on(c) else '○'} {t.title} ({t.letter})" for t in toggles),
        f"{c.balancer.algorithm.value.replace('_', ' ')}, "
        f"{sum(not s.draining for s in snap.servers)} servers (1–9)",
        f"t = {snap.t:,.0f} s  {speed:g}×" + ("" if running else " paused"),
        slide,
        "Esc",
    ]
    return "   ·   ".join(p for p in parts if p)


def overlay_forms(snap: Snapshot, running: bool, speed: float, name: str) -> list[str]:
    """The bar's line, longest first: the whole line, then without the keys beside the
    fleet and the slide, then without the fleet (a narrow screen keeps the type a room
    reads and says less)."""
    whole = overlay_text(snap, running, speed, slide_text(name))
    names = slides()
    number = f"{names.index(name) + 1}/{len(names)}" if name in names else ""
    if names and name == names[-1]:
        number += ", the last (PgUp)"  # (paging stops here: the bar says so)
    c: Config = snap.config
    toggles = "  ".join(
        f"{'●' if t.is_on(c) else '○'} {t.title} ({t.letter})" for t in controls_for(c).toggles
    )
    clock = f"t = {snap.t:,.0f} s  {speed:g}×" + ("" if running else " paused")
    servers = f"{sum(not s.draining for s in snap.servers)} servers"
    short = [toggles, servers, clock, f"{name} {number}".strip(), "Esc"]
    shortest = [toggles, clock, number or name]
    return [whole, "  ·  ".join(short), "  ·  ".join(shortest)]


def slides() -> list[str]:
    """The presets with a slide number (their ``slide`` key), in teaching order."""
    return [p.name for p in scenario.list_presets_cached() if p.slide]


def slide_text(name: str) -> str:
    """The bar's slide part: the preset, its number and the keys that go on from it
    ("store-outage 3/28 (PgUp/PgDn)", "compare-drain 28/28, the last (PgUp)")."""
    names = slides()
    if name not in names:
        return name
    number, count = names.index(name) + 1, len(names)
    if number == count:
        return f"{name} {number}/{count}, the last (PgUp)"
    keys = "PgDn" if number == 1 else "PgUp/PgDn"
    return f"{name} {number}/{count} ({keys})"


class PresenterBar(QLabel):
    """A slim bar above the canvas in presenter mode: the controls, folded into a line.
    The type shrinks until the line fits the width, to what a room reads at least; then
    the bar says less (``overlay_forms``)."""

    MAX_PX, LEAST_PX = 20, 16

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presenterBar")
        self.setTextFormat(Qt.TextFormat.PlainText)  # the line names the scenario file
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # the line shrinks to fit: it never makes the window wider than the screen
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setStyleSheet(
            "QLabel#presenterBar { background: #16181C; color: white; padding: 5px 10px; }"
        )
        self.hide()

    def show_line(self, forms: str | list[str]) -> None:
        """The first of ``forms`` (longest first) that fits the width in readable type."""
        forms = [forms] if isinstance(forms, str) else forms
        font = self.font()
        font.setBold(True)
        room = max(100, self.width() - 24)
        for text in forms:
            size = self.MAX_PX
            font.setPixelSize(size)
            while size > self.LEAST_PX and QFontMetrics(font).horizontalAdvance(text) > room:
                size -= 1
                font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(text) <= room:
                break
        if text != self.text() or font != self.font():
            self.setFont(font)
            self.setText(text)


class SpeakerNotes(QLabel):
    """The preset's speaker notes (N in presenter mode), in a band under the bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("speakerNotes")
        self.setTextFormat(Qt.TextFormat.PlainText)  # notes come from the scenario file
        self.setWordWrap(True)
        self.setStyleSheet(
            "QLabel#speakerNotes { background: #2B2F36; color: #FFE9A8; padding: 6px 14px;"
            " font-size: 14pt; }"
        )
        self.hide()


class PresenterMode(QObject):
    """Full screen for a room: the canvas gets most of the screen, cards and plots use
    big type, the plots shrink to the preset's one or two (P: all that fit, P again:
    none), the presets follow their teaching order (PgDn/PgUp) and N shows the speaker
    notes."""

    changed = Signal(bool)

    #: Share of the screen's height the plots may take in presenter mode.
    PLOTS_SHARE = 0.24
    #: Plot text (titles, ticks, legends, markers) at this × its size in presenter mode.
    PLOT_TEXT_SCALE = 1.4

    def __init__(self, stage: Stage, parent: QObject) -> None:
        super().__init__(parent)
        self.stage = stage
        self.active = False
        self.overlay = stage.presenter_bar
        self.notes = stage.speaker_notes
        self.plots_view = "preset"  # "preset", "all" or "none" (the P key)
        self._saved: dict[str, object] = {}
        self.view: PresenterView | None = None  # the presenter's own window (Ctrl+F5)

    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        if self.active:
            return
        w = self.stage
        docks = w.side_docks()
        self._saved = {
            "controls": w.controls_dock.isVisible(),
            "plots": w.plots_dock.isVisible(),
            "menu": w.menuBar().isVisible(),
            "status": w.statusBar().isVisible(),
            "docks": [d.isVisible() for d in docks],
            "full": w.isFullScreen(),
            "maximized": w.isMaximized(),
        }
        self.active = True
        w.controls_dock.hide()
        for dock in docks:
            dock.hide()
        w.menuBar().hide()
        w.statusBar().hide()  # the bar says time, speed and paused
        w.headline.set_scale(1.3, lines=3)
        w.plot_dock.set_text_scale(self.PLOT_TEXT_SCALE)
        w.scene.set_presenting(True)
        w.timeline.set_presenting(True)
        w.canvas.inspecting = False  # every click on a card crashes or restarts it
        self.overlay.show()
        self.plots_view = "preset"
        w.showFullScreen()
        if len(QGuiApplication.screens()) > 1:  # the presenter's screen: their view
            self.open_view()
        elif self.view is not None:
            self.view.start_clock()
        self._arrange()
        w.canvas.setFocus()
        self.changed.emit(True)

    def leave(self) -> None:
        if not self.active:
            return
        w = self.stage
        self.active = False
        w.scene.set_presenting(False)
        w.timeline.set_presenting(False)
        w.canvas.inspecting = True
        self.overlay.hide()
        self.notes.hide()
        w.headline.set_scale(1.0, lines=4)
        w.plot_dock.set_text_scale(1.0)
        w.menuBar().setVisible(bool(self._saved.get("menu", True)))
        w.statusBar().setVisible(bool(self._saved.get("status", True)))
        w.controls_dock.setVisible(bool(self._saved.get("controls", True)))
        w.plots_dock.setVisible(bool(self._saved.get("plots", True)))
        for dock, shown in zip(w.side_docks(), self._saved.get("docks", []), strict=False):
            dock.setVisible(bool(shown))
        w.show_plots(None)
        if not self._saved.get("full"):
            if self._saved.get("maximized"):
                w.showMaximized()
            else:
                w.showNormal()
        w.redraw()
        self.changed.emit(False)

    def _arrange(self) -> None:
        """The plots the presenter wants, in a band at the bottom; then redraw at once."""
        w = self.stage
        if self.plots_view == "none":
            w.plots_dock.hide()
        else:
            names = w.driver.config.scenario.plots.split()
            if self.plots_view == "all":  # the preset's first: kept if not all fit
                names += [name for name in PLOT_NAMES if name not in names]
            w.show_plots(names)
            w.plots_dock.show()
            self.fit()
        w.redraw()

    def fit(self) -> None:
        """The plots' band at its share of the window (a resize keeps the share)."""
        w = self.stage
        if self.active and self.plots_view != "none":
            height = round(w.height() * self.PLOTS_SHARE)
            w.resizeDocks([w.plots_dock], [height], Qt.Orientation.Vertical)

    def cycle_plots(self) -> None:
        """P: the preset's plots, all that fit (``PlotRow.fitting``), no plots."""
        if not self.active:
            return
        order = ("preset", "all", "none")
        self.plots_view = order[(order.index(self.plots_view) + 1) % len(order)]
        self._arrange()

    def toggle_notes(self) -> None:
        """N: the preset's speaker notes, or a note saying it has none."""
        if not self.active:
            return
        if self.notes.isVisible():
            self.notes.hide()
        else:
            text = self.stage.driver.config.scenario.notes or "(this scenario has no notes)"
            self.notes.setText(f"Notes: {text}")
            self.notes.show()
        self.stage.redraw()

    def update(self, snap: Snapshot) -> None:
        d = self.stage.driver
        if self.view is not None and self.view.isVisible():
            self._show_slide()
            self.view.show_run(snap, d.running, d.speed)
        if not self.active:
            return
        self.overlay.show_line(overlay_forms(snap, d.running, d.speed, snap.config.scenario.name))

    def toggle_view(self) -> None:
        """Ctrl+F5: the presenter view on or off."""
        if self.view is not None and self.view.isVisible():
            self.view.hide()
        else:
            self.open_view()

    def open_view(self) -> None:
        if self.view is None:
            self.view = PresenterView(self.stage)
            self.view.place()
        self._show_slide()
        self.view.start_clock()
        self.view.show()
        self.view.raise_()

    def close_view(self) -> None:
        if self.view is not None:
            self.view.close()

    def _show_slide(self) -> None:
        scenario_section = self.stage.driver.config.scenario
        if self.view is not None:
            self.view.show_slide(scenario_section.name, scenario_section.notes, slides())

    def step_preset(self, step: int) -> None:
        """PageDown/PageUp: the next or previous slide in teaching order (presenter mode).
        Past the last slide or before the first nothing changes (the bar says which end it
        is); from a scenario that is no slide, PgDn opens the first and PgUp the last."""
        if not self.active:
            return
        names = slides()
        current = self.stage.driver.config.scenario.name
        if current in names:
            index = names.index(current) + step
            if not 0 <= index < len(names):
                return  # the run on screen stays as it is
        else:
            index = 0 if step > 0 else len(names) - 1
        self.stage.open_preset(names[index])
        self.notes.hide()
        self._arrange()
