"""Compare mode in the window: side B's canvas, the scoreboard, the Compare… dialog.

Views of B read the comparison's run B, as views of A read run A. Clicks on either
canvas become commands for both runs at the same simulated moment; Alt+click gives
the command to that side only (its title then says so).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from visualizer.app.compare import Comparison, Side, with_b_changes
from visualizer.app.scoreboard import board
from visualizer.sim import commands as ev
from visualizer.sim.commands import to_fault
from visualizer.sim.config import CompareSection, Config
from visualizer.sim.schema import ConfigError
from visualizer.ui.canvas.scene import TopologyScene
from visualizer.ui.canvas.view import CanvasView
from visualizer.ui.compare.dialog import CompareDialog
from visualizer.ui.compare.view import Stage
from visualizer.ui.lesson.views import view_for
from visualizer.ui.window.driver import Frame, SimDriver

if TYPE_CHECKING:
    from visualizer.ui.colors import Theme

#: Type in presenter mode (the scoreboard is read from the back of the room).
PRESENTER_SCALE = 1.35


def command_words(t: float, command: ev.Command) -> str:
    """ "crash server-2 at 20.5 s": a command as a side's title lists it."""
    fault = to_fault(t, command)
    what = fault.action.value.replace("_", " ")
    if fault.changes:
        what = ", ".join(f"{key} = {value}" for key, value in fault.changes)
    elif fault.target is not None:
        what += f" {fault.target}"
    return f"{what} at {t:g} s"


