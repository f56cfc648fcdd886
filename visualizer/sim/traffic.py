"""Users: Poisson arrivals, multi-request workflows, think time, and what a user does
after a success or a failure (go on, retry, log in again, give up)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from visualizer.sim.config import Config, OnError
from visualizer.sim.metrics import Totals
from visualizer.sim.records import ErrorCode, EventKind, LossCause, RequestKind
from visualizer.sim.rng import LCG_A, LCG_C, MASK64, UNIT53, Streams

if TYPE_CHECKING:
    from visualizer.sim.journal import Journal
    from visualizer.sim.requests import Request, RequestPath
    from visualizer.sim.routing.balancer import Balancer
    from visualizer.sim.state.keeper import SessionKeeper
    from visualizer.sim.state.sessions import Session

LOGIN, ACTION, LOGOUT = RequestKind.LOGIN, RequestKind.ACTION, RequestKind.LOGOUT
USER_ARRIVED, USER_LEFT = int(EventKind.USER_ARRIVED), int(EventKind.USER_LEFT)
SESSION_ERRORS = frozenset(
    {ErrorCode.SESSION_MISSING, ErrorCode.SESSION_LOST, ErrorCode.INSUFFICIENT_CONTEXT}
)


class User:
    __slots__ = (
        "failures",
        "id",
        "ip",
        "logs_out",
        "next_kind",
        "relogging",
        "remaining",
        "session",
        "think",
    )

    def __init__(self, uid: int, remaining: int, logs_out: bool, ip: int, think: int) -> None:
        self.id = uid
        self.remaining = remaining  # successful workflow steps still to make
        self.logs_out = logs_out
        self.ip = ip  # 32-bit client address the hash balancer sees (shared behind a proxy)
        self.think = think  # state of the user's own generator of think times
        self.session: Session | None = None
        self.next_kind = LOGIN
        self.failures = 0  # consecutive
        self.relogging = False  # logging in again after a session error: not progress

    def __reduce__(self) -> tuple:
        """Pickled as one tuple (checkpoints hold many users; see ``Request``)."""
        return (
            _user,
            (
                self.id,
                self.remaining,
                self.logs_out,
                self.ip,
                self.think,
                self.session,
                self.next_kind.value,
                self.failures,
                self.relogging,
            ),
        )


def _user(uid, remaining, logs_out, ip, think, session, next_kind, failures, relogging) -> User:
    user = User(uid, remaining, logs_out, ip, think)
    user.session, user.next_kind = session, RequestKind(next_kind)
    user.failures, user.relogging = failures, relogging
    return user


def workflow_length(u: float, mean: float) -> int:
    """Geometric on {1, 2, ...} with the given mean (1 means exactly one request), from a
    uniform ``u`` drawn whatever the mean (so every user takes the same draws)."""
    if mean <= 1.0:
        return 1
    return 1 + int(math.log(1.0 - u) / math.log(1.0 - 1.0 / mean))


class Traffic:
    """Arrivals and users' decisions; requests go out through the request path."""

    def __init__(
        self,
        env: simpy.Environment,
        streams: Streams,
        totals: Totals,
        journal: Journal,
        balancer: Balancer,
        keeper: SessionKeeper,
    ) -> None:
        self.env = env
        self._events = journal.events
        self.arrivals = streams.arrivals
        self.users = streams.users
        self.proxy_ip = streams.stream("proxy").getrandbits(32)  # one corporate proxy
        self.totals = totals
        self.balancer = balancer
        self.keeper = keeper
        self.requests: RequestPath  # wired by the simulation
        self.users_active = 0
        self.online: dict[int, User] = {}  # users here now, by id (what views ask about)
        self._next_user = 1
        self._arrival_gen = 0

    def configure(self, config: Config) -> None:
        self.config = config
        self._think = config.traffic.think_time_s
        self._net = config.network.latency_ms / 1000.0
        self._on_error = config.traffic.on_error
        self._max_retries = config.traffic.max_retries

    # --- arrivals -----------------------------------------------------------------------

    def schedule_arrival(self) -> None:
        rate = self.config.traffic.users_per_s
        if rate > 0:
            delay = self.arrivals.expovariate(rate)
            Timeout(self.env, delay, self._arrival_gen).callbacks.append(self._on_arrival)

    def rate_changed(self) -> None:
        """Memoryless arrivals: the next one is redrawn at the new rate."""
        self._arrival_gen += 1
        self.schedule_arrival()

    def _on_arrival(self, ev: Timeout) -> None:
        if ev._value != self._arrival_gen:
            return  # superseded by a rate change
        self.schedule_arrival()
        traffic = self.config.traffic
        draw = self.users.random
        uid = self._next_user
        self._next_user = uid + 1
        # the same five draws for every user, whatever the settings: intents stay aligned
        n = workflow_length(draw(), traffic.requests_per_user)
        logs_out = draw() < traffic.logout_fraction and n >= 2
        behind_proxy = draw() < traffic.proxy_fraction
        ip = self.users.getrandbits(32)
        think = self.users.getrandbits(64)
        user = User(uid, n, logs_out, self.proxy_ip if behind_proxy else ip, think)
        self.totals.arrived += 1
        self.users_active += 1
        self.online[uid] = user
        if self._events is not None:
            self._events.append((self.env._now, USER_ARRIVED, 0, uid, -1, n))
        self.requests.send(user)

    def _on_think(self, ev: Timeout) -> None:
        self.requests.send(ev._value)

    # --- after a response -----------------------------------------------------------------

    def resume(self, user: User) -> None:
        """The response travels back, the user thinks, then sends ``user.next_kind``."""
        think = self._think
        delay = self._net
        if think > 0:  # the user's own generator: the k-th pause is the same in any design
            # the user's MMIX generator (see rng.py), inline: this runs for every request
            state = user.think = (user.think * LCG_A + LCG_C) & MASK64
            delay -= math.log(1.0 - (state >> 11) * UNIT53) * think
        Timeout(self.env, delay, user).callbacks.append(self._on_think)

    def after_success(self, user: User) -> None:
        if user.relogging:  # logged in again after a session error: back to the same step
            user.relogging = False
            user.next_kind = LOGOUT if user.remaining == 1 and user.logs_out else ACTION
            self.resume(user)
            return
        user.failures = 0
        user.remaining -= 1
        if user.remaining <= 0:
            self.leaves(user, completed=True)
            return
        user.next_kind = LOGOUT if user.remaining == 1 and user.logs_out else ACTION
        self.resume(user)

    def after_failure(self, req: Request, code: ErrorCode) -> None:
        """Give up, log in again or retry, as ``traffic.on_error`` says."""
        user = req.user
        user.failures += 1
        policy = self._on_error
        sess = user.session
        gives_up_session = code is ErrorCode.SESSION_MISSING and sess is not None and sess.alive
        if policy is OnError.ABANDON or user.failures > self._max_retries:
            if gives_up_session:
                self.keeper.lose(sess, LossCause.MISROUTED)  # type: ignore[arg-type]
            self.leaves(user, completed=False)
            return
        if policy is OnError.RELOGIN and code in SESSION_ERRORS:
            if gives_up_session:
                self.keeper.lose(sess, LossCause.MISROUTED)  # type: ignore[arg-type]
            if req.kind is not LOGIN:
                self.totals.relogins += 1
            user.next_kind = LOGIN
            user.relogging = True
        else:
            user.next_kind = req.kind  # retry the same request
        self.resume(user)

    def leaves(self, user: User, *, completed: bool) -> None:
        self.users_active -= 1
        del self.online[user.id]
        if self._events is not None:
            self._events.append((self.env._now, USER_LEFT, 0, user.id, -1, completed))
        if completed:
            self.totals.completed += 1
        else:
            self.totals.abandoned += 1
        self.balancer.forget(user)
