"""The request path: client → balancer → server (queue, worker, store) → client.

It is the hot path, written as callbacks on simpy ``Timeout`` events rather than one
generator process per request: about two events per request instead of six, which is
what makes the engine faster than the textbook simpy model.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from visualizer.sim.config import Config, Mode
from visualizer.sim.config import ServiceDistribution as Dist
from visualizer.sim.metrics import Totals
from visualizer.sim.records import ErrorCode, Event, EventKind, RequestKind

if TYPE_CHECKING:
    from visualizer.sim.fleet import Fleet
    from visualizer.sim.journal import Journal
    from visualizer.sim.nodes import Server
    from visualizer.sim.routing.balancer import Balancer
    from visualizer.sim.state.keeper import SessionKeeper
    from visualizer.sim.state.sessions import Session
    from visualizer.sim.state.store import SessionStore
    from visualizer.sim.traffic import Traffic, User

LOGIN, ACTION, LOGOUT = RequestKind.LOGIN, RequestKind.ACTION, RequestKind.LOGOUT
LOCAL, SHARED, TOKEN = Mode.LOCAL, Mode.SHARED, Mode.TOKEN
SENT, STARTED, SERVED, FAILED = (
    EventKind.SENT,
    EventKind.STARTED,
    EventKind.SERVED,
    EventKind.FAILED,
)


class Request:
    __slots__ = (
        "epoch",
        "id",
        "kind",
        "mode",
        "server",
        "store_epoch",
        "t_sent",
        "t_start",
        "user",
    )

    def __init__(self, rid: int, user: User, kind: RequestKind, now: float) -> None:
        self.id = rid
        self.user = user
        self.kind = kind
        self.t_sent = now
        self.t_start = -1.0
        self.server: Server | None = None
        self.epoch = -1  # server epoch when processing started
        self.store_epoch = -1  # store epoch when its round trip started (-1: none)
        self.mode: Mode | None = None  # where a login puts the new session


class RequestPath:
    """Sends users' requests, queues and serves them, and reports each outcome once."""

    def __init__(
        self,
        env: simpy.Environment,
        rng: random.Random,
        totals: Totals,
        journal: Journal,
        balancer: Balancer,
        keeper: SessionKeeper,
        store: SessionStore,
    ) -> None:
        self.env = env
        self.rng = rng
        self.totals = totals
        self.balancer = balancer
        self.keeper = keeper
        self.store = store
        self._events = journal.events
        self.fleet: Fleet  # wired by the simulation
        self.traffic: Traffic
        self._next_request = 1
        self.sec_latency: list[float] = []  # successful latencies this second (seconds)

    def configure(self, config: Config) -> None:
        c = config
        self._svc = c.servers.service_ms / 1000.0
        self._svc_exp = c.servers.service is Dist.EXPONENTIAL
        self._net = c.network.latency_ms / 1000.0
        self._verify = c.state.token_verify_ms / 1000.0
        self._store_rtt = c.store.latency_ms / 1000.0
        self._ttl = c.state.ttl_s
        self._mode = c.state.mode
        self._queue_limit = c.servers.queue_limit

    def send(self, user: User) -> None:
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
            self.fail(req, ErrorCode.SERVER_DOWN)
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
            self.fail(req, ErrorCode.SERVER_DOWN)
        elif s.busy < s.workers:
            self._start(req, s)
        elif len(s.queue) >= self._queue_limit:
            self.fail(req, ErrorCode.OVERLOADED)
        else:
            s.queue.append(req)

    def pump(self, s: Server) -> None:
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
                    self.fail(req, ErrorCode.STORE_UNAVAILABLE)
                    return
                hold += self._store_rtt
                req.store_epoch = self.store.epoch
        else:
            sess: Session = req.user.session  # type: ignore[assignment]
            home = sess.home
            if home is LOCAL:
                if not sess.alive or sess.holder is not s.sessions:
                    self.fail(req, self._missing_code(sess))
                    return
                if now - sess.last_access > self._ttl:
                    self.keeper.expire(sess)
                    self.fail(req, ErrorCode.SESSION_MISSING)
                    return
            elif home is TOKEN:
                if not sess.alive or now - sess.last_access > self._ttl:
                    if sess.alive:
                        self.keeper.expire(sess)
                    self.fail(req, ErrorCode.INSUFFICIENT_CONTEXT)
                    return
                hold += self._verify
            else:
                if not self.store.up:
                    self.fail(req, ErrorCode.STORE_UNAVAILABLE)
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
                    self.keeper.expire(sess)
                    code = ErrorCode.SESSION_MISSING
        if code is None:
            self._succeed(req, s, now)
        else:
            self.fail(req, code)
        if s.queue:
            self.pump(s)

    def _succeed(self, req: Request, s: Server, now: float) -> None:
        user = req.user
        latency = now - req.t_sent + self._net
        totals = self.totals
        totals.ok += 1
        totals.in_flight -= 1
        totals.latency_sum += latency
        self.sec_latency.append(latency)
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
            self.keeper.create(user, req.mode, s, now)  # type: ignore[arg-type]
        else:
            self.keeper.end(user, now)
        if s.draining and s.outstanding == 0:
            self.fleet.finish_removal(s)
        self.traffic.after_success(user)

    def fail(self, req: Request, code: ErrorCode) -> None:
        totals = self.totals
        totals.failed += 1
        totals.in_flight -= 1
        totals.by_code[code] += 1
        s = req.server
        if s is not None:
            s.failed += 1
            s.outstanding -= 1
        if self._events is not None:
            self._events.append(
                Event(
                    self.env._now, FAILED, req.id, req.user.id, -1 if s is None else s.index, code
                )
            )
        if s is not None and s.draining and s.outstanding == 0:
            self.fleet.finish_removal(s)
        self.traffic.after_failure(req, code)
