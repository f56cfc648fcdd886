"""The counter lesson: users click a button and the server answers with the new count.

Where the count lives decides whether the answer is right (``[counter] placement``):

- ``server``: each server counts in its own memory. A user's clicks that land on
  different servers are counted apart ("server-A says 2, server-B says 1"); a crash or a
  restart loses the server's counts.
- ``store``: one count in the shared store. Every click holds its worker for one store
  round trip (``store.latency_ms``); the store down means no count (``STORE_UNAVAILABLE``,
  also when it goes down during the trip); a store crash without replicas loses the
  counts. ``update = "atomic"`` increments in one step; ``"read_modify_write"`` reads
  the count when the round trip starts and writes read + 1 when it ends, overwriting any
  increment made meanwhile (a lost update).
- ``client``: the client carries its count and sends it with every click; any server
  answers count + 1. A tampering client (``traffic.tamper_fraction`` of the users, drawn
  from the lesson's own random stream) sends a forged count on every click: unsigned, it
  is accepted; with ``signed = true`` the server checks the signature
  (``state.token_verify_ms``) and refuses it with ``TAMPERED``.

Definitions used by the summary, the per-second figures and the tests:

- a *click* is a request (every request of this lesson is one; there is no login);
- a *key* is what a click counts: its user (``scope = "user"``) or the one global count;
- the *true count* of a key is the number of its clicks answered so far, this one
  included; an answer is *wrong* when it differs from the true count right after its
  own click;
- *divergence* of a key is the largest gap between two servers' values of it, over the
  servers of the fleet that have counted it (one that lost it in a crash since counts
  0; with stickiness a user's count lives on one server and has no gap);
  ``max_divergence`` is the largest seen at any answer (and, for the global count, at
  any sample);
- *lost updates*: at every read-modify-write, the store value just before the write
  minus the value read (the increments it overwrites), so that the store's count equals
  the writes minus the lost updates.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from visualizer.lessons.counter.homes import (
    ClientCounts,
    CounterHome,
    ServerCounts,
    StoreCounts,
)
from visualizer.lessons.counter.settings import LESSON, CounterPlacement, CounterScope
from visualizer.sim.config import Config
from visualizer.sim.lessons import register
from visualizer.sim.lessons.base import LessonModel
from visualizer.sim.records import ErrorCode, EventKind, RequestKind
from visualizer.sim.requests import RequestPath
from visualizer.sim.traffic import Traffic

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import Request
    from visualizer.sim.simulation import Simulation
    from visualizer.sim.traffic import User

LOGIN, ACTION = RequestKind.LOGIN, RequestKind.ACTION
STARTED, SERVED = int(EventKind.STARTED), int(EventKind.SERVED)
STORE_UNAVAILABLE, TAMPERED = ErrorCode.STORE_UNAVAILABLE, ErrorCode.TAMPERED

#: The key of the one count everybody shares (users are numbered from 1).
GLOBAL = 0
#: Wrong answers kept for views (the newest last).
RECENT = 8


# --- the request path and the users ----------------------------------------------------------


class CounterPath(RequestPath):
    """The request path with clicks: no session, the count's home decides cost and answer."""

    model: CounterModel  # wired by the model
    _home: CounterHome

    def send(self, user: User) -> None:
        kind = user.next_kind
        if kind is not ACTION:  # every request is a click (no login, no logout)
            if kind is LOGIN:
                self.model.first_click(user)
            user.next_kind = ACTION
        RequestPath.send(self, user)

    def _start(self, req: Request, s: Server) -> None:
        now = self.env._now
        hold = -math.log(1.0 - self.service.random()) * self._svc if self._svc_exp else self._svc
        home = req.placement = self._home  # type: ignore[assignment]
        extra = home.begin(req, s, now, hold)
        if extra.__class__ is not float:
            self.fail(req, extra)  # type: ignore[arg-type]
            return
        self._occupy(req, s, now, hold, extra, home.round_trip)  # type: ignore[arg-type]

    def _succeed(self, req: Request, s: Server, now: float) -> None:
        user = req.user
        self._count_ok(req, s, now)
        self.model.answered(req, s, now)
        if s.draining and s.outstanding == 0:
            self.fleet.finish_removal(s)
        self.traffic.after_success(user)

    def fail(self, req: Request, code: ErrorCode) -> None:
        reads = self.model.store.reads
        if reads:
            reads.pop(req.id, None)
        RequestPath.fail(self, req, code)


