"""Runs without a window (``visualizer run`` and ``compare``): the run layer is the one
door to the engine, for the command line too. A headless run keeps no history and no
checkpoints: it only goes forward, streaming its per-second samples and traces to the
caller, and sums up at the end. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from visualizer.sim.config import Config
from visualizer.sim.metrics import Sample
from visualizer.sim.records import RequestTrace
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize


class HeadlessRun:
    """One run of ``config`` driven forward: ``on_sample`` gets every per-second sample;
    with ``traces``, finished requests' traces wait for ``drain_traces``."""

    def __init__(
        self,
        config: Config,
        *,
        on_sample: Callable[[Sample], None] | None = None,
        traces: bool = False,
        trace_buffer: int = 10_000_000,
    ) -> None:
        self.config = config
        self._sim = Simulation(
            config, on_sample=on_sample, traces=traces, trace_buffer=trace_buffer
        )

    @property
    def now(self) -> float:
        return self._sim.now

    def advance(self, until: float) -> None:
        """Everything up to and including ``until``."""
        self._sim.advance(until)

    def drain_traces(self) -> list[RequestTrace]:
        """The traces finished since the last call (then forgotten here)."""
        return self._sim.drain_traces()

    def summary(self) -> dict[str, Any]:
        """What ``visualizer run --json`` prints of the run so far."""
        return summarize(self._sim)
