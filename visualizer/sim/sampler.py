"""The per-second sample (what the plots and the CSV show) and the run's peaks."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import simpy
from simpy.events import Timeout

from visualizer.sim.metrics import (
    ERROR_CODES,
    LOSS_CAUSES,
    LatencyHistogram,
    Sample,
    ServerSample,
    Totals,
    window_quantiles,
)
from visualizer.sim.records import EventKind

if TYPE_CHECKING:
    from visualizer.sim.fleet import Fleet
    from visualizer.sim.journal import Journal
    from visualizer.sim.lessons.base import LessonModel
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import RequestPath
    from visualizer.sim.state.keeper import SessionKeeper

#: Seconds of completed requests behind the live p50/p95/p99.
LATENCY_WINDOW_S = 5
SAMPLED = int(EventKind.SAMPLED)  # event rows hold plain values (see ``records.Row``)
#: The figures of a server removed before the previous sample: it holds nothing, does
#: nothing and never comes back (one shared row, so a second costs what the servers that
#: exist cost, however many names a long run has used).
GONE = ServerSample(
    sessions=0,
    memory_mb=0.0,
    queue=0,
    busy=0,
    served=0,
    failed=0,
    utilization=0.0,
    up=False,
    in_rotation=False,
    live=False,
)


class Sampler:
    """Every simulated second: sweep idle sessions, measure, keep the sample."""

    def __init__(
        self,
        env: simpy.Environment,
        totals: Totals,
        journal: Journal,
        fleet: Fleet,
        keeper: SessionKeeper,
        requests: RequestPath,
        lesson: LessonModel,
        history_s: int,
        on_sample: Callable[[Sample], None] | None,
    ) -> None:
        self.env = env
        self.totals = totals
        self.fleet = fleet
        self.keeper = keeper
        self.requests = requests
        self.lesson = lesson
        self._events = journal.events
        self.samples: deque[Sample] = deque(maxlen=history_s)
        self.on_sample = on_sample
        self._window: deque[np.ndarray] = deque(maxlen=LATENCY_WINDOW_S)
        # by server index: served, failed and busy area at the last sample (servers that
        # exist, and those removed since it)
        self._prev: dict[int, tuple[int, int, float]] = {}
        self._prev_totals = (0, 0, 0, (0,) * len(ERROR_CODES))  # sent, ok, failed, by code
        self._last_sample_t = 0.0

    def __getstate__(self) -> dict[str, object]:
        """A copy (checkpoint, fork) keeps no history and calls nobody back."""
        state = self.__dict__.copy()
        state["samples"] = deque(list(self.samples)[-1:], maxlen=self.samples.maxlen)
        state["on_sample"] = None
        return state

    def start(self) -> None:
        Timeout(self.env, 1.0).callbacks.append(self._on_sample)

    def _on_sample(self, ev: Timeout) -> None:
        now = self.env._now
        dt = now - self._last_sample_t
        self._last_sample_t = now
        keeper = self.keeper
        kb_mb = keeper.kb / 1000.0
        lesson = self.lesson
        totals = self.totals
        fleet = self.fleet
        store = fleet.store
        # the servers that exist, and those stopped since the last sample (their last
        # second); every other server ever created was removed before: ``GONE``
        measured = fleet.existing()
        gone = fleet.removed_lately
        if gone:
            measured = sorted([*measured, *gone], key=_index)
            fleet.removed_lately = []
        rows = [GONE] * len(fleet.servers)
        prev = self._prev
        peak_sessions = totals.peak_sessions_by_server
        peak_memory = totals.peak_memory_by_server
        sessions = 0
        memory_total = 0.0
        for s in measured:
            i = s.index
            keeper.sweep(s.sessions)
            served0, failed0, area0 = prev.get(i, (0, 0, 0.0))
            area = s.busy_area_at(now)
            prev[i] = (s.served, s.failed, area)
            n = len(s.sessions)
            memory = n * kb_mb + lesson.memory_mb(i)
            util = (area - area0) / (s.workers * dt) if dt > 0 else 0.0
            row = ServerSample(
                sessions=n,
                memory_mb=memory,
                queue=len(s.queue),
                busy=s.busy,
                served=s.served - served0,
                failed=s.failed - failed0,
                utilization=min(1.0, util),
                up=s.up,
                in_rotation=s.in_rotation,
                live=s.live,
            )
            # (a server added and removed within the second did nothing: one shared row)
            rows[i] = GONE if s.removed and row == GONE else row
            sessions += n
            memory_total += memory
            if n > peak_sessions.get(i, 0):
                peak_sessions[i] = n
            if memory > peak_memory.get(i, 0.0):
                peak_memory[i] = memory
        keeper.sweep(store.sessions)
        keeper.sweep(keeper.tokens)
        second = np.asarray(self.requests.sec_latency, dtype=np.float64)
        self.requests.sec_latency = []
        totals.latency.add_many(second)
        self._window.append(second)
        window = np.concatenate(self._window)
        p50, p95, p99 = (q * 1000.0 for q in window_quantiles(window, (0.5, 0.95, 0.99)))
        by_code = tuple(totals.by_code[c] for c in ERROR_CODES)
        sent0, ok0, failed0, by_code0 = self._prev_totals
        self._prev_totals = (totals.sent, totals.ok, totals.failed, by_code)
        store_n = len(store.sessions)
        tokens = len(keeper.tokens)
        active = sessions + store_n + tokens
        store_mb = store_n * kb_mb
        sample = Sample(
            t=now,
            servers=tuple(rows),
            store_sessions=store_n,
            store_memory_mb=store_mb,
            store_up=store.up,
            token_sessions=tokens,
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
            lesson=self.lesson.sample(),
        )
        totals.peak_active = max(totals.peak_active, active)
        totals.peak_store_mb = max(totals.peak_store_mb, store_mb)
        # = sample.memory_mb, without a walk over every server ever created (the rows
        # left out are GONE's 0.0, which adds nothing to a sum)
        totals.peak_total_mb = max(totals.peak_total_mb, memory_total + store_mb)
        for s in gone:  # its last figures are taken: nothing of it changes any more
            del prev[s.index]
        self.samples.append(sample)
        if self._events is not None:
            self._events.append((now, SAMPLED, 0, 0, -1, None))
        if self.on_sample is not None:
            self.on_sample(sample)
        Timeout(self.env, 1.0).callbacks.append(self._on_sample)

    def run_latency(self) -> LatencyHistogram:
        """Latencies of every successful request so far (including the current second)."""
        merged = LatencyHistogram()
        merged.merge(self.totals.latency)
        merged.add_many(self.requests.sec_latency)
        return merged


def _index(s: Server) -> int:
    return s.index
