"""The simulation facade: builds the parts on one simpy clock, drives and steers them.

The parts each do one job: ``Traffic`` (users), ``RequestPath`` (the hot path),
``SessionKeeper`` (sessions), ``Fleet`` (servers, store, health checks) and ``Sampler``
(per-second metrics). Everything random comes from named streams derived from the one
scenario seed (``rng.Streams``); nothing reads a clock.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import deque
from collections.abc import Callable
from typing import Any

import simpy

from visualizer.sim.clock import Clock
from visualizer.sim.commands import (
    AddServer,
    Command,
    CrashServer,
    CrashStore,
    RemoveServer,
    RestartServer,
    RestoreStore,
    SetValue,
    SetValues,
    server_number,
    set_command,
    to_command,
    to_fault,
)
from visualizer.sim.config import Config, Fault, FaultAction
from visualizer.sim.fleet import Fleet
from visualizer.sim.journal import Journal
from visualizer.sim.lessons import model_for
from visualizer.sim.metrics import LatencyHistogram, Sample, Totals
from visualizer.sim.nodes import Server
from visualizer.sim.records import (
    Event,
    EventKind,
    InFlight,
    LossCause,
    Marker,
    Note,
    RequestTrace,
    Row,
    SessionNow,
    event_of,
)
from visualizer.sim.requests import trace_row
from visualizer.sim.rng import Streams
from visualizer.sim.routing.balancer import Balancer
from visualizer.sim.sampler import Sampler
from visualizer.sim.schema import ConfigError, live_sections, settings_order, with_values
from visualizer.sim.state.keeper import SessionKeeper
from visualizer.sim.state.sessions import SessionTable
from visualizer.sim.state.store import SessionStore

#: simpy event priority after NORMAL: scheduled commands run last at their instant.
LAST = 2


class Simulation:
    """One run of a scenario. Drive it with ``advance(until)``; steer it with ``apply``."""

    def __init__(
        self,
        config: Config,
        *,
        record_events: bool = False,
        event_buffer: int = 200_000,
        history_s: int = 3_600,
        on_sample: Callable[[Sample], None] | None = None,
        traces: bool = False,
        trace_buffer: int = 200_000,
    ) -> None:
        self.initial_config = config
        self.streams = streams = Streams(config.scenario.seed)
        self.env = env = Clock()
        self.totals = totals = Totals()
        self.journal = journal = Journal(env, record_events, event_buffer, traces, trace_buffer)
        store = SessionStore()
        self.keeper = keeper = SessionKeeper(env, totals, journal, store)
        self.balancer = Balancer(config.balancer.algorithm, config.balancer.sticky, streams.routing)
        self.fleet = fleet = Fleet(env, config, journal, self.balancer, keeper, store)
        model = model_for(config.scenario.lesson)  # the lesson's own parts, if any
        self.requests = requests = model.path(
            env, streams.service, totals, journal, self.balancer, keeper, store
        )
        self.traffic = traffic = model.traffic(env, streams, totals, journal, self.balancer, keeper)
        keeper.fleet = fleet
        fleet.requests = requests
        requests.fleet, requests.traffic = fleet, traffic
        traffic.requests = requests
        self.lesson = fleet.lesson = lesson = model(self)
        self.sampler = Sampler(
            env, totals, journal, fleet, keeper, requests, lesson, history_s, on_sample
        )
        # (time, command, True if it came from the scenario's schedule)
        self.command_log: list[tuple[float, Command, bool]] = []
        self._from_schedule = False
        # the scheduled sets in time order (a live change is checked against those ahead)
        self._sets = sorted(
            (f for f in config.faults if f.action is FaultAction.SET), key=lambda f: f.at_s
        )
        self._set_times = [f.at_s for f in self._sets]
        self._replay_generation = 0  # commands re-applied after a rewind (see replay)
        self._configure(config)
        lesson.install()
        traffic.schedule_arrival()
        self.sampler.start()
        for fault in config.faults:
            # after every other event at that instant, as a live command applies
            ev = simpy.Event(env)
            ev._ok, ev._value = True, fault
            ev.callbacks.append(self._on_fault)
            env.schedule(ev, priority=LAST, delay=fault.at_s)
        # The schedule's moment 0 happens now: a command given before anything ran comes
        # after the faults at 0 s, where a saved file (and its replay) puts it.
        self.advance(0.0)

    def _configure(self, config: Config) -> None:
        self.config = config
        self.fleet.config = config
        for part in (self.keeper, self.requests, self.traffic, self.lesson):
            part.configure(config)

    # --- what views read ----------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.env.now

    @property
    def servers(self) -> list[Server]:
        """Every server ever created, by index (removed ones too: names are never reused)."""
        return self.fleet.servers

    def existing_servers(self) -> list[Server]:
        """The servers not removed (live or draining), by index: what a view draws costs
        what the fleet holds, not every name a long run has used."""
        return self.fleet.existing()

    @property
    def store(self) -> SessionStore:
        return self.fleet.store

    @property
    def tokens(self) -> SessionTable:
        return self.keeper.tokens

    def in_flight(self, request: int) -> InFlight | None:
        """Request ``request`` if it is in flight now (None: not sent yet, answered, or
        the engine keeps no traces)."""
        req = self.requests.open_requests.get(request)
        if req is None:
            return None
        s = req.server
        if req.t_start >= 0:
            stage = "working"
        elif s is not None and self.env._now < req.t_arrive:
            stage = "on its way"
        else:
            stage = "queued"
        return InFlight(
            req.id,
            req.user.id,
            req.kind,
            req.t_sent,
            -1 if s is None else s.index,
            req.route,
            stage,
        )

    def session_now(self, user: int) -> SessionNow | None:
        """User ``user``'s session now (None: the user is not online now)."""
        u = self.traffic.online.get(user)
        if u is None:
            return None
        sess = u.session
        if sess is None:
            return SessionNow("none")
        where = sess.holder.where
        if sess.lost is not None:
            return SessionNow("lost", where, sess.lost.value)
        if not sess.alive or self.env._now - sess.last_access > self.keeper.ttl:
            return SessionNow("gone", where)
        return SessionNow("alive", where)

    @property
    def samples(self) -> deque[Sample]:
        return self.sampler.samples

    @property
    def markers(self) -> deque[Marker]:
        return self.journal.markers

    @property
    def users_active(self) -> int:
        return self.traffic.users_active

    @property
    def recording(self) -> bool:
        return self.journal.events is not None

    def drain_events(self) -> list[Event]:
        """Event records since the last call (oldest first); empty if not recording."""
        return [event_of(row) for row in self.drain_rows()]

    def drain_rows(self) -> list[Row]:
        """``drain_events`` as the engine wrote them: plain tuples (``records.Row``), which
        the garbage collector leaves alone (what a run keeps)."""
        events = self.journal.events
        if events is None:
            return []
        out = list(events)
        events.clear()
        return out

    def drain_traces(self) -> list[RequestTrace]:
        """Traces of requests that ended since the last call; empty unless ``traces``."""
        return [RequestTrace.of(row) for row in self.drain_trace_rows()]

    def drain_trace_rows(self) -> list[tuple]:
        """``drain_traces`` as rows of plain values (``RequestTrace.of`` types one)."""
        traces = self.journal.traces
        if traces is None:
            return []
        out = [trace_row(*raw) for raw in traces]
        traces.clear()
        return out

    def server_index(self, name: str) -> int | None:
        """The index of the server called ``name`` if it is in the fleet now."""
        try:
            index = server_number(name)
        except (ValueError, IndexError):
            return None
        return index if self.fleet.server(index) is not None else None

    def run_latency(self) -> LatencyHistogram:
        """Latencies of every successful request so far (including the current second)."""
        return self.sampler.run_latency()

    # --- driving ------------------------------------------------------------------------

    def advance(self, until: float) -> None:
        """Process every event up to and including simulated time ``until``."""
        env = self.env
        if until > env.now:
            env.run(until=until)
        while env.peek() <= until:
            env.step()

    def advance_some(self, until: float, max_events: int) -> bool:
        """Like ``advance`` but stop early after about ``max_events`` events, always
        between two instants (never halfway through one), so the caller can keep a
        frame budget. Returns whether ``until`` was reached."""
        env = self.env
        step = env.step
        for _ in range(max_events):
            if env.peek() > until:
                break
            step()
        else:
            now = env.now
            while env.peek() <= now:
                step()
            if env.peek() <= until:
                return False
        if until > env.now:
            env.run(until=until)
        return True

    def run(self) -> None:
        """Run to the scenario's ``duration_s``."""
        self.advance(self.config.scenario.duration_s)

    # --- commands -----------------------------------------------------------------------

    def replay(self, commands: list[tuple[float, Command]]) -> None:
        """Apply live commands again at their times (a run rewound to a checkpoint), exactly
        as they were given: after everything else at their instant. Cancels any earlier
        replay still pending (a new future replaces it)."""
        self._replay_generation += 1
        for t, command in commands:
            ev = simpy.Event(self.env)
            ev._ok, ev._value = True, (self._replay_generation, command)
            ev.callbacks.append(self._on_replay)
            self.env.schedule(ev, priority=LAST, delay=max(0.0, t - self.env.now))

    def cancel_replay(self) -> None:
        self._replay_generation += 1

    def _on_replay(self, ev: simpy.Event) -> None:
        generation, command = ev._value
        if generation == self._replay_generation:
            self._apply(command)

    def apply(self, command: Command) -> bool:
        """Apply a command now; False if it changed nothing (e.g. crashing a dead server).

        A bad ``SetValue`` raises ``ConfigError`` and changes nothing; so does a
        ``SetValues`` with any bad value (its keys apply together or not at all).
        """
        changed = self._apply(command)
        # What the command set off at this instant happens now, before any later
        # command: exactly the order a replay of the schedule gives (a scheduled
        # command's zero-delay consequences run before the next command at its time).
        self.advance(self.env.now)
        return changed

    def _apply(self, command: Command) -> bool:
        fleet = self.fleet
        if isinstance(command, SetValue | SetValues):
            pairs = _setting_pairs(command)
            changed = self._set_values(pairs)
            # as validated (enum values, the settings' order; one pair is a SetValue)
            command = set_command(tuple((key, _plain(self.config.get(key))) for key, _ in pairs))
        elif isinstance(command, CrashServer):
            s = fleet.server(command.server)
            changed = s is not None and s.up and not s.removed
            if changed:
                fleet.crash(s, LossCause.CRASH)  # type: ignore[arg-type]
        elif isinstance(command, RestartServer):
            s = fleet.server(command.server)
            changed = s is not None and fleet.restart(s)
        elif isinstance(command, CrashStore):
            changed = fleet.crash_store()
        elif isinstance(command, RestoreStore):
            changed = fleet.restore_store()
        elif isinstance(command, AddServer):
            changed = fleet.add() is not None
            self._sync_count()
        elif isinstance(command, RemoveServer):
            changed = fleet.remove(command.server)
            self._sync_count()
        else:  # pragma: no cover - typing guards this
            raise TypeError(f"unknown command {command!r}")
        if changed:
            self.command_log.append((self.env.now, command, self._from_schedule))
        return changed

    def reproducible_config(self) -> Config:
        """The initial config with the commands given so far added to its schedule:
        running it reproduces this run exactly (same seed, same commands, same times)."""
        added = [
            to_fault(t, command) for t, command, scheduled in self.command_log if not scheduled
        ]
        if not added:
            return self.initial_config
        faults = sorted([*self.initial_config.faults, *added], key=lambda f: f.at_s)
        return dataclasses.replace(self.initial_config, faults=tuple(faults))

    def _on_fault(self, ev: simpy.Event) -> None:
        fault: Fault = ev._value
        if fault.target is not None and self.fleet.server(server_number(fault.target)) is None:
            label = f"{fault.action.value} {fault.target} skipped: no such server"
            self.journal.notable(EventKind.SETTING_CHANGED, -1, label, note=Note.SKIPPED)
            return
        self._from_schedule = True
        try:
            self._apply(to_command(fault))
        except ConfigError as exc:
            # (the load checks every scheduled state; a live change since can still make
            # one impossible: skipped visibly, as a fault whose server is gone)
            why = str(exc).removeprefix("setting: ")
            keys = ", ".join(key for key, _ in fault.changes)
            label = f"{fault.action.value} {keys} skipped: {why}"
            self.journal.notable(EventKind.SETTING_CHANGED, -1, label, note=Note.SKIPPED)
        finally:
            self._from_schedule = False

    def check(self, command: Command) -> None:
        """Raise ``ConfigError`` if ``apply`` would refuse ``command`` (nothing changes), so
        a command for two runs is checked on both before either applies it."""
        if isinstance(command, SetValue | SetValues):
            self._checked_values(_setting_pairs(command))

    def _checked_values(self, pairs: tuple[tuple[str, Any], ...]) -> Config:
        """The config with every pair set, checked as a whole (nothing is applied)."""
        for key, _ in pairs:
            section = key.split(".", 1)[0]
            if section not in live_sections():
                raise ConfigError(
                    f"{key} cannot change while running; allowed live: "
                    + ", ".join(f"{s}.*" for s in live_sections())
                )
        new = with_values(self.config, dict(pairs), "setting", check_faults=False)
        if not self._from_schedule:
            self._check_sets_ahead(new)
        return new

    def _check_sets_ahead(self, config: Config) -> None:
        """A live change must leave every scheduled ``set`` ahead possible (the load checked
        them from the file's settings): refused now, with the moment that would fail."""
        ahead = bisect.bisect_right(self._set_times, self.env.now)
        for fault in self._sets[ahead:]:
            try:
                config = with_values(config, dict(fault.changes), "", check_faults=False)
            except ConfigError as exc:
                why = str(exc).removeprefix(": ")
                said = ", ".join(f"{key} = {value}" for key, value in fault.changes)
                raise ConfigError(
                    f"setting: refused, because at {fault.at_s:g} s the scenario sets "
                    f"{said}, and then {why}"
                ) from None

    def _set_values(self, pairs: tuple[tuple[str, Any], ...]) -> bool:
        """Set every pair at this instant, all checked first: one marker for the change."""
        new = self._checked_values(pairs)
        if new == self.config:
            return False
        fleet = self.fleet
        keys = {key for key, _ in pairs}
        if "servers.count" in keys:
            target = new.servers.count
            while fleet.live_count() < target:
                fleet.add()
            while fleet.live_count() > target:
                fleet.remove(None)
        old = self.config
        self._configure(new)
        if "traffic.users_per_s" in keys:
            self.traffic.rate_changed()
        if "balancer.algorithm" in keys:
            self.balancer.set_algorithm(new.balancer.algorithm)
        if "balancer.sticky" in keys:
            self.balancer.set_sticky(new.balancer.sticky)
        if "servers.workers" in keys:
            fleet.set_workers(new.servers.workers)
        if keys & {"state.session_kb", "servers.memory_mb"}:
            fleet.check_memory()
        shown = tuple(
            (key, _plain(new.get(key))) for key, _ in pairs if old.get(key) != new.get(key)
        )
        if len(shown) == 1:
            ((key, value),) = shown
            self.journal.notable(EventKind.SETTING_CHANGED, -1, f"{key} = {value}", value, key)
        elif shown:
            self.journal.settings_changed(shown)
        return True

    def _sync_count(self) -> None:
        live = self.fleet.live_count()
        if live != self.config.servers.count:
            servers = dataclasses.replace(self.config.servers, count=live)
            self._configure(dataclasses.replace(self.config, servers=servers))


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _setting_pairs(command: SetValue | SetValues) -> tuple[tuple[str, Any], ...]:
    """A set command's pairs, each key once, in the settings' order (one order for the
    same change however it was listed: a saved file loads back to the same command)."""
    pairs = command.changes
    if not pairs:
        raise ConfigError("setting: a change of no settings; give at least one key and value")
    keys = [key for key, _ in pairs]
    twice = next((key for key in keys if keys.count(key) > 1), None)
    if twice is not None:
        raise ConfigError(f"setting: {twice} is given twice in one change; give each key once")
    return pairs if len(pairs) == 1 else settings_order(dict(pairs))
