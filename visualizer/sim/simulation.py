"""The discrete-event simulation: users, balancer, servers and store on one simpy clock.

The request path is written as callbacks on simpy ``Timeout`` events rather than one
generator process per request: about two events per request instead of six, which is
what makes the engine several times faster than the textbook simpy model. Everything
random comes from the one ``random.Random(seed)`` held here; nothing reads a clock.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from visualizer.sim.balancer import Balancer
from visualizer.sim.config import MAX_SERVERS, Config, Fault, FaultAction, Mode, OnError
from visualizer.sim.config import ServiceDistribution as Dist
from visualizer.sim.events import (
    CLIENT,
    STORE,
    AddServer,
    Command,
    CrashServer,
    CrashStore,
    ErrorCode,
    Event,
    EventKind,
    LossCause,
    Marker,
    RemoveServer,
    RequestKind,
    RestartServer,
    RestoreStore,
    SetValue,
)
from visualizer.sim.metrics import (
    ERROR_CODES,
    LOSS_CAUSES,
    LatencyHistogram,
    Sample,
    ServerSample,
    Totals,
    window_quantiles,
)
from visualizer.sim.nodes import Server, SessionStore
from visualizer.sim.schema import LIVE_SECTIONS, ConfigError, with_values
from visualizer.sim.sessions import Session, SessionTable
from visualizer.sim.users import Request, User, workflow_length

LOGIN, ACTION, LOGOUT = RequestKind.LOGIN, RequestKind.ACTION, RequestKind.LOGOUT
LOCAL, SHARED, TOKEN = Mode.LOCAL, Mode.SHARED, Mode.TOKEN
SENT, STARTED, SERVED, FAILED = (
    EventKind.SENT,
    EventKind.STARTED,
    EventKind.SERVED,
    EventKind.FAILED,
)
SESSION_ERRORS = frozenset(
    {ErrorCode.SESSION_MISSING, ErrorCode.SESSION_LOST, ErrorCode.INSUFFICIENT_CONTEXT}
)
#: simpy event priority after NORMAL: scheduled commands run last at their instant.
LAST = 2
#: Seconds of completed requests behind the live p50/p95/p99.
LATENCY_WINDOW_S = 5


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
    ) -> None:
        self.initial_config = config
        self.config = config
        self.rng = random.Random(config.scenario.seed)
        self.env = simpy.Environment()
        self.totals = Totals()
        self.store = SessionStore()
        self.tokens = SessionTable(CLIENT)  # client-held (token) sessions, for counting and expiry
        self.balancer = Balancer(config.balancer.algorithm, config.balancer.sticky, self.rng)
        self.servers: list[Server] = []
        for i in range(config.servers.count):
            server = Server(i, config.servers.workers, 0.0)
            self.servers.append(server)
            self.balancer.set_in_rotation(server, True)
        self.samples: deque[Sample] = deque(maxlen=history_s)
        self.markers: deque[Marker] = deque(maxlen=2_000)
        # (time, command, True if it came from the scenario's schedule)
        self.command_log: list[tuple[float, Command, bool]] = []
        self._from_schedule = False
        self.on_sample = on_sample
        self.users_active = 0
        self._events: deque[Event] | None = deque(maxlen=event_buffer) if record_events else None
        self._next_request = 1
        self._next_user = 1
        self._next_session = 1
        self._arrival_gen = 0
        self._sec_latency: list[float] = []  # successful latencies this second (seconds)
        self._window: deque[np.ndarray] = deque(maxlen=LATENCY_WINDOW_S)
        self._prev: dict[int, tuple[int, int, float]] = {}  # served, failed, busy area
        self._prev_totals = (0, 0, 0, (0,) * len(ERROR_CODES))  # sent, ok, failed, by code
        self._last_sample_t = 0.0
        self._cache_config()
        self._schedule_arrival()
        self._after(1.0, self._on_sample)
        for fault in config.faults:
            # after every other event at that instant, as a live command applies
            ev = simpy.Event(self.env)
            ev._ok, ev._value = True, fault
            ev.callbacks.append(self._on_fault)
            self.env.schedule(ev, priority=LAST, delay=fault.at_s)

    # --- driving ------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.env.now

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

    def drain_events(self) -> list[Event]:
        """Event records since the last call (oldest first); empty if not recording."""
        if self._events is None:
            return []
        out = list(self._events)
        self._events.clear()
        return out

    @property
    def recording(self) -> bool:
        return self._events is not None

    def server_index(self, name: str) -> int | None:
        for s in self.servers:
            if s.name == name and not s.removed:
                return s.index
        return None

    # --- commands -----------------------------------------------------------------

    def apply(self, command: Command) -> bool:
        """Apply a command now; False if it changed nothing (e.g. crashing a dead server).

        A bad ``SetValue`` raises ``ConfigError`` and changes nothing.
        """
        if isinstance(command, SetValue):
            changed = self._set_value(command.key, command.value)
            value = self.config.get(command.key)
            command = SetValue(command.key, getattr(value, "value", value))  # as validated
        elif isinstance(command, CrashServer):
            s = self._server(command.server)
            changed = s is not None and s.up and not s.removed
            if changed:
                self._crash(s, LossCause.CRASH)
        elif isinstance(command, RestartServer):
            s = self._server(command.server)
            changed = s is not None and self._restart(s)
        elif isinstance(command, CrashStore):
            changed = self._crash_store()
        elif isinstance(command, RestoreStore):
            changed = self._restore_store()
        elif isinstance(command, AddServer):
            changed = self._add_server() is not None
            self._sync_count()
        elif isinstance(command, RemoveServer):
            changed = self._remove_server(command.server)
            self._sync_count()
        else:  # pragma: no cover - typing guards this
            raise TypeError(f"unknown command {command!r}")
        if changed:
            self.command_log.append((self.env.now, command, self._from_schedule))
        if not self._from_schedule:
            # What the command set off at this instant happens now, before any later
            # command: exactly the order a replay of the schedule gives (a scheduled
            # command's zero-delay consequences run before the next command at its time).
            self.advance(self.env.now)
        return changed

    def reproducible_config(self) -> Config:
        """The initial config with the commands given so far added to its schedule:
        running it reproduces this run exactly (same seed, same commands, same times)."""
        added = [
            command_to_fault(t, command, self)
            for t, command, scheduled in self.command_log
            if not scheduled
        ]
        if not added:
            return self.initial_config
        faults = sorted([*self.initial_config.faults, *added], key=lambda f: f.at_s)
        return dataclasses.replace(self.initial_config, faults=tuple(faults))

    def _server(self, index: int) -> Server | None:
        if 0 <= index < len(self.servers) and not self.servers[index].removed:
            return self.servers[index]
        return None

    def _on_fault(self, ev: simpy.Event) -> None:
        fault: Fault = ev._value
        self._from_schedule = True
        try:
            self._apply_fault(fault)
        finally:
            self._from_schedule = False

    def _apply_fault(self, fault: Fault) -> None:
        target = None
        if fault.target is not None:
            target = self.server_index(fault.target)
            if target is None:
                label = f"{fault.action.value} {fault.target} skipped: no such server"
                self._notable(EventKind.SETTING_CHANGED, -1, label)
                return
        action = fault.action
        command: Command
        if action is FaultAction.CRASH:
            command = CrashServer(target)  # type: ignore[arg-type]
        elif action is FaultAction.RESTART:
            command = RestartServer(target)  # type: ignore[arg-type]
        elif action is FaultAction.CRASH_STORE:
            command = CrashStore()
        elif action is FaultAction.RESTORE_STORE:
            command = RestoreStore()
        elif action is FaultAction.ADD_SERVER:
            command = AddServer()
        elif action is FaultAction.SET:
            command = SetValue(fault.key, fault.value)  # type: ignore[arg-type]
        else:
            command = RemoveServer(target)
        self.apply(command)

    def _set_value(self, key: str, value: Any) -> bool:
        section = key.split(".", 1)[0]
        if section not in LIVE_SECTIONS:
            raise ConfigError(
                f"{key} cannot change while running; allowed live: "
                + ", ".join(f"{s}.*" for s in LIVE_SECTIONS)
            )
        new = with_values(self.config, {key: value}, "setting", check_faults=False)
        if new == self.config:
            return False
        if key == "servers.count":
            target = new.servers.count
            while len(self._live_servers()) < target:
                self._add_server()
            while len(self._live_servers()) > target:
                self._remove_server(None)
        old = self.config
        self.config = new
        self._cache_config()
        if key == "traffic.users_per_s":
            self._arrival_gen += 1  # memoryless: redraw the next arrival at the new rate
            self._schedule_arrival()
        elif key == "balancer.algorithm":
            self.balancer.set_algorithm(new.balancer.algorithm)
        elif key == "balancer.sticky":
            self.balancer.set_sticky(new.balancer.sticky)
        elif key == "servers.workers":
            for s in self.servers:
                s.workers = new.servers.workers
                self._pump(s)
        elif key in ("state.session_kb", "servers.memory_mb"):
            for s in self.servers:
                if s.up and self._over_memory(s):
                    self._crash(s, LossCause.OOM)
        shown = new.get(key)
        shown = getattr(shown, "value", shown)
        if old.get(key) != new.get(key):
            self._notable(EventKind.SETTING_CHANGED, -1, f"{key} = {shown}")
        return True

    def _sync_count(self) -> None:
        live = len(self._live_servers())
        if live != self.config.servers.count:
            servers = dataclasses.replace(self.config.servers, count=live)
            self.config = dataclasses.replace(self.config, servers=servers)

    def _live_servers(self) -> list[Server]:
        return [s for s in self.servers if s.live]

    # --- users and requests (the hot path) --------------------------------------------

    def _cache_config(self) -> None:
        c = self.config
        self._svc = c.servers.service_ms / 1000.0
        self._svc_exp = c.servers.service is Dist.EXPONENTIAL
        self._net = c.network.latency_ms / 1000.0
        self._think = c.traffic.think_time_s
        self._verify = c.state.token_verify_ms / 1000.0
        self._store_rtt = c.store.latency_ms / 1000.0
        self._ttl = c.state.ttl_s
        self._mode = c.state.mode
        self._on_error = c.traffic.on_error
        self._max_retries = c.traffic.max_retries
        self._kb = c.state.session_kb
        self._cap_mb = c.servers.memory_mb
        self._queue_limit = c.servers.queue_limit

    def _after(self, delay: float, callback: Callable[[Timeout], None], value: Any = None) -> None:
        Timeout(self.env, delay, value).callbacks.append(callback)

    def _schedule_arrival(self) -> None:
        rate = self.config.traffic.users_per_s
        if rate > 0:
            self._after(self.rng.expovariate(rate), self._on_arrival, self._arrival_gen)

    def _on_arrival(self, ev: Timeout) -> None:
        if ev._value != self._arrival_gen:
            return  # superseded by a rate change
        self._schedule_arrival()
        traffic = self.config.traffic
        rng = self.rng
        uid = self._next_user
        self._next_user = uid + 1
        n = workflow_length(rng, traffic.requests_per_user)
        logs_out = n >= 2 and traffic.logout_fraction > 0 and rng.random() < traffic.logout_fraction
        behind_proxy = traffic.proxy_fraction > 0 and rng.random() < traffic.proxy_fraction
        user = User(uid, n, logs_out, 0 if behind_proxy else uid)
        self.totals.arrived += 1
        self.users_active += 1
        self._send(user)

    def _on_think(self, ev: Timeout) -> None:
        self._send(ev._value)

    def _send(self, user: User) -> None:
        now = self.env._now
        rid = self._next_request
        self._next_request = rid + 1
        req = Request(rid, user, user.next_kind, now)
        totals = self.totals
        totals.sent += 1
        totals.in_flight += 1
        server = self.balancer.route(user)
        events = self._events
        if server is None:  # nothing in rotation: the balancer answers 503 at once
            if events is not None:
                events.append(Event(now, SENT, rid, user.id, -1, req.kind))
            self._fail(req, ErrorCode.SERVER_DOWN)
            return
        req.server = server
        server.outstanding += 1
        if events is not None:
            events.append(Event(now, SENT, rid, user.id, server.index, req.kind))
        if self._net > 0:
            Timeout(self.env, self._net, req).callbacks.append(self._on_arrive)
        else:
            self._arrive(req, server)

    def _on_arrive(self, ev: Timeout) -> None:
        req = ev._value
        self._arrive(req, req.server)

    def _arrive(self, req: Request, s: Server) -> None:
        if not s.up:
            self._fail(req, ErrorCode.SERVER_DOWN)
        elif s.busy < s.workers:
            self._start(req, s)
        elif len(s.queue) >= self._queue_limit:
            self._fail(req, ErrorCode.OVERLOADED)
        else:
            s.queue.append(req)

    def _pump(self, s: Server) -> None:
        queue = s.queue
        while queue and s.up and s.busy < s.workers:
            self._start(queue.popleft(), s)

    def _start(self, req: Request, s: Server) -> None:
        """A worker picks the request up; session checks that need no I/O fail at once."""
        now = self.env._now
        hold = -math.log(1.0 - self.rng.random()) * self._svc if self._svc_exp else self._svc
        if req.kind is LOGIN:
            mode = req.mode = self._mode
            if mode is TOKEN:
                hold += self._verify
            elif mode is SHARED:
                if not self.store.up:
                    self._fail(req, ErrorCode.STORE_UNAVAILABLE)
                    return
                hold += self._store_rtt
                req.store_epoch = self.store.epoch
        else:
            sess: Session = req.user.session  # type: ignore[assignment]
            home = sess.home
            if home is LOCAL:
                if not sess.alive or sess.holder is not s.sessions:
                    self._fail(req, self._missing_code(sess))
                    return
                if now - sess.last_access > self._ttl:
                    self._expire(sess)
                    self._fail(req, ErrorCode.SESSION_MISSING)
                    return
            elif home is TOKEN:
                if not sess.alive or now - sess.last_access > self._ttl:
                    if sess.alive:
                        self._expire(sess)
                    self._fail(req, ErrorCode.INSUFFICIENT_CONTEXT)
                    return
                hold += self._verify
            else:
                if not self.store.up:
                    self._fail(req, ErrorCode.STORE_UNAVAILABLE)
                    return
                hold += self._store_rtt
                req.store_epoch = self.store.epoch
        s.busy_area += s.busy * (now - s.busy_t)
        s.busy_t = now
        s.busy += 1
        req.t_start = now
        req.epoch = s.epoch
        s.active[req.id] = req
        Timeout(self.env, hold, req).callbacks.append(self._on_done)
        if self._events is not None:
            rtt = self._store_rtt if req.store_epoch >= 0 else 0.0
            self._events.append(Event(now, STARTED, req.id, req.user.id, s.index, rtt))

    @staticmethod
    def _missing_code(sess: Session) -> ErrorCode:
        return ErrorCode.SESSION_LOST if sess.lost is not None else ErrorCode.SESSION_MISSING

    def _on_done(self, ev: Timeout) -> None:
        req: Request = ev._value
        s: Server = req.server  # type: ignore[assignment]
        if req.epoch != s.epoch:
            return  # the server crashed meanwhile; the request already failed
        del s.active[req.id]
        now = self.env._now
        s.busy_area += s.busy * (now - s.busy_t)
        s.busy_t = now
        s.busy -= 1
        code = None
        if req.store_epoch >= 0:
            if self.store.epoch != req.store_epoch:
                code = ErrorCode.STORE_UNAVAILABLE
            elif req.kind is not LOGIN:
                sess: Session = req.user.session  # type: ignore[assignment]
                if not sess.alive:
                    code = self._missing_code(sess)
                elif now - sess.last_access > self._ttl:
                    self._expire(sess)
                    code = ErrorCode.SESSION_MISSING
        if code is None:
            self._succeed(req, s, now)
        else:
            self._fail(req, code)
        if s.queue:
            self._pump(s)

    def _succeed(self, req: Request, s: Server, now: float) -> None:
        user = req.user
        latency = now - req.t_sent + self._net
        totals = self.totals
        totals.ok += 1
        totals.in_flight -= 1
        totals.latency_sum += latency
        self._sec_latency.append(latency)
        s.served += 1
        s.outstanding -= 1
        if self._events is not None:
            self._events.append(Event(now, SERVED, req.id, user.id, s.index, latency))
        kind = req.kind
        if kind is ACTION:
            sess: Session = user.session  # type: ignore[assignment]
            if sess.alive:  # it may have idled out while this request was processed
                sess.holder.touch(sess, now)
        elif kind is LOGIN:
            self._create_session(user, req.mode, s, now)  # type: ignore[arg-type]
        else:
            self._end_session(user, now)
        if s.draining and s.outstanding == 0:
            self._finish_removal(s)
        user.failures = 0
        user.remaining -= 1
        if user.remaining <= 0:
            self._user_leaves(user, completed=True)
            return
        user.next_kind = LOGOUT if user.remaining == 1 and user.logs_out else ACTION
        self._continue(user)

    def _continue(self, user: User) -> None:
        """The response travels back, the user thinks, then sends ``user.next_kind``."""
        think = self._think
        delay = self._net + (-math.log(1.0 - self.rng.random()) * think if think > 0 else 0.0)
        Timeout(self.env, delay, user).callbacks.append(self._on_think)

    def _fail(self, req: Request, code: ErrorCode) -> None:
        totals = self.totals
        totals.failed += 1
        totals.in_flight -= 1
        totals.by_code[code] += 1
        s = req.server
        user = req.user
        if s is not None:
            s.failed += 1
            s.outstanding -= 1
        if self._events is not None:
            self._events.append(
                Event(self.env._now, FAILED, req.id, user.id, -1 if s is None else s.index, code)
            )
        if s is not None and s.draining and s.outstanding == 0:
            self._finish_removal(s)
        user.failures += 1
        policy = self._on_error
        sess = user.session
        gives_up_session = code is ErrorCode.SESSION_MISSING and sess is not None and sess.alive
        if policy is OnError.ABANDON or user.failures > self._max_retries:
            if gives_up_session:
                self._lose(sess, LossCause.MISROUTED)  # type: ignore[arg-type]
            self._user_leaves(user, completed=False)
            return
        if policy is OnError.RELOGIN and code in SESSION_ERRORS:
            if gives_up_session:
                self._lose(sess, LossCause.MISROUTED)  # type: ignore[arg-type]
            if req.kind is not LOGIN:
                totals.relogins += 1
            user.next_kind = LOGIN
        else:
            user.next_kind = req.kind  # retry the same request
        self._continue(user)

    def _user_leaves(self, user: User, *, completed: bool) -> None:
        self.users_active -= 1
        if completed:
            self.totals.completed += 1
        else:
            self.totals.abandoned += 1
        self.balancer.forget(user)

    # --- sessions -------------------------------------------------------------------

    def _create_session(self, user: User, mode: Mode, s: Server, now: float) -> None:
        sid = self._next_session
        self._next_session = sid + 1
        if mode is LOCAL:
            table = s.sessions
        elif mode is SHARED:
            table = self.store.sessions
        else:
            table = self.tokens
        sess = Session(sid, user.id, mode, table, now)
        table.add(sess)
        user.session = sess
        self.totals.sessions_created += 1
        if self._events is not None:
            self._events.append(Event(now, EventKind.SESSION_CREATED, 0, user.id, table.where, sid))
        if mode is LOCAL and self._over_memory(s):
            self._crash(s, LossCause.OOM)

    def _end_session(self, user: User, now: float) -> None:
        sess: Session = user.session  # type: ignore[assignment]
        if not sess.alive:
            return
        sess.holder.remove(sess)
        if self._events is not None:
            where = sess.holder.where
            self._events.append(Event(now, EventKind.SESSION_ENDED, 0, user.id, where, sess.id))

    def _expire(self, sess: Session) -> None:
        """Drop one session found idle past the TTL when it was next used."""
        sess.holder.remove(sess)
        if self._events is not None:
            self._events.append(
                Event(self.env._now, EventKind.SESSION_EXPIRED, 0, sess.user, sess.holder.where, 1)
            )

    def _sweep(self, table: SessionTable) -> None:
        """Drop every session in ``table`` idle past the TTL."""
        n = table.expire(self.env._now, self._ttl)
        if n and self._events is not None:
            self._events.append(
                Event(self.env._now, EventKind.SESSION_EXPIRED, 0, 0, table.where, n)
            )

    def _over_memory(self, s: Server) -> bool:
        return self._cap_mb > 0 and len(s.sessions) * self._kb / 1000.0 > self._cap_mb

    def _lose(self, sess: Session, cause: LossCause) -> bool:
        """Count a session as lost, once; returns whether this call counted it."""
        if sess.lost is not None:
            return False
        sess.lost = cause
        self.totals.lost_by_cause[cause] += 1
        return True

    def _drop_sessions(self, table: SessionTable, cause: LossCause) -> int:
        """Empty a table whose holder died; expired sessions are not counted as lost."""
        self._sweep(table)
        return sum(self._lose(sess, cause) for sess in table.clear())

    # --- faults -----------------------------------------------------------------------

    def _crash(self, s: Server, cause: LossCause) -> int:
        now = self.env._now
        s.up = False
        s.epoch += 1
        s.crashes += 1
        s.set_busy(0, now)
        victims = [*s.active.values(), *s.queue]
        s.active.clear()
        s.queue.clear()
        lost = self._drop_sessions(s.sessions, cause)
        why = "out of memory" if cause is LossCause.OOM else "crashed"
        self._notable(
            EventKind.SERVER_CRASHED, s.index, f"{s.name} {why}: {lost:,} sessions lost", lost
        )
        for req in victims:
            self._fail(req, ErrorCode.SERVER_DOWN)
        self._schedule_health_check(s)
        return lost

    def _restart(self, s: Server) -> bool:
        if s.up or s.removed:
            return False
        s.up = True
        s.set_busy(0, self.env._now)
        self._notable(EventKind.SERVER_RESTARTED, s.index, f"{s.name} restarted (empty)")
        self._schedule_health_check(s)
        return True

    def _add_server(self) -> Server | None:
        if len(self._live_servers()) >= MAX_SERVERS:
            return None
        # A new server is a new machine with the next number: names are never reused,
        # so a name in a saved schedule means one server whatever the timing of drains.
        s = Server(len(self.servers), self.config.servers.workers, self.env._now)
        self.servers.append(s)
        self._notable(EventKind.SERVER_ADDED, s.index, f"{s.name} added")
        self._schedule_health_check(s)
        return s

    def _remove_server(self, index: int | None) -> bool:
        live = self._live_servers()
        if len(live) <= 1:
            return False
        if index is None:
            s = live[-1]
        else:
            s = self._server(index)  # type: ignore[assignment]
            if s is None or not s.live:
                return False
        s.draining = True
        if s.in_rotation:
            self._set_rotation(s, False)
        self._notable(EventKind.SERVER_DRAINING, s.index, f"{s.name} removed (draining)")
        if s.outstanding == 0:
            self._finish_removal(s)
        return True

    def _finish_removal(self, s: Server) -> None:
        """A drained server stops; its in-memory sessions go with it."""
        s.draining = False
        s.removed = True
        s.up = False
        s.epoch += 1
        s.set_busy(0, self.env._now)
        lost = self._drop_sessions(s.sessions, LossCause.CRASH)
        self._notable(
            EventKind.SERVER_REMOVED, s.index, f"{s.name} stopped: {lost:,} sessions lost", lost
        )

    def _crash_store(self) -> bool:
        store = self.store
        if not store.up:
            return False
        store.up = False
        store.epoch += 1
        store.crashes += 1
        lost = 0
        if self.config.store.replicas == 0:
            lost = self._drop_sessions(store.sessions, LossCause.STORE_OUTAGE)
            label = f"store down: {lost:,} sessions lost"
        else:
            label = f"store down: sessions kept by {self.config.store.replicas} replica(s)"
        self._notable(EventKind.STORE_CRASHED, STORE, label, lost)
        return True

    def _restore_store(self) -> bool:
        if self.store.up:
            return False
        self.store.up = True
        self._notable(EventKind.STORE_RESTORED, STORE, "store restored")
        return True

    def _schedule_health_check(self, s: Server) -> None:
        """The balancer notices a change at its next periodic check (at once if period 0)."""
        period = self.config.balancer.health_check_s
        if period <= 0:
            self._health_check(s)
            return
        now = self.env._now
        next_tick = (math.floor(now / period) + 1) * period
        self._after(max(next_tick - now, 0.0), self._on_health_check, s)

    def _on_health_check(self, ev: Timeout) -> None:
        self._health_check(ev._value)

    def _health_check(self, s: Server) -> None:
        healthy = s.up and s.live
        if healthy != s.in_rotation:
            self._set_rotation(s, healthy)

    def _set_rotation(self, s: Server, included: bool) -> None:
        self.balancer.set_in_rotation(s, included)
        kind = EventKind.ROTATION_IN if included else EventKind.ROTATION_OUT
        verb = "in rotation" if included else "taken out of rotation"
        self._notable(kind, s.index, f"health check: {s.name} {verb}")

    def _notable(self, kind: EventKind, server: int, label: str, detail: Any = None) -> None:
        """A moment worth a plot marker and a caption, also sent as an event record."""
        now = self.env._now
        self.markers.append(Marker(now, label, kind, server))
        if self._events is not None:
            self._events.append(Event(now, kind, 0, 0, server, label if detail is None else detail))

    # --- per-second metrics -------------------------------------------------------------

    def _on_sample(self, ev: Timeout) -> None:
        now = self.env._now
        dt = now - self._last_sample_t
        self._last_sample_t = now
        kb_mb = self._kb / 1000.0
        totals = self.totals
        rows = []
        for s in self.servers:
            self._sweep(s.sessions)
            served0, failed0, area0 = self._prev.get(s.index, (0, 0, 0.0))
            area = s.busy_area_at(now)
            self._prev[s.index] = (s.served, s.failed, area)
            n = len(s.sessions)
            util = (area - area0) / (s.workers * dt) if dt > 0 else 0.0
            rows.append(
                ServerSample(
                    sessions=n,
                    memory_mb=n * kb_mb,
                    queue=len(s.queue),
                    busy=s.busy,
                    served=s.served - served0,
                    failed=s.failed - failed0,
                    utilization=min(1.0, util),
                    up=s.up,
                    in_rotation=s.in_rotation,
                    live=s.live,
                )
            )
            totals.peak_sessions_by_server[s.index] = max(
                totals.peak_sessions_by_server.get(s.index, 0), n
            )
            totals.peak_memory_by_server[s.index] = max(
                totals.peak_memory_by_server.get(s.index, 0.0), n * kb_mb
            )
        self._sweep(self.store.sessions)
        self._sweep(self.tokens)
        second = np.asarray(self._sec_latency, dtype=np.float64)
        self._sec_latency = []
        totals.latency.add_many(second)
        self._window.append(second)
        window = np.concatenate(self._window)
        p50, p95, p99 = (q * 1000.0 for q in window_quantiles(window, (0.5, 0.95, 0.99)))
        by_code = tuple(totals.by_code[c] for c in ERROR_CODES)
        sent0, ok0, failed0, by_code0 = self._prev_totals
        self._prev_totals = (totals.sent, totals.ok, totals.failed, by_code)
        store_n = len(self.store.sessions)
        active = sum(r.sessions for r in rows) + store_n + len(self.tokens)
        sample = Sample(
            t=now,
            servers=tuple(rows),
            store_sessions=store_n,
            store_memory_mb=store_n * kb_mb,
            store_up=self.store.up,
            token_sessions=len(self.tokens),
            sent=totals.sent - sent0,
            ok=totals.ok - ok0,
            failed=totals.failed - failed0,
            errors=tuple(n - n0 for n, n0 in zip(by_code, by_code0, strict=True)),
            lost=tuple(totals.lost_by_cause[c] for c in LOSS_CAUSES),
            p50_ms=p50,
            p95_ms=p95,
            p99_ms=p99,
            active_sessions=active,
            in_flight=totals.in_flight,
        )
        totals.peak_active = max(totals.peak_active, active)
        totals.peak_store_mb = max(totals.peak_store_mb, sample.store_memory_mb)
        totals.peak_total_mb = max(totals.peak_total_mb, sample.memory_mb)
        self.samples.append(sample)
        if self._events is not None:
            self._events.append(Event(now, EventKind.SAMPLED, 0, 0, -1))
        if self.on_sample is not None:
            self.on_sample(sample)
        self._after(1.0, self._on_sample)

    def run_latency(self) -> LatencyHistogram:
        """Latencies of every successful request so far (including the current second)."""
        merged = LatencyHistogram()
        merged.merge(self.totals.latency)
        merged.add_many(self._sec_latency)
        return merged


def command_to_fault(t: float, command: Command, sim: Simulation) -> Fault:
    """A command given at ``t`` as a schedule entry (server indices become names)."""

    def name(index: int | None) -> str | None:
        return None if index is None else sim.servers[index].name

    t = float(t)  # simpy's clock starts at the integer 0

    if isinstance(command, CrashServer):
        return Fault(t, FaultAction.CRASH, name(command.server))
    if isinstance(command, RestartServer):
        return Fault(t, FaultAction.RESTART, name(command.server))
    if isinstance(command, CrashStore):
        return Fault(t, FaultAction.CRASH_STORE)
    if isinstance(command, RestoreStore):
        return Fault(t, FaultAction.RESTORE_STORE)
    if isinstance(command, AddServer):
        return Fault(t, FaultAction.ADD_SERVER)
    if isinstance(command, RemoveServer):
        return Fault(t, FaultAction.REMOVE_SERVER, name(command.server))
    value = getattr(command.value, "value", command.value)
    return Fault(t, FaultAction.SET, key=command.key, value=value)
