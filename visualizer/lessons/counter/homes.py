"""Where the counter lesson's counts live: each server's memory, the shared store (atomic
or read-modify-write), or the client that sends its count with every click. The request
path asks a home what a click costs and what the server answers, as it asks a session's
placement."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from simpy.events import Timeout

from visualizer.lessons.counter.settings import CounterPlacement, CounterUpdate
from visualizer.sim.config import Config
from visualizer.sim.records import ErrorCode

if TYPE_CHECKING:
    from visualizer.lessons.counter.model import CounterModel
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import Request

STORE_UNAVAILABLE, TAMPERED = ErrorCode.STORE_UNAVAILABLE, ErrorCode.TAMPERED
#: What a tampering client adds to its count before sending it.
FORGERY = 100


class CounterHome:
    """Where counts live, behind the small interface the request path uses (as a session
    ``Placement`` does): what a click costs, whether it may go on, what it answers. It is
    also the request's ``placement`` for traces (``lookup``) and event records
    (``round_trip``)."""

    placement: ClassVar[CounterPlacement]
    #: the lookup a trace names for a click answered here
    found: ClassVar[str]
    #: whether ``finish`` has anything to check (the hot path skips the call otherwise)
    checks_on_finish: ClassVar[bool] = False
    #: seconds of each click spent on a round trip to the store
    round_trip: float = 0.0

    def __init__(self, model: CounterModel) -> None:
        self.model = model

    def configure(self, config: Config) -> None:
        pass

    def begin(self, req: Request, s: Server, now: float, processing: float) -> float | ErrorCode:
        """A click starts on a worker of ``s`` (its processing takes ``processing``
        seconds): the time it costs beyond processing, or the error it fails with."""
        return 0.0

    def finish(self, req: Request, now: float) -> ErrorCode | None:
        return None

    def answer(self, req: Request, s: Server, key: int) -> int:
        """The click succeeded: count it and return the count the server answers."""
        raise NotImplementedError

    def forget(self, key: int) -> None:
        """Nobody will click for ``key`` again (its user left)."""

    def lookup(self, code: ErrorCode | None) -> str:
        return self.found


class ServerCounts(CounterHome):
    """Each server counts in its own memory (lost when it crashes or stops)."""

    placement = CounterPlacement.SERVER
    found = "server-count"

    def __init__(self, model: CounterModel) -> None:
        super().__init__(model)
        self.servers = model.sim.fleet.servers  # the fleet's own list (servers join it)
        self.memory: list[dict[int, int]] = []  # by server index: key -> count
        self.epochs: list[int] = []  # the server epoch each memory belongs to
        self.holders: dict[int, list[int]] = {}  # key -> servers that have counted it
        self.sec_gap = 0  # the largest divergence seen this second
        self.max_gap = 0

    def table(self, s: Server) -> dict[int, int]:
        """``s``'s counts, emptied first if it crashed or stopped since it last counted."""
        i = s.index
        memory = self.memory
        while len(memory) <= i:
            memory.append({})
            self.epochs.append(-1)
        if self.epochs[i] != s.epoch:
            memory[i] = {}
            self.epochs[i] = s.epoch
        return memory[i]

    def value(self, i: int, key: int) -> int | None:
        """Server ``i``'s count of ``key`` now (None: it holds none)."""
        if i >= len(self.memory) or self.epochs[i] != self.servers[i].epoch:
            return None
        return self.memory[i].get(key)

    def answer(self, req: Request, s: Server, key: int) -> int:
        counts = self.table(s)
        v = counts[key] = counts.get(key, 0) + 1
        holders = self.holders.get(key)
        if holders is None:
            self.holders[key] = [s.index]
            return v  # the only server that ever counted it: no gap
        if s.index not in holders:
            holders.append(s.index)
        gap = self.gap(key, holders)
        if gap > self.sec_gap:
            self.sec_gap = gap
            if gap > self.max_gap:
                self.max_gap = gap
        return v

    def gap(self, key: int, holders: list[int]) -> int:
        """The divergence of ``key`` now: the largest minus the smallest value over the
        servers that have counted it (one that lost it since, in a crash, counts 0)."""
        servers, memory, epochs = self.servers, self.memory, self.epochs
        hi, lo = 0, -1
        for j in holders:
            srv = servers[j]
            if srv.removed:
                continue  # no longer part of the fleet
            x = memory[j].get(key, 0) if epochs[j] == srv.epoch else 0
            if x > hi:
                hi = x
            if x < lo or lo < 0:
                lo = x
        return hi - lo if lo >= 0 else 0

    def gap_now(self, key: int) -> int:
        holders = self.holders.get(key)
        return 0 if holders is None else self.gap(key, holders)

    def forget(self, key: int) -> None:
        for j in self.holders.pop(key, ()):
            self.memory[j].pop(key, None)


