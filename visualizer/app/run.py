"""A run as views see it: the engine, its history, and rewinding, branching and forking.

The engine only goes forward. A ``Run`` keeps what the views need to look back: every
per-second sample and marker of the timeline so far, a bounded log of event records
that several views read with their own cursors, recent request traces, the live
commands of this timeline, and compressed checkpoints of the engine every few simulated
seconds. ``seek(t)`` restores the checkpoint before ``t`` and replays to ``t`` (the same
numbers the run had then); a command given in the past starts a new future (``undo``
brings the old one back); ``fork()`` copies the run. Nothing here imports Qt.
"""

from __future__ import annotations

import dataclasses
import pickle
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from visualizer.app.checkpoint import (
    Checkpoint,
    Pending,
    can_fork,
    collector_paused,
    snapshot_bytes,
)
from visualizer.app.eventlog import EventLog
from visualizer.app.history import CHECKPOINT_BUDGET, History, thin
from visualizer.app.recent import RecentRows
from visualizer.app.stories import UserStory, story
from visualizer.sim.commands import Command, to_fault
from visualizer.sim.config import Config
from visualizer.sim.metrics import Sample
from visualizer.sim.records import EventKind, InFlight, Marker, RequestTrace, event_of
from visualizer.sim.schema import ConfigError
from visualizer.sim.simulation import Simulation
from visualizer.sim.snapshot import Snapshot, take_snapshot
from visualizer.sim.summary import summarize

#: Simulated seconds between checkpoints: a seek replays at most this much (plus lookback).
CHECKPOINT_S = 10.0
#: A seek replays at least this long, so requests in flight at the target are in the log.
LOOKBACK_S = 5.0
#: Checkpoints slower than this (about a frame) come as many times less often.
HITCH_S = 0.02
#: A window's checkpoints are written by a forked copy of the process past this cost: a
#: fork costs 5-15 ms (more the bigger the process) and slows the window a little while
#: the copy lives, so a cheaper checkpoint is taken in-process.
FORK_ABOVE_S = 0.05
MAX_SPACING = 30.0
#: Events per slice of a long replay (seek, undo): a few milliseconds of work.
REPLAY_EVENTS = 2_000
#: Undo keeps this many abandoned futures.
UNDO_DEPTH = 10
#: Users whose arrival and departure are remembered (for their stories).
USERS_KEPT = 200_000
USER_ARRIVED, USER_LEFT = int(EventKind.USER_ARRIVED), int(EventKind.USER_LEFT)


@dataclass(frozen=True)
class _Future:
    """A timeline set aside by a command given in the past (for undo)."""

    at: float
    end: float
    commands: list[tuple[float, Command]]
    checkpoints: list[Checkpoint]
    samples: list[Sample]  # what lay ahead of ``at``
    markers: list[Marker]
    kept: tuple[int, int]  # samples and markers up to ``at`` (shared with the new future)


