"""The real-time lesson: how messages reach online users (HTTP polling vs WebSocket).

Users arrive as in every lesson (``traffic.users_per_s``, Poisson) and stay online for an
exponential time with mean ``[realtime] online_s``; while online, messages arrive for each
of them as a Poisson process of rate λ = ``messages_per_min`` / 60. There is no login and
no session. What a user does comes from the lesson's own random streams, three draws per
user whatever the settings (``realtime``: online time, and a seed for the user's own
message generator), so two designs of one scenario see the same users online at the same
moments and the same messages for them; reconnect delays come from ``realtime-reconnect``.

``transport`` (for users who arrive after it is set; a user keeps theirs while online):

- ``short_poll``: the client sends a poll at its arrival (fetching the page; messages
  only come while online, so it finds none) and then every ``poll_interval_s`` T after it,
  whatever the answers (a timer). A poll is a request like any other (balancer, queue,
  worker); when its processing ends, the response carries every message waiting for the
  user then (none: an *empty poll*). A failed poll is not retried: the next one goes at
  the next tick.
- ``long_poll``: the client sends a poll at once; when its processing ends with no
  message waiting, the server *holds* it (it keeps no worker: a held request on that
  server) until a message arrives for the user (answered at once, with it) or until
  ``long_poll_timeout_s`` has passed (answered empty). The client polls again as soon as
  the response reaches it (one network delay later).
- ``websocket``: the client opens one connection at arrival: a handshake request routed
  by the balancer; when it succeeds the connection is open and pinned to that server,
  which holds ``connection_kb`` of memory for it until the user goes offline. Messages
  are pushed at once as one frame each (no worker); messages that arrived while the user
  had no connection go out when it opens.

Live changes: a new ``transport`` applies to users who come online after it; a new
``messages_per_min`` from each user's next message (users who came online while it was 0
get none); a new ``poll_interval_s`` from each user's next tick.

A server that crashes (or is removed) drops its connections and its held polls: those
users reconnect after a delay Uniform(0, ``reconnect_jitter_s``) (0: all in the same
instant), through the balancer, so a server added later gets only new connections.
A failed handshake or long poll is tried again after ``RETRY_S`` plus the same jitter.

Definitions used by the summary, the per-second figures and the tests:

- *messages*: messages that arrived for online users; *delivered*: those a response or a
  frame carried to their user (messages still waiting when their user goes offline are
  never delivered).
- *delivery delay* of a message: from its arrival to its reaching the client: the moment
  the server sends the response or frame that carries it, plus one network delay
  (``network.latency_ms``). Theory, short polling: messages fall uniformly within the
  T-second gaps between polls, so the mean delay is T/2 + network; WebSocket: network.
- *polls*: poll responses (long polls answered at the timeout included, and a held poll
  answered empty when its user goes offline); *empty polls*: those that carried no
  message. Theory, short polling: every poll after the first covers exactly T seconds of
  messages, so the share of them that are empty is e^(−λT) (the first, at arrival, is
  empty: the tests count it apart).
- *bytes*: every request sent carries ``header_bytes``, every successful response
  ``header_bytes`` too, and every delivered message ``frame_bytes`` (in a poll response or
  a WebSocket frame): ``bytes_total = header_bytes × (requests sent + responses) +
  frame_bytes × delivered``.
- *connections*: open WebSocket connections; each holds ``connection_kb`` on its server,
  so ``connection memory (MB) = connections × connection_kb / 1000`` at every moment.
  Theory (Little's law): connections on average = arrivals/s × ``online_s``.
- *reconnects*: requests sent by clients coming back after a drop or a failure (not a
  user's first connection or poll). Theory, when the balancer takes a crashed server out
  at once (``health_check_s = 0``): after a crash of a server holding N connections,
  with jitter J the reconnects spread uniformly over J seconds, N / J a second on
  average, and the busiest second counted is the expected largest of the whole seconds'
  Binomial(N, 1/J) counts, N/J + c·√(N/J) (``realtime_facts.busiest_second``); with
  J = 0 all N come in the same instant. With a health check, reconnects routed to the
  crashed server before it is checked fail and come back after ``RETRY_S`` plus the
  jitter: more than N.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from simpy.events import Timeout

from visualizer.lessons.realtime.facts import (
    RealtimeFacts,
    RealtimeUser,
    ServerConnections,
    summary_lines,
)
from visualizer.lessons.realtime.settings import LESSON, Transport
from visualizer.sim.config import Config
from visualizer.sim.lessons import register
from visualizer.sim.lessons.base import LessonModel
from visualizer.sim.metrics import LatencyHistogram, window_quantiles
from visualizer.sim.records import ErrorCode, EventKind, RequestKind
from visualizer.sim.requests import RequestPath
from visualizer.sim.rng import LCG_A, LCG_C, MASK64, UNIT53
from visualizer.sim.traffic import Traffic

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import Request
    from visualizer.sim.simulation import Simulation
    from visualizer.sim.traffic import User

LOGIN, ACTION = RequestKind.LOGIN, RequestKind.ACTION
STARTED, SERVED, FAILED = int(EventKind.STARTED), int(EventKind.SERVED), int(EventKind.FAILED)
MESSAGES = int(EventKind.MESSAGES)
DOWN = ErrorCode.SERVER_DOWN
SHORT, LONG, WS = Transport.SHORT_POLL, Transport.LONG_POLL, Transport.WEBSOCKET

#: Seconds a client waits before trying a failed handshake or long poll again (plus the
#: reconnect jitter), so a fleet with no server in rotation is not asked in a busy loop.
RETRY_S = 1.0

#: The per-second figures (CSV columns and ``Sample.lesson``), in order.
FIGURES = (
    "realtime_messages",  # messages that arrived for online users this second
    "realtime_delivered",  # messages delivered this second
    "realtime_delivery_p50_ms",  # delivery delay of this second's deliveries (NaN: none)
    "realtime_delivery_p95_ms",
    "realtime_polls",  # poll responses this second
    "realtime_empty_polls",  # of which empty
    "realtime_held_polls",  # long polls held at the servers now
    "realtime_bytes",  # bytes sent both ways this second
    "realtime_connections",  # open WebSocket connections now
    "realtime_connection_mb",  # the memory they hold now
    "realtime_reconnects",  # reconnect requests sent this second
)


class Endpoint:
    """What a realtime request asks for, in the small interface the request path and the
    traces read from a request's ``placement``."""

    checks_on_finish: ClassVar[bool] = False
    round_trip: ClassVar[float] = 0.0

    def __init__(self, found: str) -> None:
        self.found = found  # the lookup a trace names

    def lookup(self, code: ErrorCode | None) -> str:
        return self.found


