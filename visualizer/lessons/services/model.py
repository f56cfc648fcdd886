"""The services lesson: a stateless gateway in front of stateful services and a queue.

The fleet's servers are the *gateway instances* (``servers.count``): stateless, any
instance serves any user; the balancer routes to them as in every lesson. A gateway
request holds a gateway worker for ``servers.service_ms`` (checking the token and
forwarding), then goes to one *domain service*: ``users``, ``orders`` or ``inventory``
(``[services] order_share`` of the requests create an order, ``users_share`` read the
users service, the rest read inventory; drawn from the lesson's own stream once per
step of a user's workflow, so a retry asks the same service again). Every request of
this lesson is one such call: there is no login and no session.

Each service is its own small pool on the same clock: ``<name>_instances`` instances ×
``<name>_workers`` workers, FIFO (a request joins the instance with the fewest waiting
and busy); a request holds its worker for an exponential time of mean
``<name>_service_ms`` plus one database round trip ``<name>_db_ms``. Its answer goes back
to the client through the balancer (the model treats the gateway as a non-blocking
proxy: once forwarded, the request no longer needs its gateway instance).

Faults (all live keys, so ``set`` faults schedule them):

- crash a fleet server: a gateway instance. Its queued requests and those in their token
  check fail with ``SERVER_DOWN``; none of them had reached a service, so nothing is
  created or lost; the user retries per ``traffic.on_error`` and the others take over
  after the health check.
- ``services.<name>_instances`` lowered: the instances beyond it stop; their queued and
  running requests fail with ``SERVER_DOWN`` (nothing durable: a request's work counts
  only when it finishes). Raised: instances start, empty.
- ``services.<name>_db_up = false``: that service's requests fail with
  ``DB_UNAVAILABLE`` (at their start, or at the end of a round trip that was under
  way when the database went down).
- ``services.consumer_up = false``: the notification consumers stop; messages being
  worked on go back to the head of the queue (unacknowledged: delivered at least once),
  nothing is lost; the queue grows until they run again and then drains, or until it
  holds ``queue_limit`` messages (waiting and being worked on): then each message
  published is dropped and counted (``dropped``; the order stands, its notification is
  lost), with a marker the first time it fills (and again after it has emptied). A limit
  lowered below the depth drops nothing already queued.

Definitions used by the summary, the per-second figures and the tests:

- *orders requested*: steps of users' workflows that create an order (a step retried
  after a failure counts once). *orders created*: order requests whose orders service
  work finished with its database up; each publishes one message to the queue.
  *orders failed*: order requests that failed (each attempt, any code). A created order
  is always answered with success, and a failed attempt never created one, so
  ``orders created = order requests answered ok``: no order is lost or created twice,
  whatever crashes. Every created order publishes one message, queued or dropped:
  ``orders created = notified + queue depth + dropped``.
- *queue depth*: messages published and not yet consumed (waiting or being worked on).
- *consumer lag*: now minus the publish time of the oldest message not yet consumed (0
  when the queue is empty); ``max_consumer_lag_s`` is the largest seen at any sample.
- Theory: with orders created at rate r and the consumers down for D seconds, the backlog
  at restore is ≈ r × D; the consumers work through it at capacity
  C = ``queue_consumers`` / ``consumer_service_ms`` while r more arrive, so it drains in
  r × D / (C − r) seconds.
- *latency by tier* (ms): ``gateway`` from sent to forwarded (network, queue, token
  check), the mean over every request it forwarded, whatever its service then answers
  (the gateway's part is done when it forwards); each service from forwarded to answered
  (queue, work, database), the mean over its successes; ``notifications`` from publish
  to consumed.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar

from simpy.events import Timeout

from visualizer.lessons.services.facts import ServicesFacts, TierFacts
from visualizer.lessons.services.settings import LESSON
from visualizer.sim.config import Config
from visualizer.sim.lessons import register
from visualizer.sim.lessons.base import LessonModel
from visualizer.sim.records import ErrorCode, EventKind, Note, RequestKind
from visualizer.sim.requests import RequestPath
from visualizer.sim.traffic import Traffic

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import Request
    from visualizer.sim.simulation import Simulation
    from visualizer.sim.traffic import User

ACTION = RequestKind.ACTION
FORWARDED = int(EventKind.FORWARDED)
DOWN, DB_DOWN = ErrorCode.SERVER_DOWN, ErrorCode.DB_UNAVAILABLE

#: The domain services, in the order of the figures and the summary.
SERVICES = ("users", "orders", "inventory")
USERS, ORDERS, INVENTORY = 0, 1, 2

#: The per-second figures (CSV columns and ``Sample.lesson``), in order.
FIGURES = (
    "services_orders",  # orders created this second
    "services_orders_failed",  # order requests that failed this second
    "services_queue_depth",  # messages published and not yet consumed, now
    "services_consumer_lag_s",  # age of the oldest of them, now
    "services_notified",  # messages consumed this second
    # mean time in each tier this second (ms; NaN: none): the gateway from sent to
    # forwarded over the requests it forwarded, each service from forwarded to answered
    # over its successes (see latency by tier)
    "services_gateway_ms",
    "services_users_ms",
    "services_orders_ms",
    "services_inventory_ms",
    "services_dropped",  # messages dropped this second: published to a full queue
)


class Call:
    """What a services request asks for, in the small interface the request path and the
    traces read from a request's ``placement``. It names its service by ``index``: a
    checkpoint restores a copy of it, so nothing may look it up by identity."""

    checks_on_finish: ClassVar[bool] = False
    round_trip: ClassVar[float] = 0.0

    def __init__(self, index: int) -> None:
        self.index = index
        self.name = SERVICES[index]

    def lookup(self, code: ErrorCode | None) -> str:
        return f"gateway → {self.name}"

    def __reduce__(self) -> tuple:
        """Unpickled as the module's own call (a checkpoint holds no copies of it)."""
        return (_call, (self.index,))