class CompareMode(QObject):
    def __init__(
        self,
        window: QWidget,
        driver: SimDriver,
        canvas_a: CanvasView,
        strip: QWidget,
        theme: Theme,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.strip = strip
        self.presenting = False
        self.driver = driver
        self.canvas_a = canvas_a
        self.scene = TopologyScene(theme)
        self.canvas = CanvasView(self.scene)
        self.canvas.setAccessibleName("Topology canvas, side B")
        self.stage = Stage(canvas_a, self.canvas, theme)
        self.canvas.serverClicked.connect(lambda i: self.toggle_server(i, Side.B))
        self.canvas.storeClicked.connect(lambda: self.toggle_store(Side.B))
        self.canvas.nodeClicked.connect(lambda key: self.click_node(key, Side.B))
        self.canvas.resized.connect(driver.redraw)
        driver.comparisonChanged.connect(self._changed)
        self._arrange(driver.comparison is not None)  # (a [compare] scenario)

    def _arrange(self, on: bool) -> None:
        """Two compact canvases under the scoreboard, or canvas A alone at full size."""
        self.stage.set_comparing(on)
        self._show_strip()
        self.canvas_a.topology.set_compact(on)
        self.scene.set_compact(True)
        self.canvas_a.refit()

    def _show_strip(self) -> None:
        """Presenting a comparison, the scoreboard and the titles tell the story: the
        explanation strip gives its height to the canvases."""
        self.strip.setVisible(not (self.presenting and self.active))

    @property
    def comparison(self) -> Comparison | None:
        return self.driver.comparison

    @property
    def active(self) -> bool:
        return self.driver.comparison is not None

    # --- commands from either canvas --------------------------------------------------

    def side_for(self, canvas: CanvasView, clicked: Side) -> Side | None:
        """Alt held: this side only; otherwise both."""
        alt = bool(canvas.click_modifiers & Qt.KeyboardModifier.AltModifier)
        return clicked if alt and self.active else None

    def toggle_server(self, index: int, clicked: Side) -> None:
        """Crash or restart (as the clicked side's server is up or down)."""
        canvas = self.canvas if clicked is Side.B else self.canvas_a
        comparison = self.comparison
        run = comparison.run(clicked) if comparison is not None else self.driver.run
        server = next((s for s in run.snapshot().servers if s.index == index), None)
        if server is None:
            return
        command = ev.CrashServer(index) if server.up else ev.RestartServer(index)
        self.driver.apply(command, self.side_for(canvas, clicked))

    def toggle_store(self, clicked: Side) -> None:
        canvas = self.canvas if clicked is Side.B else self.canvas_a
        comparison = self.comparison
        run = comparison.run(clicked) if comparison is not None else self.driver.run
        command = ev.CrashStore() if run.snapshot().store.up else ev.RestoreStore()
        self.driver.apply(command, self.side_for(canvas, clicked))

    def node_actions(self, key: str, clicked: Side) -> tuple[tuple[str, dict], ...]:
        """What the clicked side's lesson offers for its tier node ``key``."""
        comparison = self.comparison
        run = comparison.run(clicked) if comparison is not None else self.driver.run
        return view_for(run.config).node_actions(run.snapshot(), key)

    def click_node(self, key: str, clicked: Side, action: int = 0) -> None:
        """Do a tier node's ``action`` (a click: its first), on both sides or, with Alt,
        on the clicked side only."""
        actions = self.node_actions(key, clicked)
        if action >= len(actions):
            return
        canvas = self.canvas if clicked is Side.B else self.canvas_a
        side = self.side_for(canvas, clicked)
        changes = actions[action][1]
        if changes:  # one command, however many settings it changes
            self.driver.apply(ev.set_command(changes), side)

    # --- starting and stopping ----------------------------------------------------------

    def open_dialog(self) -> None:
        """Compare… (Ctrl+K): choose what B changes; again while comparing: change B or
        stop comparing."""
        d = self.driver
        comparison = self.comparison
        a = d.run.config
        b = comparison.b.config if comparison is not None else a
        dialog = CompareDialog(a, b, comparing=comparison is not None, parent=self.window)
        while True:
            result = self.ask(dialog)
            if result == CompareDialog.STOP:
                self.stop()
                return
            if result != CompareDialog.DialogCode.Accepted:
                return
            try:
                self.start(dialog.changes())
                return
            except ConfigError as exc:
                dialog.show_problem(str(exc))

    def ask(self, dialog: CompareDialog) -> int:
        """Show the dialog (replaced in tests)."""
        return dialog.exec()

    def start(self, changes: dict) -> bool:
        """Compare A (this run, with its commands) with B = A plus ``changes``, both computed
        up to the moment shown. A bad value raises ``ConfigError`` and nothing changes."""
        d = self.driver
        base = d.reproducible_config()
        if d.comparison is not None:  # B's changes are replaced, one-side commands kept
            compare = base.compare or CompareSection()
            base = dataclasses.replace(base, compare=dataclasses.replace(compare, changes=()))
        config = with_b_changes(base, changes)
        return self._compute(config)

    def _compute(self, config: Config) -> bool:
        d = self.driver
        was_running = d.running
        d.pause()
        done = d.compare(config)
        if was_running:
            d.play()
        return done

    def stop(self) -> None:
        self.driver.stop_comparing()

    def _changed(self, comparison: Comparison | None) -> None:
        self._arrange(comparison is not None)
        self.scene.reset()
        self.update_text()

    # --- what B shows ---------------------------------------------------------------------

    def on_frame(
        self, frame: Frame, running: bool, wall: float, refresh_cards: bool, numbers: bool = True
    ) -> None:
        comparison = self.comparison
        if frame.other is None or comparison is None:
            return
        scene = self.scene
        scene.speed = self.driver.speed
        scene.moving = running
        scene.update_frame(
            frame.other,
            comparison.b.log,
            refresh_nodes=not running,
            refresh_cards=refresh_cards,
            wall=wall,
            numbers=numbers,
        )
        scene.set_paused(not running)

    def update_effects(self, wall: float) -> None:
        if self.active:
            self.scene.update_effects(wall)

    def update_text(self) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        self.stage.scoreboard.show_rows(board(comparison))
        for side, title, label in (
            (Side.A, comparison.titles[0], self.stage.title_a),
            (Side.B, comparison.titles[1], self.stage.title_b),
        ):
            only = [command_words(t, c) for t, c in comparison.only(side)]
            label.show_title(title, only)

    def set_theme(self, theme: Theme) -> None:
        self.scene.set_theme(theme)
        self.stage.set_theme(theme)

    def set_presenting(self, on: bool) -> None:
        self.presenting = on
        self.stage.scoreboard.details = not on  # the room reads the totals
        self.stage.set_text_scale(PRESENTER_SCALE if on else 1.0)
        self._show_strip()
        self.scene.set_presenting(on)
        self.canvas.inspecting = not on

    def set_reduced_motion(self, on: bool) -> None:
        self.scene.set_reduced_motion(on)