class Online:
    """One online user's part of the lesson."""

    __slots__ = (
        "gen",
        "held",
        "lcg",
        "online",
        "server",
        "transport",
        "user",
        "waiting",
    )

    def __init__(self, user: User, transport: Transport, lcg: int) -> None:
        self.user = user
        self.transport = transport
        self.lcg = lcg  # the user's own generator of message gaps
        self.waiting: list[float] = []  # arrival times of messages not delivered yet
        self.server: Server | None = None  # WebSocket: the server holding the connection
        self.held: Request | None = None  # long polling: the poll the server holds
        self.online = True
        self.gen = 0  # bumped when a connection drops or the user leaves: stale timers


# --- the request path and the users --------------------------------------------------------


class RealtimePath(RequestPath):
    """The request path with polls and handshakes: no session; a long poll with nothing
    to say is held at its server instead of answered."""

    model: RealtimeModel  # wired by the model

    def send(self, user: User) -> None:
        if user.id not in self.model.users:  # a new user (the traffic's first send)
            self.model.arrived(user)
            return
        self.model.bytes += self.model.header
        RequestPath.send(self, user)

    def _start(self, req: Request, s: Server) -> None:
        now = self.env._now
        hold = -math.log(1.0 - self.service.random()) * self._svc if self._svc_exp else self._svc
        ep = req.placement = self.model.endpoint_of(req)  # type: ignore[assignment]
        self._occupy(req, s, now, hold, 0.0, ep.round_trip)

    def _succeed(self, req: Request, s: Server, now: float) -> None:
        if self.model.hold(req, s, now):
            return  # a long poll with nothing to say: the server keeps it
        self.respond(req, s, now)

    def respond(self, req: Request, s: Server, now: float) -> None:
        """The server answers ``req`` now (a held long poll too)."""
        self._count_ok(req, s, now)
        self.model.answered(req, s, now)
        if s.draining and s.outstanding == 0:
            self.fleet.finish_removal(s)


class RealtimeTraffic(Traffic):
    """Users who stay online for a while; the model decides what they send and when."""

    model: RealtimeModel  # wired by the model

    def after_success(self, user: User) -> None:
        """Nothing: the model sends the next poll when its time comes."""

    def after_failure(self, req: Request, code: ErrorCode) -> None:
        self.model.failed(req)


