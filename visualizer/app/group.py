"""Runs on one clock: a group of 1..N runs that advance, seek and undo together.

A comparison is a group of two (A and B, ``visualizer.app.compare``); a sweep is a group
of as many runs as it has points. Every run of a group stands at the same simulated
moment after any step, seek or undo; a command goes to every run, or to the ones named,
and a value any of them would refuse changes none. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from visualizer.app.run import REPLAY_EVENTS, Run
from visualizer.sim.commands import Command
from visualizer.sim.config import Config


class RunGroup:
    """Runs of ``configs`` on one clock (the first run leads, the others follow it to
    exactly the same moment)."""

    def __init__(self, configs: Sequence[Config], **run_options: Any) -> None:
        if not configs:
            raise ValueError("a group holds one run at least")
        self.runs: tuple[Run, ...] = tuple(Run(c, **run_options) for c in configs)
        #: for each command given in the past: the runs (by index) it branched
        self._undo_members: list[tuple[int, ...]] = []

    def __len__(self) -> int:
        return len(self.runs)

    @property
    def now(self) -> float:
        return self.runs[0].now

    @property
    def end(self) -> float:
        """The latest moment every run has reached."""
        return min(run.end for run in self.runs)

    @property
    def rewound(self) -> bool:
        return self.now < self.end

    def advance(self, until: float) -> None:
        for run in self.runs:
            run.advance(until)

    def advance_some(self, until: float, max_events: int) -> bool:
        """Towards ``until`` within a budget: the first run goes as far as the budget
        allows, the others catch up to exactly the same moment."""
        lead, *others = self.runs
        done = lead.advance_some(until, max_events)
        for run in others:
            run.advance(lead.now)
        return done

    def apply(self, command: Command, members: Iterable[int] | None = None) -> bool:
        """Apply ``command`` now to every run (or the ``members``, by index). A value any
        of them would refuse raises ``ConfigError`` before any run changes."""
        chosen = tuple(range(len(self.runs)) if members is None else members)
        targets = [self.runs[i] for i in chosen]
        for run in targets:
            run.check(command)
        rewound = [run.rewound for run in targets]
        changed = [run.apply(command) for run in targets]
        branched = tuple(
            i for i, was, did in zip(chosen, rewound, changed, strict=True) if was and did
        )
        if branched:
            self._undo_members.append(branched)
        return any(changed)

    def seek(self, t: float) -> None:
        for _ in self.seeking(t):
            pass

    def seeking(self, t: float) -> Iterator[float]:
        """``seek`` in slices of work, yielding the fraction done; stopped early, every run
        stands at one moment (the one reached)."""
        t = min(max(0.0, t), self.end)
        for run in self.runs:
            run.rewind_for(t)
        yield from self.advancing(t)

    def advancing(self, t: float) -> Iterator[float]:
        """Every run to ``t`` on one clock, in slices, yielding the fraction done. (A run
        that restored an earlier checkpoint than another first catches up with it.)"""
        lead = max(run.now for run in self.runs)
        try:
            for run in self.runs:
                for _ in run.advancing(lead):
                    yield 0.0
        finally:  # (stopped while catching up: the others still go to the same moment)
            for run in self.runs:
                run.advance(lead)
        start = self.now
        while not self.advance_some(t, REPLAY_EVENTS):
            yield (self.now - start) / (t - start)

    def undo(self) -> bool:
        """Bring back the future the last command given in the past replaced (on the
        runs it changed); every run ends at the same moment."""
        steps = self.undoing()
        if steps is None:
            return False
        for _ in steps:
            pass
        return True

    def undoing(self) -> Iterator[float] | None:
        """``undo`` in slices of work (None: nothing to undo). The runs it changed go back
        to the moment of the command, and so do the others (one clock)."""
        if not self._undo_members:
            return None
        undone = self._undo_members.pop()
        t = min(self.runs[i].undo_future() or 0.0 for i in undone)  # the command's moment
        for run in self.runs:
            run.rewind_for(t)
        return self.advancing(t)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo_members)

    def summaries(self) -> list[dict[str, Any]]:
        return [run.summary() for run in self.runs]