class Run:
    """One run of a scenario with its history. Views read ``snapshot()``, ``samples``,
    ``markers`` (up to now; ``markers_ahead`` when rewound), ``log`` (with a ``Cursor``)
    and ``traces``; nothing else touches the engine."""

    def __init__(
        self,
        config: Config,
        *,
        traces: bool = True,
        event_log: int = 400_000,
        trace_log: int = 200_000,
        checkpoint_s: float = CHECKPOINT_S,
        background: bool = False,
    ) -> None:
        """``background``: a big engine's checkpoints are written by a forked copy of the
        process, so the caller (the window) does not stall while they are pickled."""
        self.initial_config = config
        self._background = background and can_fork()
        self._pending: Checkpoint | None = None
        self.checkpoint_s = checkpoint_s
        self._trace_log = trace_log
        self._traced = traces
        self._sim = self._new_engine(config)
        self.log = EventLog(event_log)
        self._traces: deque[tuple] = deque(maxlen=trace_log)  # rows (RequestTrace.of)
        self._samples = History()
        self._markers = History()
        self.commands: list[tuple[float, Command]] = []  # live commands of this timeline
        self.end = 0.0  # the furthest time this timeline has been computed to
        self._checkpoints: list[Checkpoint] = []
        self._futures: list[_Future] = []
        self._traces_total = 0
        self._checkpoint_every = checkpoint_s  # simulated seconds (see _checkpoint)
        self._costs: list[float] = []
        # (the oldest leave first, in O(1); out of the garbage collector's sight)
        self._arrivals = RecentRows(USERS_KEPT)
        self._departures = RecentRows(USERS_KEPT)
        self._listen()
        self._checkpoint()

    def _new_engine(self, config: Config) -> Simulation:
        return Simulation(
            config,
            record_events=True,
            event_buffer=10_000_000,  # drained after every advance
            history_s=2,  # the run keeps the history
            traces=self._traced,
            trace_buffer=10_000_000,
        )

    # --- what views read ------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self._sim.now

    @property
    def engine(self) -> Simulation:
        """The engine now behind the run, for tests and benchmarks; views read the run.
        (It is a different object after a seek or an undo.)"""
        return self._sim

    @property
    def samples(self) -> Sequence[Sample]:
        """Every per-second sample up to now."""
        return self._samples.shown()

    @property
    def markers(self) -> Sequence[Marker]:
        """Every notable moment up to now."""
        return self._markers.shown()

    @property
    def markers_ahead(self) -> list[Marker]:
        """Notable moments between now and ``end`` (computed before a rewind)."""
        return self._markers.ahead()

    @property
    def config(self) -> Config:
        """The settings in effect now (live changes included)."""
        return self._sim.config

    @property
    def rewound(self) -> bool:
        """Showing a past moment: playing goes on along the computed timeline."""
        return self.now < self.end

    def snapshot(self) -> Snapshot:
        return take_snapshot(self._sim)

    def summary(self) -> dict[str, Any]:
        """The summary JSON (schema 1) of the run up to now."""
        return summarize(self._sim)

    def server_index(self, name: str) -> int | None:
        return self._sim.server_index(name)

    def server_slots(self) -> int:
        """Server numbers used so far (CSV columns): names are never reused."""
        return len(self._sim.servers)

    def reproducible_config(self) -> Config:
        """The scenario with this timeline's live commands as its schedule: running it
        gives the same numbers, including the commands given after ``now`` if rewound."""
        if not self.commands:
            return self.initial_config
        added = [to_fault(t, command) for t, command in self.commands]
        faults = sorted([*self.initial_config.faults, *added], key=lambda f: f.at_s)
        return dataclasses.replace(self.initial_config, faults=tuple(faults))

    def scheduled_ahead(self) -> list[tuple[float, str]]:
        """Scheduled faults and live commands after now, for the timeline (dimmed)."""
        ahead = [(f.at_s, f.action.value) for f in self.initial_config.faults if f.at_s > self.now]
        ahead += [(t, to_fault(t, c).action.value) for t, c in self.commands if t > self.now]
        return sorted(ahead)

    def about_user(self, user: int) -> Any:
        """What the run's lesson knows of ``user`` now (None: nothing)."""
        return self._sim.lesson.about_user(user)

    @property
    def traces(self) -> Sequence[RequestTrace]:
        """Recent request traces, oldest first (the run keeps them as rows of plain values,
        which the garbage collector leaves alone, and types them when read)."""
        return _Traces(self._traces)

    def user_traces(self, user: int) -> list[RequestTrace]:
        return [RequestTrace.of(row) for row in self._traces if row[1] == user]

    def user_story(self, user: int) -> UserStory:
        """What ``user`` came to do, where they were sent, what failed, what they did next
        (from the traces the run still holds), and what their session is now (the
        engine's word). Rewound before their arrival, the story says they are not here
        yet."""
        rows = (self._arrivals.get(user), self._departures.get(user))
        events = [event_of(row) for row in rows if row]
        session = self._sim.session_now(user)
        lost_at = None
        if session is not None and session.state == "lost":
            lost_at = self._went_down(session.holder)
        traces = self.user_traces(user)
        return story(user, traces, events, at=self.now, session=session, lost_at=lost_at)

    def _went_down(self, holder: int) -> float | None:
        """When ``holder`` (a server index or ``STORE``) last crashed or stopped, up to now."""
        downs = {
            int(EventKind.SERVER_CRASHED),
            int(EventKind.SERVER_REMOVED),
            int(EventKind.STORE_CRASHED),
        }
        for marker in reversed(self.markers):
            if marker.server == holder and marker.kind in downs:
                return marker.t
        return None

    def trace(self, request: int) -> RequestTrace | None:
        for row in reversed(self._traces):
            if row[0] == request:
                return RequestTrace.of(row)
        return None

    def in_flight(self, request: int) -> InFlight | None:
        """Request ``request`` if it is in flight now: where it was sent and why."""
        return self._sim.in_flight(request)

    # --- driving --------------------------------------------------------------------------

    def advance(self, until: float) -> None:
        """Everything up to and including ``until``."""
        self._sim.advance(until)
        self._collect()

    def advance_some(self, until: float, max_events: int) -> bool:
        """Towards ``until``, stopping between instants after about ``max_events`` events
        (a frame budget). Returns whether ``until`` was reached."""
        done = self._sim.advance_some(until, max_events)
        self._collect()
        return done

    def check(self, command: Command) -> None:
        """Raise ``ConfigError`` if ``apply`` would refuse ``command`` (changes nothing)."""
        self._sim.check(command)

    def apply(self, command: Command) -> bool:
        """Apply a command now; given in the past, it starts a new future (the old one can
        come back with ``undo``). A bad value raises ``ConfigError`` and changes nothing."""
        sim = self._sim
        logged = len(sim.command_log)
        rewound = self.rewound
        if rewound:
            self._branch()
        try:
            changed = sim.apply(command)
        except ConfigError:
            if rewound:
                self._unbranch()  # a refused value changes nothing, not even the future
            raise
        if rewound and not changed:
            self._unbranch()
        if changed:
            t, applied, _ = sim.command_log[logged]  # as validated (e.g. enum values)
            self.commands.append((t, applied))
        self._collect()
        return changed

    def _branch(self) -> None:
        """A command given in the past: the computed future is set aside (for undo)."""
        now = self.now
        future = _Future(
            now,
            self.end,
            list(self.commands),
            list(self._checkpoints),
            self._samples.drop_ahead(),
            self._markers.drop_ahead(),
            (self._samples.upto, self._markers.upto),
        )
        self._futures = [*self._futures, future][-UNDO_DEPTH:]
        self._sim.cancel_replay()
        self.commands = [(t, c) for t, c in self.commands if t <= now]
        self._checkpoints = [c for c in self._checkpoints if c.t <= now]
        self.end = now

    def _unbranch(self) -> None:
        future = self._futures.pop()
        self.commands = future.commands
        self._checkpoints = future.checkpoints
        self.end = future.end
        self._samples.extend(future.samples)
        self._markers.extend(future.markers)
        self._sim.replay(self.commands[len([c for c in self.commands if c[0] <= self.now]) :])

    def seek(self, t: float) -> None:
        """Show the run at simulated time ``t`` (0 to ``end``): exactly what it was then."""
        _exhaust(self.seeking(t))

    def seeking(self, t: float) -> Iterator[float]:
        """``seek`` in slices of work, for callers that show progress: yields the fraction
        done after each. Stopped early (``close()``), the run stays at the moment reached,
        which is as exact as any other."""
        t = min(max(0.0, t), self.end)
        self.rewind_for(t)
        yield from self.advancing(t)

    def rewind_for(self, t: float) -> None:
        """Restore the checkpoint before ``t`` unless ``t`` is a short way ahead: the run
        then stands at or before ``t``, which ``advancing(t)`` reaches."""
        t = min(max(0.0, t), self.end)
        if not self.now < t <= self.now + self.checkpoint_s and t != self.now:
            self._restore(self._usable(max(0.0, t - LOOKBACK_S)))

    def advancing(self, t: float) -> Iterator[float]:
        """Advance to ``t`` in slices of about ``REPLAY_EVENTS`` events, yielding the
        fraction of the way done after each."""
        start = self.now
        while not self.advance_some(t, REPLAY_EVENTS):
            yield (self.now - start) / (t - start)

    def undo(self) -> bool:
        """Bring back the future that the last command given in the past replaced."""
        at = self.undo_future()
        if at is None:
            return False
        self.advance(at)
        return True

    def undoing(self) -> Iterator[float] | None:
        """``undo`` in slices of work (None: nothing to undo)."""
        at = self.undo_future()
        return None if at is None else self.advancing(at)

    def undo_future(self) -> float | None:
        """The bookkeeping of ``undo`` (the old future back, its checkpoint restored);
        returns the moment to advance to (that of the command), None if nothing to undo."""
        if not self._futures:
            return None
        future = self._futures.pop()
        self.commands = future.commands
        self._checkpoints = future.checkpoints
        self.end = future.end
        pairs = ((self._samples, future.samples), (self._markers, future.markers))
        for (history, ahead), kept in zip(pairs, future.kept, strict=True):
            history.truncate(kept)  # the abandoned branch's own
            history.extend(ahead)
        self._restore(self._usable(future.at))
        return future.at

    @property
    def can_undo(self) -> bool:
        return bool(self._futures)

    def fork(self) -> Run:
        """An independent copy of this run, at the same moment, with the same past."""
        clone = object.__new__(Run)
        clone.__dict__.update(self.__dict__)
        with collector_paused():
            clone._sim = pickle.loads(pickle.dumps(self._sim, protocol=pickle.HIGHEST_PROTOCOL))
        clone.log = EventLog(self.log.capacity)
        clone._traces = deque(self._traces, maxlen=self._traces.maxlen)
        clone._arrivals = self._arrivals.copy()
        clone._departures = self._departures.copy()
        clone._samples = self._samples.copy()
        clone._markers = self._markers.copy()
        clone._listen()
        clone.commands = list(self.commands)
        clone._checkpoints = list(self._checkpoints)
        clone._futures = list(self._futures)
        return clone

    # --- history --------------------------------------------------------------------------

    def _collect(self) -> None:
        """Take what the engine recorded since the last call; checkpoint when due."""
        sim = self._sim
        events = sim.drain_rows()
        self.log.extend(events)
        for e in events:  # who came and went, for users' stories (kept for recent users)
            kind = e[1]
            if kind == USER_ARRIVED:
                self._arrivals.put(e[3], e)
            elif kind == USER_LEFT:
                self._departures.put(e[3], e)
        self._arrivals.trim()
        self._departures.trim()
        traces = sim.drain_trace_rows()
        self._traces.extend(traces)
        self._traces_total += len(traces)
        sim.journal.markers.clear()  # the run has them (on_marker): checkpoints stay small
        now = sim.now
        self.end = max(self.end, now)
        pending = self._pending
        if pending is not None and pending.ready:
            self._pending = None
            self._finished(pending)
        last = self._checkpoints[-1].t if self._checkpoints else -1.0
        if now >= last + self._checkpoint_every and now >= self.end and self._pending is None:
            self._checkpoint()

    def _listen(self) -> None:
        """Every sample and marker of the engine joins the run's history as it is made."""
        self._sim.sampler.on_sample = self._samples.add
        self._sim.journal.on_marker = self._markers.add

    def _checkpoint(self) -> None:
        """Keep a compressed copy of the engine. A big state takes a while to copy (0.2 s
        with 20,000 requests in flight). When checkpoints take longer than a frame, the
        window's runs (``background``) have a forked copy of the process write them, and
        other runs take them as many times less often (up to MAX_SPACING), so a long run
        plays on without frequent hitches. Results never depend on where checkpoints fall."""
        started = time.perf_counter()
        sim = self._sim
        live = sum(1 for *_, scheduled in sim.command_log if not scheduled)
        slow = bool(self._costs) and self._costs[-1] > FORK_ABOVE_S
        data: bytes | Pending | None = None
        if slow and self._background:
            try:
                data = Pending(sim)
            except OSError:  # no memory or processes left for a copy: in-process, then
                data = None
        forked = data is not None
        if data is None:
            data = snapshot_bytes(sim)
        checkpoint = Checkpoint(
            sim.now, live, self._samples.upto, self._markers.upto, self._traces_total, data
        )
        self._checkpoints.append(checkpoint)
        if forked:
            self._pending = checkpoint
            self._checkpoint_every = self.checkpoint_s
        else:
            self._note_cost(time.perf_counter() - started)
        self._keep_within_budget()

    def _note_cost(self, cost: float) -> None:
        self._costs = [*self._costs[-2:], cost]
        if not self._background:  # (the least of the last three: a GC pause is not a
            # slow engine)
            slower = min(self._costs) / HITCH_S
            self._checkpoint_every = self.checkpoint_s * min(MAX_SPACING, max(1.0, slower))

    def _finished(self, checkpoint: Checkpoint) -> None:
        """A checkpoint written beside us is in (or failed: then it is forgotten)."""
        assert isinstance(checkpoint.data, Pending)
        if checkpoint.blob is None:
            self._checkpoints = [c for c in self._checkpoints if c is not checkpoint]
            self._futures = [
                dataclasses.replace(
                    f, checkpoints=[c for c in f.checkpoints if c is not checkpoint]
                )
                for f in self._futures
            ]
            self._background = False  # fork does not work here: in-process from now on
            return
        self._note_cost(checkpoint.data.cost)
        self._keep_within_budget()

    def _usable(self, t: float) -> Checkpoint:
        """The latest checkpoint at or before ``t`` that holds an engine (waiting for one
        being written; the first, at 0 s, is always taken in-process)."""
        for checkpoint in reversed(self._checkpoints):
            if checkpoint.t <= t and checkpoint.blob is not None:
                return checkpoint
        return self._checkpoints[0]

    def _keep_within_budget(self) -> None:
        """Checkpoints (the undo futures' included) within ``CHECKPOINT_BUDGET``: the
        oldest futures go first (undo reaches less far back), then old checkpoints are
        thinned (a seek there replays further). Results never depend on either."""
        while self._futures and self._checkpoint_total() > CHECKPOINT_BUDGET:
            self._futures = self._futures[1:]
        if self._checkpoint_total() <= CHECKPOINT_BUDGET:
            return
        kept = thin(self._checkpoints, _size, CHECKPOINT_BUDGET - self._futures_own_bytes())
        alive = {id(c) for c in kept}
        gone = {id(c) for c in self._checkpoints} - alive
        self._checkpoints = kept
        self._futures = [  # a future shares the checkpoints before its moment
            dataclasses.replace(f, checkpoints=[c for c in f.checkpoints if id(c) not in gone])
            for f in self._futures
        ]

    def _checkpoint_total(self) -> int:
        unique = {id(c): c for c in self._checkpoints}
        for future in self._futures:
            unique.update((id(c), c) for c in future.checkpoints)
        return sum(_size(c) for c in unique.values())

    def _futures_own_bytes(self) -> int:
        mine = {id(c) for c in self._checkpoints}
        own = {id(c): c for f in self._futures for c in f.checkpoints if id(c) not in mine}
        return sum(_size(c) for c in own.values())

    def _restore(self, checkpoint: Checkpoint) -> None:
        sim = checkpoint.restore()
        sim.replay(self.commands[checkpoint.commands :])
        self._sim = sim
        self._samples.upto = checkpoint.samples
        self._markers.upto = checkpoint.markers
        for _ in range(min(len(self._traces), self._traces_total - checkpoint.traces)):
            self._traces.pop()
        self._traces_total = checkpoint.traces
        self.log.reset()
        self._listen()

    def checkpoint_bytes(self) -> int:
        """What the checkpoints take, those kept for undo included."""
        return self._checkpoint_total()


class _Traces(Sequence):
    """The run's trace rows, typed as they are read."""

    def __init__(self, rows: deque[tuple]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [RequestTrace.of(row) for row in list(self._rows)[i]]
        return RequestTrace.of(self._rows[i])

    def __iter__(self) -> Iterator[RequestTrace]:
        return map(RequestTrace.of, self._rows)

    def __reversed__(self) -> Iterator[RequestTrace]:
        return map(RequestTrace.of, reversed(self._rows))


def _exhaust(steps: Iterator[float]) -> None:
    for _ in steps:
        pass


def _size(checkpoint: Checkpoint) -> int:
    return checkpoint.size
