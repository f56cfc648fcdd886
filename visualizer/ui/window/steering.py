"""What the user's clicks and keys ask of the run, as commands and seeks.

Each method turns one user action into driver calls, deciding from the run's snapshot
(crash or restart? which way does the toggle go?). Problems go to ``driver.problem``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from visualizer.lessons import controls_for
from visualizer.sim import commands as ev
from visualizer.sim.snapshot import ServerView
from visualizer.ui.panels.timeline import marker_times, next_marker, previous_marker
from visualizer.ui.window.driver import SimDriver

SEEK_STEP_S = 5.0


class Steering:
    def __init__(self, driver: SimDriver) -> None:
        self.driver = driver

    # --- state --------------------------------------------------------------------------

    def press(self, letter: str) -> None:
        """Press the lesson's big toggle ``letter`` (T, S or R)."""
        config = self.driver.config
        self.set_values(controls_for(config).flip(letter, config))

    def set_toggle(self, letter: str, on: bool) -> None:
        config = self.driver.config
        self.set_values(controls_for(config).toggle(letter).changes(config, on))

    def set_values(self, changes: Mapping[str, Any]) -> None:
        """A toggle's changes as one command: one instant, one marker, one undo step."""
        if changes:
            self.driver.apply(ev.set_command(changes))

    # --- the fleet ------------------------------------------------------------------------

    def server(self, index: int) -> ServerView | None:
        return next((s for s in self.driver.run.snapshot().servers if s.index == index), None)

    def toggle_server(self, index: int) -> None:
        server = self.server(index)
        if server is not None:
            self.driver.apply(ev.CrashServer(index) if server.up else ev.RestartServer(index))

    def toggle_server_named(self, name: str) -> None:
        index = self.driver.run.server_index(name)
        if index is None:
            names = ", ".join(s.name for s in self.driver.run.snapshot().servers)
            self.driver.problem.emit(f"There is no {name} (servers: {names})")
            return
        self.toggle_server(index)

    def toggle_store(self) -> None:
        up = self.driver.run.snapshot().store.up
        self.driver.apply(ev.CrashStore() if up else ev.RestoreStore())

    def add_server(self) -> None:
        self.driver.apply(ev.AddServer())

    def remove_server(self, index: int | None = None) -> None:
        self.driver.apply(ev.RemoveServer(index))

    # --- the timeline ---------------------------------------------------------------------

    def seek_by(self, seconds: float) -> None:
        run = self.driver.run
        self.driver.seek(min(run.end, max(0.0, run.now + seconds)))

    def to_start(self) -> None:
        self.driver.seek(0.0)

    def to_latest(self) -> None:
        self.driver.seek(self.driver.run.end)

    def previous_marker(self) -> None:
        run = self.driver.run
        t = previous_marker(marker_times(run.markers), run.now)
        if t is None:
            self.driver.problem.emit("no earlier marker: this is the first notable moment")
        else:
            self.driver.seek(t)

    def next_marker(self) -> None:
        run = self.driver.run
        t = next_marker(marker_times(run.markers + run.markers_ahead), run.now)
        if t is None:
            self.driver.problem.emit("no later marker in the computed run: press Space to go on")
        else:
            self.driver.seek(t)
