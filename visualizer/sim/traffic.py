"""Users: Poisson arrivals, multi-request workflows, think time, and what a user does
after a success or a failure (go on, retry, log in again, give up)."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from visualizer.sim.config import Config, OnError
from visualizer.sim.metrics import Totals
from visualizer.sim.records import ErrorCode, LossCause, RequestKind

if TYPE_CHECKING:
    from visualizer.sim.requests import Request, RequestPath
    from visualizer.sim.routing.balancer import Balancer
    from visualizer.sim.state.keeper import SessionKeeper
    from visualizer.sim.state.sessions import Session

LOGIN, ACTION, LOGOUT = RequestKind.LOGIN, RequestKind.ACTION, RequestKind.LOGOUT
SESSION_ERRORS = frozenset(
    {ErrorCode.SESSION_MISSING, ErrorCode.SESSION_LOST, ErrorCode.INSUFFICIENT_CONTEXT}
)


class User:
    __slots__ = ("failures", "id", "ip", "logs_out", "next_kind", "remaining", "session")

    def __init__(self, uid: int, remaining: int, logs_out: bool, ip: int) -> None:
        self.id = uid
        self.remaining = remaining  # successful requests still to make
        self.logs_out = logs_out
        self.ip = ip  # client address the hash balancer sees (shared behind a proxy)
        self.session: Session | None = None
        self.next_kind = LOGIN
        self.failures = 0  # consecutive


def workflow_length(rng: random.Random, mean: float) -> int:
    """Geometric on {1, 2, ...} with the given mean (1 means exactly one request)."""
    if mean <= 1.0:
        return 1
    p = 1.0 / mean
    return 1 + int(math.log(1.0 - rng.random()) / math.log(1.0 - p))


class Traffic:
    """Arrivals and users' decisions; requests go out through the request path."""

    def __init__(
        self,
        env: simpy.Environment,
        rng: random.Random,
        totals: Totals,
        balancer: Balancer,
        keeper: SessionKeeper,
    ) -> None:
        self.env = env
        self.rng = rng
        self.totals = totals
        self.balancer = balancer
        self.keeper = keeper
        self.requests: RequestPath  # wired by the simulation
        self.users_active = 0
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
            delay = self.rng.expovariate(rate)
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
        rng = self.rng
        uid = self._next_user
        self._next_user = uid + 1
        n = workflow_length(rng, traffic.requests_per_user)
        logs_out = n >= 2 and traffic.logout_fraction > 0 and rng.random() < traffic.logout_fraction
        behind_proxy = traffic.proxy_fraction > 0 and rng.random() < traffic.proxy_fraction
        user = User(uid, n, logs_out, 0 if behind_proxy else uid)
        self.totals.arrived += 1
        self.users_active += 1
        self.requests.send(user)

    def _on_think(self, ev: Timeout) -> None:
        self.requests.send(ev._value)

    # --- after a response -----------------------------------------------------------------

    def resume(self, user: User) -> None:
        """The response travels back, the user thinks, then sends ``user.next_kind``."""
        think = self._think
        delay = self._net + (-math.log(1.0 - self.rng.random()) * think if think > 0 else 0.0)
        Timeout(self.env, delay, user).callbacks.append(self._on_think)

    def after_success(self, user: User) -> None:
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
        else:
            user.next_kind = req.kind  # retry the same request
        self.resume(user)

    def leaves(self, user: User, *, completed: bool) -> None:
        self.users_active -= 1
        if completed:
            self.totals.completed += 1
        else:
            self.totals.abandoned += 1
        self.balancer.forget(user)
