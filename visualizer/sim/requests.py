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
from visualizer.sim.records import (
    NO_SERVER,
    ErrorCode,
    EventKind,
    RequestKind,
    RouteDecision,
)
from visualizer.sim.state.placements import PLACEMENTS, Placement

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
# event rows hold plain values (see ``records.Row``)
SENT, STARTED, SERVED, FAILED = (
    int(EventKind.SENT),
    int(EventKind.STARTED),
    int(EventKind.SERVED),
    int(EventKind.FAILED),
)


class Request:
    __slots__ = (
        "epoch",
        "extra",
        "id",
        "kind",
        "placement",
        "route",
        "server",
        "store_epoch",
        "t_arrive",
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
        self.placement: Placement | None = None  # of its session (for a login: the new one)
        self.extra = 0.0  # seconds its placement added to the work (store trip, token check)
        self.route: RouteDecision = NO_SERVER  # why it went where it went (traces only)
        self.t_arrive = now  # when it reached its server (traces only)

    def __reduce__(self) -> tuple:
        """Pickled as one tuple: checkpoints hold tens of thousands of requests, and the
        default for slotted classes is three times slower."""
        return (
            _request,
            (
                self.id,
                self.user,
                self.kind.value,
                self.t_sent,
                self.t_start,
                self.server,
                self.epoch,
                self.store_epoch,
                self.placement,
                self.extra,
                self.route,
                self.t_arrive,
            ),
        )


def _request(rid, user, kind, t_sent, t_start, server, epoch, store_epoch, *rest) -> Request:
    req = Request(rid, user, RequestKind(kind), t_sent)
    req.t_start, req.server, req.epoch, req.store_epoch = t_start, server, epoch, store_epoch
    req.placement, req.extra, req.route, req.t_arrive = rest
    return req


class RequestPath:
    """Sends users' requests, queues and serves them, and reports each outcome once."""

    def __init__(
        self,
        env: simpy.Environment,
        service: random.Random,
        totals: Totals,
        journal: Journal,
        balancer: Balancer,
        keeper: SessionKeeper,
        store: SessionStore,
    ) -> None:
        self.env = env
        self.service = service  # the stream of processing times
        self.totals = totals
        self.balancer = balancer
        self.keeper = keeper
        self._events = journal.events
        self._traces = journal.traces
        balancer.explain = journal.traces is not None
        self.fleet: Fleet  # wired by the simulation
        self.traffic: Traffic
        self._next_request = 1
        self.open_requests: dict[int, Request] = {}  # requests in flight, by id (traces only)
        self.sec_latency: list[float] = []  # successful latencies this second (seconds)
        self.placements: dict[Mode, Placement] = {
            cls.mode: cls(keeper, store) for cls in PLACEMENTS
        }

    def configure(self, config: Config) -> None:
        c = config
        self._svc = c.servers.service_ms / 1000.0
        self._svc_exp = c.servers.service is Dist.EXPONENTIAL
        self._net = c.network.latency_ms / 1000.0
        self._queue_limit = c.servers.queue_limit
        for placement in self.placements.values():
            placement.configure(c)
        self._placement = self.placements[c.state.mode]  # where new sessions go

    def send(self, user: User) -> None:
        now = self.env._now
        rid = self._next_request
        self._next_request = rid + 1
        req = Request(rid, user, user.next_kind, now)
        totals = self.totals
        totals.sent += 1
        totals.in_flight += 1
        server = self.balancer.route(user)
        if self._traces is not None:
            req.route = self.balancer.last
            self.open_requests[rid] = req
            if server is not None:
                req.t_arrive = now + self._net
        events = self._events
        if server is None:  # nothing in rotation: the balancer answers 503 at once
            if events is not None:
                events.append((now, SENT, rid, user.id, -1, int(req.kind)))
            self.fail(req, ErrorCode.SERVER_DOWN)
            return
        req.server = server
        server.outstanding += 1
        if events is not None:
            events.append((now, SENT, rid, user.id, server.index, int(req.kind)))
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
        hold = -math.log(1.0 - self.service.random()) * self._svc if self._svc_exp else self._svc
        if req.kind is LOGIN:
            placement = req.placement = self._placement
            extra = placement.begin_login(req)
        else:
            sess: Session = req.user.session  # type: ignore[assignment]
            placement = req.placement = sess.home
            extra = placement.begin(req, s, sess, now)
        if extra.__class__ is not float:
            self.fail(req, extra)  # type: ignore[arg-type]
            return
        self._occupy(req, s, now, hold, extra, placement.round_trip)  # type: ignore[arg-type]

    def _occupy(
        self, req: Request, s: Server, now: float, hold: float, extra: float, rtt: float
    ) -> None:
        """The request takes a worker of ``s`` for ``hold`` + ``extra`` seconds (``extra``:
        what its state costs, ``rtt`` of it a store round trip, drawn as a hop)."""
        req.extra = extra
        s.busy_area += s.busy * (now - s.busy_t)
        s.busy_t = now
        s.busy += 1
        req.t_start = now
        req.epoch = s.epoch
        s.active[req.id] = req
        Timeout(self.env, hold + extra, req).callbacks.append(self._on_done)
        if self._events is not None:
            self._events.append((now, STARTED, req.id, req.user.id, s.index, rtt))

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
        placement = req.placement
        code = placement.finish(req, now) if placement.checks_on_finish else None  # type: ignore[union-attr]
        if code is None:
            self._succeed(req, s, now)
        else:
            self.fail(req, code)
        if s.queue:
            self.pump(s)

    def _succeed(self, req: Request, s: Server, now: float) -> None:
        user = req.user
        self._count_ok(req, s, now)
        kind = req.kind
        if kind is ACTION:
            sess: Session = user.session  # type: ignore[assignment]
            if sess.alive:  # it may have idled out while this request was processed
                sess.holder.touch(sess, now)
        elif kind is LOGIN:
            self.keeper.create(user, req.placement, s, now)  # type: ignore[arg-type]
        else:
            self.keeper.end(user, now)
        if s.draining and s.outstanding == 0:
            self.fleet.finish_removal(s)
        self.traffic.after_success(user)

    def _count_ok(self, req: Request, s: Server, now: float) -> None:
        """A success in the totals, the server's counts, the latency, the event records
        and the traces (what every lesson's successes share)."""
        latency = now - req.t_sent + self._net
        totals = self.totals
        totals.ok += 1
        totals.in_flight -= 1
        totals.latency_sum += latency
        self.sec_latency.append(latency)
        s.served += 1
        s.outstanding -= 1
        if self._events is not None:
            self._events.append((now, SERVED, req.id, req.user.id, s.index, latency))
        if self._traces is not None:
            self._traces.append((req, None, now))
            self.open_requests.pop(req.id, None)

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
            where = -1 if s is None else s.index
            self._events.append((self.env._now, FAILED, req.id, req.user.id, where, code.value))
        if self._traces is not None:
            self._traces.append((req, code, self.env._now))
            self.open_requests.pop(req.id, None)
        if s is not None and s.draining and s.outstanding == 0:
            self.fleet.finish_removal(s)
        self.traffic.after_failure(req, code)


def trace_row(req: Request, code: ErrorCode | None, end: float) -> tuple:
    """A finished request as a trace: its route, lookup, outcome and where its time went,
    as a row of plain values (what a run keeps; ``RequestTrace.of`` types it). Built when
    read, not on the hot path (the path keeps the request and its outcome)."""
    t_sent, t_arrive = req.t_sent, req.t_arrive
    back = t_arrive - t_sent  # the answer travels back as long as the request came
    if req.t_start >= 0:
        queue = req.t_start - t_arrive
        work = end - req.t_start
        state = min(req.extra, work)
    else:
        queue, work, state = end - t_arrive, 0.0, 0.0
    placement = req.placement
    if placement is None:
        lookup = "none"
    elif req.kind is LOGIN:
        lookup = "login"
    else:
        lookup = placement.lookup(code)
    s = req.server
    return (
        req.id,
        req.user.id,
        int(req.kind),
        t_sent,
        -1 if s is None else s.index,
        tuple(req.route),
        lookup,
        "ok" if code is None else code.value,
        end,
        end - t_sent + back,
        2 * back,
        queue,
        work - state,
        state,
    )
