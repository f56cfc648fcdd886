"""What a lesson installs into the engine: the hooks, each doing nothing by default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from visualizer.sim.config import Config, Lesson
from visualizer.sim.requests import RequestPath
from visualizer.sim.traffic import Traffic

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.simulation import Simulation


class LessonModel:
    """A lesson's part of one run: the request path and traffic classes it runs on, the
    figures it adds to every per-second sample, and its part of the summary JSON.

    The engine builds ``path`` and ``traffic`` in place of the plain ones, then the model
    (``install``), then calls ``configure`` on every settings change, ``sample`` every
    simulated second and ``summary`` for the JSON. Models are pickled with the run
    (checkpoints, forks): they hold plain data and references to engine parts."""

    lesson: ClassVar[Lesson]
    path: ClassVar[type[RequestPath]] = RequestPath
    traffic: ClassVar[type[Traffic]] = Traffic
    #: names of the per-second figures ``sample`` returns, in order
    figures: ClassVar[tuple[str, ...]] = ()
    #: whether the lesson's users hold sessions, and its servers memory (the readable
    #: summary leaves out the lines that would always say 0)
    keeps_sessions: ClassVar[bool] = False
    holds_memory: ClassVar[bool] = False

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim

    def install(self) -> None:
        """Called once when the run is built, after the engine's own parts."""

    def configure(self, config: Config) -> None:
        """The settings changed (or were set for the first time)."""

    def server_down(self, s: Server) -> None:
        """Server ``s`` crashed or stopped (after its requests failed): whatever the
        lesson keeps on it (open connections, held requests) is gone."""

    def sample(self) -> tuple[float, ...]:
        """This second's figures (named by ``figures``)."""
        return ()

    def memory_mb(self, server: int) -> float:
        """Memory the lesson holds on server ``server`` besides sessions (open
        connections, say): it counts in the server's memory, its peaks and the plots."""
        return 0.0

    def facts(self) -> Any:
        """What views show of this lesson now (a small frozen dataclass), in snapshots."""
        return None

    def about_user(self, uid: int) -> Any:
        """What the lesson knows of one user now (a followed user's count on each
        server, say); None when it has nothing to say."""
        return None

    def summary(self) -> dict[str, Any]:
        """Top-level keys this lesson adds to the summary JSON."""
        return {}

    @staticmethod
    def summary_lines(summary: dict[str, Any]) -> list[str]:
        """The lesson's part of ``visualizer run``'s readable summary (after the users)."""
        return []