class CounterTraffic(Traffic):
    """Users who click; their counts are forgotten when they leave."""

    model: CounterModel  # wired by the model

    def leaves(self, user: User, *, completed: bool) -> None:
        Traffic.leaves(self, user, completed=completed)
        self.model.forget(user.id)


# --- what views and the summary read ---------------------------------------------------------


@dataclass(frozen=True)
class WrongAnswer:
    """A click answered with a count that is not the true one."""

    t: float
    request: int
    user: int
    server: int  # index
    seen: int  # what the user was told
    true: int


@dataclass(frozen=True)
class CounterFacts:
    """The lesson now, for views (``Snapshot.lesson``)."""

    scope: CounterScope
    placement: CounterPlacement
    #: global scope: (server index, the count it believes) per live server; else empty
    server_counts: tuple[tuple[int, int], ...]
    store_count: int  # global scope: the store's count
    true_count: int  # global scope: the true count (clicks answered)
    clicks: int
    answers: int
    wrong_answers: int
    max_divergence: int
    lost_updates: int
    tampered_accepted: int
    tampered_rejected: int
    recent_wrong: tuple[WrongAnswer, ...]  # the newest last


@dataclass(frozen=True)
class UserCounts:
    """One user's count everywhere it lives (a followed user on the canvas)."""

    user: int
    true: int  # clicks answered
    carried: int  # what the client holds: the last answer it got
    servers: tuple[tuple[int, int | None], ...]  # (server index, its count or None) per live server
    store: int | None
    forges: bool