@register
class RealtimeModel(LessonModel):
    """Polling or a WebSocket: requests, delays, connections and reconnect storms."""

    keeps_sessions = False  # (its memory is the open connections')
    holds_memory = True
    lesson = LESSON
    path = RealtimePath
    traffic = RealtimeTraffic
    figures = FIGURES

    def __init__(self, sim: Simulation) -> None:
        super().__init__(sim)
        self.rng = sim.streams.stream("realtime")  # users: online time, message seed
        self.jitter_rng = sim.streams.stream("realtime-reconnect")
        self.env = sim.env
        path: RealtimePath = sim.requests  # type: ignore[assignment]
        traffic: RealtimeTraffic = sim.traffic  # type: ignore[assignment]
        path.model = traffic.model = self
        self._path = path
        self.endpoints = {
            SHORT: Endpoint("short-poll"),
            LONG: Endpoint("long-poll"),
            WS: Endpoint("websocket-handshake"),
        }
        self.users: dict[int, Online] = {}  # online users by id
        self.conns: dict[int, dict[int, Online]] = {}  # server index -> user id -> user
        self.held: dict[int, dict[int, Request]] = {}  # server index -> request id -> poll
        self.open = 0  # open connections
        self.n_held = 0
        self.header = 0
        # counters
        self.messages = 0
        self.delivered = 0
        self.polls = 0
        self.empty_polls = 0
        self.bytes = 0
        self.reconnects = 0
        self.delay_sum = 0.0
        self.sec_delays: list[float] = []
        self.delays = LatencyHistogram()
        self.peak_connections = 0
        self.peak_connection_mb = 0.0
        self.peak_reconnects = 0
        self._prev = (0, 0, 0, 0, 0, 0)

    def configure(self, config: Config) -> None:
        rt = self.rt = config.realtime
        self.header = rt.header_bytes
        self.frame = rt.frame_bytes
        self.rate = rt.messages_per_min / 60.0
        self.kb = rt.connection_kb
        self.net = config.network.latency_ms / 1000.0
        self._peak_memory()

    def endpoint_of(self, req: Request) -> Endpoint:
        """A handshake (a request of kind LOGIN: it opens a connection) or a poll."""
        if req.kind is LOGIN:
            return self.endpoints[WS]
        on = self.users.get(req.user.id)
        return self.endpoints[LONG if on is not None and on.transport is LONG else SHORT]

    # --- users --------------------------------------------------------------------------

    def arrived(self, user: User) -> None:
        """A new user comes online: three draws from the lesson's stream whatever the
        settings (designs stay aligned), then their first request."""
        draw = self.rng.random
        online_for = -math.log(1.0 - draw()) * self.rt.online_s
        lcg = self.rng.getrandbits(64)
        draw()  # reserved: keeps three draws per user
        on = self.users[user.id] = Online(user, self.rt.transport, lcg)
        env = self.env
        Timeout(env, online_for, on).callbacks.append(self._on_leave)
        self._next_message(on)
        if on.transport is SHORT:
            self._send(on)
            Timeout(env, self.rt.poll_interval_s, (on, on.gen)).callbacks.append(self._on_tick)
        else:
            self._send(on)

    def _send(self, on: Online) -> None:
        user = on.user
        user.next_kind = LOGIN if on.transport is WS else ACTION
        self._path.send(user)

    def _on_tick(self, ev: Timeout) -> None:
        on, gen = ev._value
        if gen != on.gen:
            return  # the user went offline
        self._send(on)
        Timeout(self.env, self.rt.poll_interval_s, ev._value).callbacks.append(self._on_tick)

    def _on_leave(self, ev: Timeout) -> None:
        on: Online = ev._value
        on.online = False
        on.gen += 1
        on.waiting.clear()  # never delivered
        uid = on.user.id
        if on.server is not None:
            del self.conns[on.server.index][uid]
            self.open -= 1
            on.server = None
        held = on.held
        if held is not None:  # the client closes its held poll: answered empty
            self._unhold(on)
            self._path.respond(held, held.server, self.env._now)  # type: ignore[arg-type]
        del self.users[uid]
        self.sim.traffic.leaves(on.user, completed=True)

    # --- messages -----------------------------------------------------------------------

    def _next_message(self, on: Online) -> None:
        rate = self.rate
        if rate <= 0:
            return
        state = on.lcg = (on.lcg * LCG_A + LCG_C) & MASK64
        gap = -math.log(1.0 - (state >> 11) * UNIT53) / rate
        Timeout(self.env, gap, (on, on.gen)).callbacks.append(self._on_message)

    def _on_message(self, ev: Timeout) -> None:
        on, _gen = ev._value
        if not on.online:
            return
        self._next_message(on)
        now = self.env._now
        self.messages += 1
        if on.server is not None:  # pushed at once over the open connection
            self._deliver(now, now)
            self.bytes += self.frame
            self._said(0, on.user.id, on.server.index, 1)
            return
        on.waiting.append(now)
        held = on.held
        if held is not None:  # the held poll answers at once with it
            self._unhold(on)
            self._path.respond(held, held.server, now)  # type: ignore[arg-type]

    def _deliver(self, t_message: float, now: float) -> None:
        delay = now + self.net - t_message
        self.delivered += 1
        self.delay_sum += delay
        self.sec_delays.append(delay)

    # --- the request path's calls -------------------------------------------------------

    def hold(self, req: Request, s: Server, now: float) -> bool:
        """Whether ``req`` is a long poll the server keeps (nothing waits for its user)."""
        on = self.users.get(req.user.id)
        if on is None or on.transport is not LONG or on.waiting or on.held is not None:
            return False
        on.held = req
        self.held.setdefault(s.index, {})[req.id] = req
        self.n_held += 1
        Timeout(self.env, self.rt.long_poll_timeout_s, (on, req)).callbacks.append(self._on_timeout)
        return True

    def _on_timeout(self, ev: Timeout) -> None:
        on, req = ev._value
        if on.held is req:
            self._unhold(on)
            self._path.respond(req, req.server, self.env._now)

    def _unhold(self, on: Online) -> None:
        req: Request = on.held  # type: ignore[assignment]
        on.held = None
        del self.held[req.server.index][req.id]  # type: ignore[union-attr]
        self.n_held -= 1

    def answered(self, req: Request, s: Server, now: float) -> None:
        """A response leaves ``s``: it carries the messages waiting for its user."""
        self.bytes += self.header
        on = self.users.get(req.user.id)
        n = 0
        if on is not None:
            waiting = on.waiting
            n = len(waiting)
            if n:
                for t in waiting:
                    self._deliver(t, now)
                waiting.clear()
                self.bytes += self.frame * n
        if n or req.kind is not LOGIN:
            self._said(req.id, req.user.id, s.index, n)
        if req.kind is LOGIN:  # a handshake: the connection opens
            if on is not None and on.server is None and on.online:
                self._connect(on, s)
            return
        self.polls += 1  # (a poll answered after its user left is empty)
        if n == 0:
            self.empty_polls += 1
        if on is not None and on.transport is LONG and on.online:
            # the client polls again when the answer lands
            self._after(self.net, on, on.gen, self._on_again)

    def _said(self, request: int, user: int, server: int, n: int) -> None:
        """The record views draw messages from (and empty polls grey)."""
        events = self._path._events
        if events is not None:
            events.append((self.env._now, MESSAGES, request, user, server, n))

    def _connect(self, on: Online, s: Server) -> None:
        on.server = s
        self.conns.setdefault(s.index, {})[on.user.id] = on
        self.open += 1
        if self.open > self.peak_connections:
            self.peak_connections = self.open
            self._peak_memory()

    def _peak_memory(self) -> None:
        mb = self.open * self.kb / 1000.0
        if mb > self.peak_connection_mb:
            self.peak_connection_mb = mb

    def failed(self, req: Request) -> None:
        """A poll or a handshake failed: long polls and handshakes try again later."""
        on = self.users.get(req.user.id)
        if on is None or not on.online or on.transport is SHORT:
            return  # short polling: the next tick polls again
        self._reconnect(on, RETRY_S)

    def _reconnect(self, on: Online, after: float) -> None:
        jitter = self.rt.reconnect_jitter_s
        if jitter > 0:
            after += self.jitter_rng.random() * jitter
        self._after(after, on, on.gen, self._on_reconnect)

    def _after(self, delay: float, on: Online, gen: int, callback: Any) -> None:
        Timeout(self.env, delay, (on, gen)).callbacks.append(callback)

    def _on_again(self, ev: Timeout) -> None:
        on, gen = ev._value
        if gen == on.gen and on.online:
            self._send(on)

    def _on_reconnect(self, ev: Timeout) -> None:
        on, gen = ev._value
        if gen == on.gen and on.online:
            self.reconnects += 1
            self._send(on)

    # --- the fleet's call -------------------------------------------------------------------

    def memory_mb(self, server: int) -> float:
        return len(self.conns.get(server, ())) * self.kb / 1000.0

    def server_down(self, s: Server) -> None:
        """Its connections and held polls drop: those users reconnect after the jitter."""
        dropped = self.conns.pop(s.index, None)
        if dropped:
            self.open -= len(dropped)
            for on in dropped.values():
                on.server = None
                on.gen += 1
                self._reconnect(on, 0.0)
        held = self.held.pop(s.index, None)
        if held:
            now = self.env._now
            path = self._path
            for req in list(held.values()):
                on = self.users[req.user.id]
                on.held = None
                self.n_held -= 1
                on.gen += 1
                # the held request fails like any in flight; the client comes back later
                totals = path.totals
                totals.failed += 1
                totals.in_flight -= 1
                totals.by_code[DOWN] += 1
                s.failed += 1
                s.outstanding -= 1
                if path._events is not None:
                    path._events.append((now, FAILED, req.id, on.user.id, s.index, DOWN.value))
                if path._traces is not None:
                    path._traces.append((req, DOWN, now))
                    path.open_requests.pop(req.id, None)
                self._reconnect(on, 0.0)

    # --- what the run reports -----------------------------------------------------------

    def sample(self) -> tuple[float, ...]:
        now = (
            self.messages,
            self.delivered,
            self.polls,
            self.empty_polls,
            self.bytes,
            self.reconnects,
        )
        messages, delivered, polls, empty, sent, reconnects = (
            a - b for a, b in zip(now, self._prev, strict=True)
        )
        self._prev = now
        second = np.asarray(self.sec_delays, dtype=np.float64)
        self.sec_delays = []
        self.delays.add_many(second)
        p50, p95 = (q * 1000.0 for q in window_quantiles(second, (0.5, 0.95)))
        if reconnects > self.peak_reconnects:
            self.peak_reconnects = reconnects
        if self.open > self.peak_connections:
            self.peak_connections = self.open
        self._peak_memory()
        return (
            float(messages),
            float(delivered),
            p50,
            p95,
            float(polls),
            float(empty),
            float(self.n_held),
            float(sent),
            float(self.open),
            self.open * self.kb / 1000.0,
            float(reconnects),
        )

    def _run_delays(self) -> LatencyHistogram:
        merged = LatencyHistogram()
        merged.merge(self.delays)
        merged.add_many(self.sec_delays)
        return merged

    @property
    def delivery_mean_s(self) -> float:
        return self.delay_sum / self.delivered if self.delivered else math.nan

    def facts(self) -> RealtimeFacts:
        rt = self.rt
        rows = []
        for s in self.sim.fleet.live():
            n = len(self.conns.get(s.index, ()))
            rows.append(
                ServerConnections(s.index, n, n * self.kb / 1000.0, len(self.held.get(s.index, ())))
            )
        (p95,) = self._run_delays().quantiles((0.95,))
        return RealtimeFacts(
            transport=rt.transport.value,
            poll_interval_s=rt.poll_interval_s,
            long_poll_timeout_s=rt.long_poll_timeout_s,
            messages_per_min=rt.messages_per_min,
            online_s=rt.online_s,
            connection_kb=rt.connection_kb,
            reconnect_jitter_s=rt.reconnect_jitter_s,
            online=len(self.users),
            by_server=tuple(rows),
            connections=self.open,
            connection_mb=self.open * self.kb / 1000.0,
            held_polls=self.n_held,
            messages=self.messages,
            delivered=self.delivered,
            polls=self.polls,
            empty_polls=self.empty_polls,
            delivery_ms_mean=self.delivery_mean_s * 1000.0,
            delivery_ms_p95=p95 * 1000.0,
            bytes_total=self.bytes,
            reconnects=self.reconnects,
            peak_reconnects_per_s=self.peak_reconnects,
        )

    def about_user(self, uid: int) -> RealtimeUser | None:
        on = self.users.get(uid)
        if on is None:
            return None
        return RealtimeUser(
            on.transport.value,
            None if on.server is None else on.server.index,
            len(on.waiting),
            on.held is not None,
        )

    def summary(self) -> dict[str, Any]:
        mean = self.delivery_mean_s
        (p95,) = self._run_delays().quantiles((0.95,))
        return {
            "realtime": {
                "messages": self.messages,
                "delivered": self.delivered,
                "polls": self.polls,
                "empty_polls": self.empty_polls,
                "delivery_ms_mean": None if mean != mean else round(mean * 1000.0, 3),
                "delivery_ms_p95": None if p95 != p95 else round(p95 * 1000.0, 3),
                "bytes_total": self.bytes,
                "peak_connections": self.peak_connections,
                "peak_connection_memory_mb": round(self.peak_connection_mb, 3),
                "peak_reconnects_per_s": self.peak_reconnects,
            }
        }

    summary_lines = staticmethod(summary_lines)