def _call(index: int) -> Call:
    return CALLS[index]


CALLS = tuple(Call(i) for i in range(len(SERVICES)))


class Instance:
    """One instance of a domain service: workers and a FIFO queue."""

    __slots__ = ("active", "busy", "epoch", "queue", "up")

    def __init__(self) -> None:
        self.up = True
        self.busy = 0
        self.queue: deque[tuple[Request, float]] = deque()  # (request, forwarded at)
        self.active: dict[int, Request] = {}
        self.epoch = 0


class Pool:
    """One domain service: its instances, settings and latency totals."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.name = SERVICES[index]
        self.instances: list[Instance] = []
        self.workers = 1
        self.svc = 0.0
        self.db = 0.0
        self.db_up = True
        self.db_epoch = 0  # bumped when the database goes down: trips under way fail
        self.latency_sum = 0.0
        self.answered = 0

    def live(self) -> list[Instance]:
        return [i for i in self.instances if i.up]


# --- the request path and the users --------------------------------------------------------


class ServicesPath(RequestPath):
    """The request path through a gateway: the token check holds a gateway worker, then
    the request goes on to its domain service (the model) instead of being answered."""

    model: ServicesModel  # wired by the model

    def send(self, user: User) -> None:
        user.next_kind = ACTION  # every request is a call (no login, no logout)
        self.model.target(user)  # drawn before it can fail, so a failure knows its service
        RequestPath.send(self, user)

    def _start(self, req: Request, s: Server) -> None:
        now = self.env._now
        hold = -math.log(1.0 - self.service.random()) * self._svc if self._svc_exp else self._svc
        req.placement = CALLS[self.model.target(req.user)]  # type: ignore[assignment]
        self._occupy(req, s, now, hold, 0.0, 0.0)

    def _succeed(self, req: Request, s: Server, now: float) -> None:
        self.model.forward(req, now)

    def answer(self, req: Request, now: float) -> None:
        """The service answered: a success (its gateway may have crashed meanwhile)."""
        s: Server = req.server  # type: ignore[assignment]
        self._count_ok(req, s, now)
        if s.draining and s.outstanding == 0:
            self.fleet.finish_removal(s)
        self.traffic.after_success(req.user)


class ServicesTraffic(Traffic):
    """Users whose every step calls one service; a retry calls the same one."""

    model: ServicesModel  # wired by the model

    def after_success(self, user: User) -> None:
        self.model.targets.pop(user.id, None)  # the next step draws its own
        Traffic.after_success(self, user)

    def after_failure(self, req: Request, code: ErrorCode) -> None:
        if self.model.targets.get(req.user.id) == ORDERS:
            self.model.orders_failed += 1
        Traffic.after_failure(self, req, code)

    def leaves(self, user: User, *, completed: bool) -> None:
        Traffic.leaves(self, user, completed=completed)
        self.model.targets.pop(user.id, None)


@register
class ServicesModel(LessonModel):
    lesson = LESSON
    keeps_sessions = True
    holds_memory = True
    path = ServicesPath
    traffic = ServicesTraffic
    figures = FIGURES

    def __init__(self, sim: Simulation) -> None:
        super().__init__(sim)
        self.stream = sim.streams.stream("services")  # which service each step calls
        self.work = sim.streams.stream("services-work")  # the services' work times
        # the consumers' own: more or fewer consumers never changes the services' work
        self.consume = sim.streams.stream("services-consumers")
        self.pools = [Pool(i) for i in range(len(SERVICES))]
        self.targets: dict[int, int] = {}  # user id -> the service its current step calls
        self.orders_requested = 0  # workflow steps that chose to create an order
        self.orders_created = 0
        self.orders_failed = 0
        self.notified = 0
        self.dropped = 0  # messages published to a full queue (``queue_limit``): lost
        self.queue_limit = 0
        self._full = False  # the queue has been full since it was last empty
        self.notify_latency_sum = 0.0
        self.gateway_latency_sum = 0.0
        self.gateway_answered = 0
        # the queue: publish times of messages not yet taken, then those being worked on
        self.queue: deque[float] = deque()
        self.working: dict[int, float] = {}  # message id -> publish time
        self._next_message = 1
        self.consumers = 0
        self.consumer_up = True
        self._consumer_s = 0.02
        self._consumer_gen = 0  # bumped when the consumers stop: their work is dropped
        self._down_at = 0.0  # when the consumers last stopped
        self.outage_s = 0.0  # how long they have been down (or the last outage lasted)
        self.max_lag = 0.0
        self.peak_depth = 0
        self._share = (0.4, 0.3)
        self._prev = (0, 0, 0, 0)
        self._prev_tiers = [(0.0, 0)] * (1 + len(SERVICES))  # (latency sum, count) by tier
        path: ServicesPath = sim.requests  # type: ignore[assignment]
        traffic: ServicesTraffic = sim.traffic  # type: ignore[assignment]
        path.model = traffic.model = self
        self._path = path

    def configure(self, config: Config) -> None:
        c = config.services
        self._share = (c.users_share, c.order_share)
        self._net = config.network.latency_ms / 1000.0
        for pool in self.pools:
            name = pool.name
            pool.workers = getattr(c, f"{name}_workers")
            pool.svc = getattr(c, f"{name}_service_ms") / 1000.0
            pool.db = getattr(c, f"{name}_db_ms") / 1000.0
            db_up = getattr(c, f"{name}_db_up")
            if pool.db_up and not db_up:
                pool.db_epoch += 1
            pool.db_up = db_up
            self._resize(pool, getattr(c, f"{name}_instances"))
            for inst in pool.instances:
                self._pump(pool, inst)
        self._consumer_s = c.consumer_service_ms / 1000.0
        self.consumers = c.queue_consumers
        self.queue_limit = c.queue_limit
        now = self.sim.env._now
        if self.consumer_up and not c.consumer_up:
            self._stop_consumers()
            self._down_at = now
        elif c.consumer_up and not self.consumer_up:
            self.outage_s = now - self._down_at
        self.consumer_up = c.consumer_up
        self._consume()

    # --- domain services --------------------------------------------------------------------

    def target(self, user: User) -> int:
        """The service the user's current step calls (drawn once per step)."""
        uid = user.id
        t = self.targets.get(uid)
        if t is None:
            u = self.stream.random()
            users, orders = self._share
            t = USERS if u < users else ORDERS if u < users + orders else INVENTORY
            if t == ORDERS:
                self.orders_requested += 1
            self.targets[uid] = t
        return t

    def _resize(self, pool: Pool, n: int) -> None:
        live = pool.live()
        while len(live) > n:  # the newest stop first
            self._stop(pool, live.pop())
        for inst in pool.instances:
            if len(live) >= n:
                break
            if not inst.up:
                inst.up = True
                live.append(inst)
        while len(live) < n:
            inst = Instance()
            pool.instances.append(inst)
            live.append(inst)

    def _stop(self, pool: Pool, inst: Instance) -> None:
        inst.up = False
        inst.epoch += 1
        inst.busy = 0
        victims = [*inst.active.values(), *(r for r, _ in inst.queue)]
        inst.active.clear()
        inst.queue.clear()
        for req in victims:
            self._path.fail(req, DOWN)

    def forward(self, req: Request, now: float) -> None:
        """The gateway checked the token: the request goes to its service."""
        pool = self.pools[req.placement.index]  # type: ignore[union-attr]
        self.gateway_latency_sum += now - req.t_sent
        self.gateway_answered += 1
        events = self._path._events
        if events is not None:
            gateway: Server = req.server  # type: ignore[assignment]
            events.append((now, FORWARDED, req.id, req.user.id, gateway.index, pool.index))
        live = pool.live()
        if not live:
            self._path.fail(req, DOWN)
            return
        inst = min(live, key=lambda i: i.busy + len(i.queue))
        inst.queue.append((req, now))
        self._pump(pool, inst)

    def _pump(self, pool: Pool, inst: Instance) -> None:
        while inst.queue and inst.up and inst.busy < pool.workers:
            req, t_fwd = inst.queue.popleft()
            if not pool.db_up:
                self._path.fail(req, DB_DOWN)
                continue
            inst.busy += 1
            inst.active[req.id] = req
            hold = -math.log(1.0 - self.work.random()) * pool.svc + pool.db
            ev = Timeout(self.sim.env, hold, (req, pool, inst, inst.epoch, pool.db_epoch, t_fwd))
            ev.callbacks.append(self._on_served)

    def _on_served(self, ev: Timeout) -> None:
        req, pool, inst, epoch, db_epoch, t_fwd = ev._value
        if epoch != inst.epoch:
            return  # the instance stopped meanwhile; the request already failed
        del inst.active[req.id]
        inst.busy -= 1
        now = self.sim.env._now
        if db_epoch != pool.db_epoch or not pool.db_up:
            self._path.fail(req, DB_DOWN)
        else:
            pool.latency_sum += now - t_fwd
            pool.answered += 1
            if pool.index == ORDERS:
                self.orders_created += 1
                self._publish(now)
            self._path.answer(req, now)
        self._pump(pool, inst)

    # --- the queue and the notification consumers -------------------------------------------

    def _publish(self, now: float) -> None:
        depth = len(self.queue) + len(self.working)
        if depth >= self.queue_limit:
            self._drop(depth)
            return
        self.queue.append(now)
        depth += 1
        if depth > self.peak_depth:
            self.peak_depth = depth
        self._consume()

    def _drop(self, depth: int) -> None:
        """A full queue refuses the message: it is lost (the order stands). The first
        time it fills, and again after it has emptied, is a notable moment."""
        self.dropped += 1
        if not self._full:
            self._full = True
            self.sim.journal.notable(
                EventKind.SETTING_CHANGED,
                -1,
                f"notification queue full ({depth:,} messages): new ones are dropped",
                note=Note.QUEUE_FULL,
            )

    def _consume(self) -> None:
        if not self.consumer_up:
            return
        queue, working = self.queue, self.working
        while queue and len(working) < self.consumers:
            mid = self._next_message
            self._next_message = mid + 1
            working[mid] = queue.popleft()
            hold = -math.log(1.0 - self.consume.random()) * self._consumer_s
            ev = Timeout(self.sim.env, hold, (mid, self._consumer_gen))
            ev.callbacks.append(self._on_consumed)

    def _on_consumed(self, ev: Timeout) -> None:
        mid, gen = ev._value
        if gen != self._consumer_gen:
            return  # the consumers stopped meanwhile; the message went back to the queue
        published = self.working.pop(mid)
        self.notified += 1
        self.notify_latency_sum += self.sim.env._now - published
        self._consume()
        if self._full and not self.queue and not self.working:
            self._full = False  # emptied: the next time it fills is news again

    def _stop_consumers(self) -> None:
        """Unacknowledged messages go back to the head of the queue, oldest first."""
        self._consumer_gen += 1
        self.queue.extendleft(sorted(self.working.values(), reverse=True))
        self.working.clear()

    def depth(self) -> int:
        return len(self.queue) + len(self.working)

    def lag(self) -> float:
        oldest = [*self.working.values()]
        if self.queue:
            oldest.append(self.queue[0])
        return self.sim.env._now - min(oldest) if oldest else 0.0

    # --- what the engine reads --------------------------------------------------------------

    def sample(self) -> tuple[float, ...]:
        lag = self.lag()
        if lag > self.max_lag:
            self.max_lag = lag
        now = (self.orders_created, self.orders_failed, self.notified, self.dropped)
        prev, self._prev = self._prev, now
        tiers = [(self.gateway_latency_sum, self.gateway_answered)]
        tiers += [(p.latency_sum, p.answered) for p in self.pools]
        means = []
        for (total, n), (total0, n0) in zip(tiers, self._prev_tiers, strict=True):
            means.append((total - total0) / (n - n0) * 1000.0 if n > n0 else math.nan)
        self._prev_tiers = tiers
        return (
            float(now[0] - prev[0]),
            float(now[1] - prev[1]),
            float(self.depth()),
            lag,
            float(now[2] - prev[2]),
            *means,
            float(now[3] - prev[3]),
        )

    def facts(self) -> ServicesFacts:
        tiers = tuple(
            TierFacts(
                name=p.name,
                instances_up=len(p.live()),
                busy=sum(i.busy for i in p.instances),
                queued=sum(len(i.queue) for i in p.instances),
                db_up=p.db_up,
                workers=p.workers,
                db_ms=p.db * 1000.0,
                answered=p.answered,
                latency_ms=p.latency_sum / p.answered * 1000.0 if p.answered else math.nan,
            )
            for p in self.pools
        )
        return ServicesFacts(
            tiers=tiers,
            orders_created=self.orders_created,
            orders_failed=self.orders_failed,
            queue_depth=self.depth(),
            consumer_lag_s=self.lag(),
            consumers=self.consumers,
            consumer_up=self.consumer_up,
            consumer_capacity_per_s=self.consumers / self._consumer_s,
            notified=self.notified,
            order_rate_per_s=self.order_rate(),
            outage_s=self.sim.env._now - self._down_at if not self.consumer_up else self.outage_s,
            dropped=self.dropped,
            queue_limit=self.queue_limit,
        )

    def order_rate(self) -> float:
        """Orders a second the settings ask for (Little's law: users arrive at λ and send
        ``requests_per_user`` requests each, ``order_share`` of them orders)."""
        c = self.sim.config
        return c.traffic.users_per_s * c.traffic.requests_per_user * c.services.order_share

    def latency_ms_by_tier(self) -> dict[str, float | None]:
        def mean(total: float, n: int) -> float | None:
            return round(total / n * 1000.0, 3) if n else None

        out = {"gateway": mean(self.gateway_latency_sum, self.gateway_answered)}
        for p in self.pools:
            out[p.name] = mean(p.latency_sum, p.answered)
        out["notifications"] = mean(self.notify_latency_sum, self.notified)
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "services": {
                "orders_requested": self.orders_requested,
                "orders_created": self.orders_created,
                "orders_failed": self.orders_failed,
                "notified": self.notified,
                "dropped": self.dropped,
                "peak_queue_depth": self.peak_depth,
                "max_consumer_lag_s": round(max(self.max_lag, self.lag()), 3),
                "latency_ms_by_tier": self.latency_ms_by_tier(),
            }
        }

    @staticmethod
    def summary_lines(summary: dict[str, Any]) -> list[str]:
        c = summary["services"]
        tiers = "  ".join(
            f"{name} {ms:,.1f}" if ms is not None else f"{name} -"
            for name, ms in c["latency_ms_by_tier"].items()
        )
        return [
            f"services  {c['orders_created']:>10,} orders created  "
            f"{c['orders_failed']:>8,} order requests failed  {c['notified']:,} notified",
            f"          peak queue {c['peak_queue_depth']:,}  max consumer lag "
            f"{c['max_consumer_lag_s']:,.1f} s  {c['dropped']:,} dropped (queue full)",
            f"          latency ms by tier: {tiers}",
        ]
