"""The fleet: servers crash, restart, join and leave; the balancer notices at health checks;
the shared store goes down and comes back."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from visualizer.sim.config import MAX_SERVERS, Config
from visualizer.sim.nodes import Server
from visualizer.sim.records import STORE, ErrorCode, EventKind, LossCause

if TYPE_CHECKING:
    from visualizer.sim.journal import Journal
    from visualizer.sim.lessons.base import LessonModel
    from visualizer.sim.requests import RequestPath
    from visualizer.sim.routing.balancer import Balancer
    from visualizer.sim.state.keeper import SessionKeeper
    from visualizer.sim.state.store import SessionStore


#: The queue of a stopped server: nothing joins it again (an empty deque is 0.7 kB, and a
#: long run of adds and removes keeps every server it ever made, for their names and counts).
STOPPED: tuple[()] = ()


class Fleet:
    """Servers by index (never reused: a new server is a new machine) and the store.

    ``servers`` holds every server ever created; the ones that exist are also kept apart
    (``existing``, ``live``), so that the work of a step follows the servers running, not
    every name a long run of adds and removes has used."""

    def __init__(
        self,
        env: simpy.Environment,
        config: Config,
        journal: Journal,
        balancer: Balancer,
        keeper: SessionKeeper,
        store: SessionStore,
    ) -> None:
        self.env = env
        self.config = config
        self.journal = journal
        self.balancer = balancer
        self.keeper = keeper
        self.store = store
        self.requests: RequestPath  # wired by the simulation
        self.lesson: LessonModel  # wired by the simulation
        self.servers: list[Server] = []  # every server ever created, by index
        # by index, in index order (a new server has the highest index yet):
        self._existing: dict[int, Server] = {}  # not removed: live or draining
        self._live: dict[int, Server] = {}  # part of the fleet: neither removed nor draining
        #: servers stopped since the sampler last looked (it takes their last figures)
        self.removed_lately: list[Server] = []
        for i in range(config.servers.count):
            server = self._new(i, 0.0)
            balancer.set_in_rotation(server, True)

    def _new(self, index: int, now: float) -> Server:
        s = Server(index, self.config.servers.workers, now)
        self.servers.append(s)
        self._existing[index] = s
        self._live[index] = s
        return s

    def server(self, index: int) -> Server | None:
        """The server with this index, unless it was removed."""
        if 0 <= index < len(self.servers) and not self.servers[index].removed:
            return self.servers[index]
        return None

    def live(self) -> list[Server]:
        """The servers of the fleet (neither removed nor draining), by index."""
        return list(self._live.values())

    def live_count(self) -> int:
        return len(self._live)

    def existing(self) -> list[Server]:
        """The servers not removed (live or draining), by index."""
        return list(self._existing.values())

    # --- servers ------------------------------------------------------------------------

    def crash(self, s: Server, cause: LossCause) -> int:
        now = self.env._now
        s.up = False
        s.epoch += 1
        s.crashes += 1
        s.set_busy(0, now)
        victims = [*s.active.values(), *s.queue]
        s.active.clear()
        s.queue.clear()
        lost = s.last_lost = self.keeper.drop(s.sessions, cause)
        why = "out of memory" if cause is LossCause.OOM else "crashed"
        self.journal.notable(
            EventKind.SERVER_CRASHED, s.index, f"{s.name} {why}: {lost:,} sessions lost", lost
        )
        for req in victims:
            self.requests.fail(req, ErrorCode.SERVER_DOWN)
        self.lesson.server_down(s)
        self._schedule_health_check(s)
        return lost

    def restart(self, s: Server) -> bool:
        if s.up or s.removed:
            return False
        s.up = True
        s.set_busy(0, self.env._now)
        self.journal.notable(EventKind.SERVER_RESTARTED, s.index, f"{s.name} restarted (empty)")
        self._schedule_health_check(s)
        return True

    def add(self) -> Server | None:
        if len(self._live) >= MAX_SERVERS:
            return None
        # A new server is a new machine with the next number: names are never reused,
        # so a name in a saved schedule means one server whatever the timing of drains.
        s = self._new(len(self.servers), self.env._now)
        self.journal.notable(EventKind.SERVER_ADDED, s.index, f"{s.name} added")
        self._schedule_health_check(s)
        return s

    def remove(self, index: int | None) -> bool:
        live = self._live
        if len(live) <= 1:
            return False
        if index is None:
            s = next(reversed(live.values()))  # the newest
        else:
            s = self.server(index)  # type: ignore[assignment]
            if s is None or not s.live:
                return False
        s.draining = True
        del live[s.index]
        if s.in_rotation:
            self._set_rotation(s, False)
        self.journal.notable(EventKind.SERVER_DRAINING, s.index, f"{s.name} removed (draining)")
        if s.outstanding == 0:
            self.finish_removal(s)
        return True

    def finish_removal(self, s: Server) -> None:
        """A drained server stops; its in-memory sessions go with it."""
        s.draining = False
        s.removed = True
        del self._existing[s.index]
        self.removed_lately.append(s)
        s.up = False
        s.epoch += 1
        s.set_busy(0, self.env._now)
        s.queue = STOPPED  # type: ignore[assignment]  # (its empty deque held 0.7 kB)
        lost = self.keeper.drop(s.sessions, LossCause.CRASH)
        self.journal.notable(
            EventKind.SERVER_REMOVED, s.index, f"{s.name} stopped: {lost:,} sessions lost", lost
        )
        self.lesson.server_down(s)

    def set_workers(self, workers: int) -> None:
        """Every server not removed gets ``workers`` (a removed one is counted with the
        fleet's setting: see ``workers_of``)."""
        for s in self.existing():
            s.workers = workers
            self.requests.pump(s)

    def workers_of(self, s: Server) -> int:
        """Workers ``s`` is counted with in the summary's utilization: its own, or for a
        removed server the fleet's setting now (as if every server ever followed it)."""
        return self.config.servers.workers if s.removed else s.workers

    def check_memory(self) -> None:
        """A lower cap or bigger sessions can put servers over their memory at once."""
        for s in self.existing():
            if s.up and self.keeper.over_memory(s):
                self.crash(s, LossCause.OOM)

    # --- the store ----------------------------------------------------------------------

    def crash_store(self) -> bool:
        store = self.store
        if not store.up:
            return False
        store.up = False
        store.epoch += 1
        store.crashes += 1
        lost = 0
        if self.config.store.replicas == 0:
            lost = self.keeper.drop(store.sessions, LossCause.STORE_OUTAGE)
            label = f"store down: {lost:,} sessions lost"
        else:
            label = f"store down: sessions kept by {self.config.store.replicas} replica(s)"
        self.journal.notable(EventKind.STORE_CRASHED, STORE, label, lost)
        return True

    def restore_store(self) -> bool:
        if self.store.up:
            return False
        self.store.up = True
        self.journal.notable(EventKind.STORE_RESTORED, STORE, "store restored")
        return True

    # --- health checks ------------------------------------------------------------------

    def _schedule_health_check(self, s: Server) -> None:
        """The balancer notices a change at its next periodic check (at once if period 0)."""
        period = self.config.balancer.health_check_s
        if period <= 0:
            self._health_check(s)
            return
        now = self.env._now
        next_tick = (math.floor(now / period) + 1) * period
        Timeout(self.env, max(next_tick - now, 0.0), s).callbacks.append(self._on_health_check)

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
        self.journal.notable(kind, s.index, f"health check: {s.name} {verb}")
