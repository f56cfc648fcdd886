"""Counters, latency histograms and the per-second samples the plots and CSV read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from visualizer.sim.records import ErrorCode, LossCause

# Log-spaced latency bins 0.5% wide from 1 µs to ~1 day; each bin keeps its sum too, so a
# quantile is the mean of the values in its bin (exact when service times are constant).
_BIN_GROWTH = 1.005
_MIN_S = 1e-6
_NBINS = int(math.log(1e5 / _MIN_S) / math.log(_BIN_GROWTH)) + 2
NAN = float("nan")


class LatencyHistogram:
    """Whole-run latency distribution in bounded memory; filled in batches with numpy."""

    __slots__ = ("counts", "sums")

    def __init__(self) -> None:
        self.counts = np.zeros(_NBINS, dtype=np.int64)
        self.sums = np.zeros(_NBINS, dtype=np.float64)

    def add_many(self, seconds: list[float] | np.ndarray) -> None:
        values = np.asarray(seconds, dtype=np.float64)
        if values.size == 0:
            return
        bins = np.log(np.maximum(values, _MIN_S) / _MIN_S) / math.log(_BIN_GROWTH)
        idx = np.minimum(bins.astype(np.int64), _NBINS - 1)
        self.counts += np.bincount(idx, minlength=_NBINS)
        self.sums += np.bincount(idx, weights=values, minlength=_NBINS)

    def merge(self, other: LatencyHistogram) -> None:
        self.counts += other.counts
        self.sums += other.sums

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def quantiles(self, qs: tuple[float, ...]) -> tuple[float, ...]:
        """Nearest-rank quantiles in seconds (NaN when empty)."""
        n = self.total
        if n == 0:
            return tuple(NAN for _ in qs)
        cumulative = np.cumsum(self.counts)
        out = []
        for q in qs:
            rank = max(1, math.ceil(q * n))
            b = int(np.searchsorted(cumulative, rank))
            out.append(float(self.sums[b] / self.counts[b]))
        return tuple(out)


def window_quantiles(values: np.ndarray, qs: tuple[float, ...]) -> tuple[float, ...]:
    """Exact nearest-rank quantiles of a small array (NaN when empty)."""
    if values.size == 0:
        return tuple(NAN for _ in qs)
    return tuple(float(v) for v in np.quantile(values, qs, method="inverted_cdf"))


@dataclass(frozen=True, slots=True)
class ServerSample:
    sessions: int
    memory_mb: float
    queue: int
    busy: int
    served: int  # in the last second
    failed: int  # in the last second
    utilization: float  # busy worker-seconds / available worker-seconds, last second
    up: bool
    in_rotation: bool
    live: bool  # still part of the fleet (not removed)


@dataclass(frozen=True, slots=True)
class Sample:
    """Everything measured over one simulated second, taken at its end ``t``."""

    t: float
    servers: tuple[ServerSample, ...]
    store_sessions: int
    store_memory_mb: float
    store_up: bool
    token_sessions: int
    sent: int  # requests sent in the last second
    ok: int
    failed: int
    errors: tuple[int, ...]  # last second, in ErrorCode order
    lost: tuple[int, ...]  # cumulative sessions lost, in LossCause order
    p50_ms: float  # over the rolling latency window
    p95_ms: float
    p99_ms: float
    active_sessions: int
    in_flight: int
    lesson: tuple[float, ...] = ()  # the lesson's own figures (its model's ``figures``)

    @property
    def memory_mb(self) -> float:
        return sum(s.memory_mb for s in self.servers) + self.store_memory_mb


ERROR_CODES: tuple[ErrorCode, ...] = tuple(ErrorCode)
LOSS_CAUSES: tuple[LossCause, ...] = tuple(LossCause)


class Totals:
    """Whole-run counters behind the summary JSON."""

    __slots__ = (
        "abandoned",
        "arrived",
        "by_code",
        "completed",
        "failed",
        "in_flight",
        "latency",
        "latency_sum",
        "lost_by_cause",
        "ok",
        "peak_active",
        "peak_memory_by_server",
        "peak_sessions_by_server",
        "peak_store_mb",
        "peak_total_mb",
        "relogins",
        "sent",
        "sessions_created",
    )

    def __init__(self) -> None:
        self.sent = 0
        self.ok = 0
        self.failed = 0
        self.in_flight = 0
        self.by_code: dict[ErrorCode, int] = dict.fromkeys(ERROR_CODES, 0)
        self.latency_sum = 0.0  # seconds, successful requests
        self.latency = LatencyHistogram()  # merged once per second
        self.sessions_created = 0
        self.lost_by_cause: dict[LossCause, int] = dict.fromkeys(LOSS_CAUSES, 0)
        self.peak_active = 0
        self.peak_total_mb = 0.0
        self.peak_store_mb = 0.0
        self.peak_memory_by_server: dict[int, float] = {}
        self.peak_sessions_by_server: dict[int, int] = {}
        self.arrived = 0
        self.completed = 0
        self.abandoned = 0
        self.relogins = 0