@register
class CounterModel(LessonModel):
    keeps_sessions = False  # (a click needs no login)
    holds_memory = False
    lesson = LESSON
    path = CounterPath
    traffic = CounterTraffic
    figures = (
        "counter_wrong",
        "counter_divergence",
        "counter_lost_updates",
        "counter_tampered_accepted",
        "counter_tampered_rejected",
    )

    def __init__(self, sim: Simulation) -> None:
        super().__init__(sim)
        self.stream = sim.streams.stream("counter")  # which users tamper
        self.server = ServerCounts(self)
        self.store = StoreCounts(self)
        self.client = ClientCounts(self)
        self.homes: dict[CounterPlacement, CounterHome] = {
            CounterPlacement.SERVER: self.server,
            CounterPlacement.STORE: self.store,
            CounterPlacement.CLIENT: self.client,
        }
        self.true: dict[int, int] = {}  # key -> clicks answered
        self.carried: dict[int, int] = {}  # user id -> the last count the user was told
        self.forgers: set[int] = set()  # users (still active) whose client forges its count
        self.answers = 0
        self.wrong = 0
        self.recent: deque[tuple[float, int, int, int, int, int]] = deque(maxlen=RECENT)
        self._global = False
        self._tamper = 0.0
        self._prev: tuple[int, int, int, int] = (0, 0, 0, 0)  # for the per-second figures
        path: CounterPath = sim.requests  # type: ignore[assignment]
        traffic: CounterTraffic = sim.traffic  # type: ignore[assignment]
        path.model = traffic.model = self
        self._path = path

    def configure(self, config: Config) -> None:
        c = config.counter
        self._global = c.scope is CounterScope.GLOBAL
        self._tamper = config.traffic.tamper_fraction
        for home in self.homes.values():
            home.configure(config)
        self._path._home = self.homes[c.placement]

    # --- the hot path's calls -------------------------------------------------------------

    def key_of(self, user: User) -> int:
        return GLOBAL if self._global else user.id

    def first_click(self, user: User) -> None:
        """A new user: one draw from the lesson's stream whatever the settings (users'
        intents stay aligned across designs), deciding whether its client forges."""
        uid = user.id
        if uid in self.carried:
            return
        self.carried[uid] = 0
        if self.stream.random() < self._tamper:
            self.forgers.add(uid)

    def answered(self, req: Request, s: Server, now: float) -> None:
        uid = req.user.id
        key = GLOBAL if self._global else uid
        v = req.placement.answer(req, s, key)  # type: ignore[union-attr]
        true = self.true[key] = self.true.get(key, 0) + 1
        self.answers += 1
        self.carried[uid] = v
        if v != true:
            self.wrong += 1
            self.recent.append((now, req.id, uid, s.index, v, true))

    def forget(self, uid: int) -> None:
        self.carried.pop(uid, None)
        self.forgers.discard(uid)
        self.true.pop(uid, None)
        self.server.forget(uid)
        self.store.forget(uid)

    # --- what the engine reads ------------------------------------------------------------

    @property
    def max_divergence(self) -> int:
        """The largest divergence seen (global scope: a crash since the last answer may
        have widened the gap now)."""
        server = self.server
        return max(server.max_gap, server.gap_now(GLOBAL)) if self._global else server.max_gap

    def sample(self) -> tuple[float, ...]:
        server = self.server
        if self._global:
            gap = server.gap_now(GLOBAL)
            if gap > server.max_gap:
                server.max_gap = gap
        else:
            gap = server.sec_gap
        server.sec_gap = 0
        client = self.client
        now = (self.wrong, self.store.lost, client.accepted, client.rejected)
        prev, self._prev = self._prev, now
        return (
            float(now[0] - prev[0]),
            float(gap),
            float(now[1] - prev[1]),
            float(now[2] - prev[2]),
            float(now[3] - prev[3]),
        )

    def facts(self) -> CounterFacts:
        config = self.sim.config.counter
        server_counts: tuple[tuple[int, int], ...] = ()
        if self._global:
            server_counts = tuple(
                (s.index, self.server.value(s.index, GLOBAL) or 0) for s in self.sim.fleet.live()
            )
        return CounterFacts(
            scope=config.scope,
            placement=config.placement,
            server_counts=server_counts,
            store_count=self.store.values.get(GLOBAL, 0),
            true_count=self.true.get(GLOBAL, 0),
            clicks=self.sim.totals.sent,
            answers=self.answers,
            wrong_answers=self.wrong,
            max_divergence=self.max_divergence,
            lost_updates=self.store.lost,
            tampered_accepted=self.client.accepted,
            tampered_rejected=self.client.rejected,
            recent_wrong=tuple(WrongAnswer(*w) for w in self.recent),
        )

    def about_user(self, uid: int) -> UserCounts | None:
        return self.user_counts(uid)

    def user_counts(self, uid: int) -> UserCounts | None:
        """Where user ``uid``'s count lives now (None once the user has left)."""
        if uid not in self.carried:
            return None
        return UserCounts(
            user=uid,
            true=self.true.get(uid, 0),
            carried=self.carried[uid],
            servers=tuple(
                (s.index, self.server.value(s.index, uid)) for s in self.sim.fleet.live()
            ),
            store=self.store.values.get(uid),
            forges=uid in self.forgers,
        )

    def summary(self) -> dict[str, Any]:
        return {
            "counter": {
                "clicks": self.sim.totals.sent,
                "answers": self.answers,
                "wrong_answers": self.wrong,
                "max_divergence": self.max_divergence,
                "lost_updates": self.store.lost,
                "tampered_accepted": self.client.accepted,
                "tampered_rejected": self.client.rejected,
            }
        }

    @staticmethod
    def summary_lines(summary: dict[str, Any]) -> list[str]:
        c = summary["counter"]
        answers = c["answers"]
        share = f" ({c['wrong_answers'] / answers:.1%})" if answers else ""
        return [
            f"counter   {c['clicks']:>10,} clicks  {answers:>10,} answered  "
            f"{c['wrong_answers']:>8,} wrong{share}  max divergence {c['max_divergence']:,}",
            f"          {c['lost_updates']:>10,} lost updates  "
            f"{c['tampered_accepted']:,} tampered accepted  "
            f"{c['tampered_rejected']:,} tampered rejected",
        ]
