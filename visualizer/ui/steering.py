"""What the user's clicks and keys ask of the run, as commands and seeks.

Each method turns one user action into driver calls, deciding from the run's snapshot
(crash or restart? which way does the toggle go?). Problems go to ``driver.problem``.
"""

from __future__ import annotations

from visualizer.sim import commands as ev
from visualizer.sim.config import Mode
from visualizer.sim.snapshot import ServerView
from visualizer.ui.driver import SimDriver
from visualizer.ui.timeline import marker_times, next_marker, previous_marker

SEEK_STEP_S = 5.0


class Steering:
    def __init__(self, driver: SimDriver) -> None:
        self.driver = driver

    # --- state --------------------------------------------------------------------------

    def set_mode(self, mode: Mode) -> None:
        self.driver.set_value("state.mode", mode.value)

    def toggle_stateful(self) -> None:
        stateful = self.driver.config.state.mode is not Mode.TOKEN
        self.set_mode(Mode.TOKEN if stateful else Mode.LOCAL)

    def toggle_shared(self) -> None:
        shared = self.driver.config.state.mode is Mode.SHARED
        self.set_mode(Mode.LOCAL if shared else Mode.SHARED)

    def toggle_sticky(self) -> None:
        self.driver.set_value("balancer.sticky", not self.driver.config.balancer.sticky)

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