class StoreCounts(CounterHome):
    """One count per key in the shared store: a round trip per click."""

    placement = CounterPlacement.STORE
    found = "store-count"
    checks_on_finish = True

    def __init__(self, model: CounterModel) -> None:
        super().__init__(model)
        self.env = model.sim.env
        self.store = model.sim.fleet.store
        self.values: dict[int, int] = {}  # key -> the store's count
        self.reads: dict[int, int] = {}  # request id -> the count it read (read-modify-write)
        self.writes = 0  # successful writes (increments) since the run began
        self.lost = 0
        self.rmw = False
        self.replicas = 0
        self._crashes = 0  # store crashes already applied to ``values``

    def configure(self, config: Config) -> None:
        self.sync()  # a crash since the last click is judged with the replicas it met
        self.round_trip = config.store.latency_ms / 1000.0
        self.rmw = config.counter.update is CounterUpdate.READ_MODIFY_WRITE
        self.replicas = config.store.replicas

    def sync(self) -> None:
        """Apply store crashes since the last look: without replicas they lose the counts."""
        crashes = self.store.crashes
        if crashes != self._crashes:
            self._crashes = crashes
            if self.replicas == 0:
                self.values.clear()

    def lookup(self, code: ErrorCode | None) -> str:
        return "store-down" if code is STORE_UNAVAILABLE else self.found

    def begin(self, req: Request, s: Server, now: float, processing: float) -> float | ErrorCode:
        store = self.store
        if not store.up:
            return STORE_UNAVAILABLE
        if store.crashes != self._crashes:
            self.sync()
        req.store_epoch = store.epoch
        if self.rmw:  # the read goes out when processing ends; the write comes back last
            Timeout(self.env, processing, req).callbacks.append(self._on_read)
        return self.round_trip

    def _on_read(self, ev: Timeout) -> None:
        req: Request = ev._value
        if req.epoch != req.server.epoch or req.store_epoch != self.store.epoch:  # type: ignore[union-attr]
            return  # the click already failed, or will (the store went down)
        self.reads[req.id] = self.values.get(self.model.key_of(req.user), 0)

    def finish(self, req: Request, now: float) -> ErrorCode | None:
        if self.store.epoch != req.store_epoch:
            self.reads.pop(req.id, None)
            return STORE_UNAVAILABLE  # the store went down during the round trip
        return None

    def answer(self, req: Request, s: Server, key: int) -> int:
        values = self.values
        self.writes += 1
        read = self.reads.pop(req.id, None)
        if read is None:  # atomic
            v = values[key] = values.get(key, 0) + 1
            return v
        lost = values.get(key, 0) - read
        if lost:
            self.lost += lost
        values[key] = read + 1
        return read + 1

    def forget(self, key: int) -> None:
        self.values.pop(key, None)


class ClientCounts(CounterHome):
    """The client carries its count (the last answer it got) and sends it."""

    placement = CounterPlacement.CLIENT
    found = "client-count"

    def __init__(self, model: CounterModel) -> None:
        super().__init__(model)
        self.signed = False
        self.verify = 0.0
        self.sent = 0  # forged counts that reached a server's check
        self.accepted = 0
        self.rejected = 0

    def configure(self, config: Config) -> None:
        self.signed = config.counter.signed
        self.verify = config.state.token_verify_ms / 1000.0 if self.signed else 0.0

    def lookup(self, code: ErrorCode | None) -> str:
        return "client-forged" if code is TAMPERED else self.found

    def begin(self, req: Request, s: Server, now: float, processing: float) -> float | ErrorCode:
        if req.user.id in self.model.forgers:
            self.sent += 1
            if self.signed:
                self.rejected += 1
                return TAMPERED  # the signature does not match the count
            self.accepted += 1
        return self.verify

    def answer(self, req: Request, s: Server, key: int) -> int:
        uid = req.user.id
        sent = self.model.carried.get(uid, 0)
        if uid in self.model.forgers:
            sent += FORGERY
        return sent + 1


HOMES: tuple[type[CounterHome], ...] = (ServerCounts, StoreCounts, ClientCounts)
