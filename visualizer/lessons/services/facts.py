"""What the services lesson shows of itself now (``Snapshot.lesson``), and the strip's
arithmetic: plain data and words, read by views and written by the model
(``services.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class TierFacts:
    """One domain service now."""

    name: str
    instances_up: int
    busy: int
    queued: int
    db_up: bool
    workers: int = 1  # per instance
    db_ms: float = 0.0  # a database round trip
    answered: int = 0  # requests it answered so far
    latency_ms: float = math.nan  # their mean time from forwarded to answered


@dataclass(frozen=True)
class ServicesFacts:
    """The lesson now, for views (``Snapshot.lesson``)."""

    tiers: tuple[TierFacts, ...]
    orders_created: int
    orders_failed: int
    queue_depth: int
    consumer_lag_s: float
    consumers: int
    consumer_up: bool
    consumer_capacity_per_s: float  # queue_consumers / consumer_service_ms
    notified: int
    order_rate_per_s: float  # expected: users/s × requests per user × order share
    outage_s: float  # seconds the consumers have been down now (up: the last outage)
    dropped: int = 0  # messages published to a full queue, lost
    queue_limit: int = 100_000  # messages the queue holds


#: Consumers less than this far behind are "up to date" (the headline's words; the
#: scoreboard's drain time ends there).
UP_TO_DATE_S = 1.0


def backlog_text(rate: float, outage_s: float) -> str:
    """The backlog arithmetic for the strip: ``backlog = order rate × outage``."""
    return (
        f"backlog = order rate × outage = {rate:.1f}/s × {outage_s:.0f} s = {rate * outage_s:,.0f}"
    )


def drain_text(capacity: float, rate: float) -> str:
    """The drain arithmetic: ``drain = capacity − rate``."""
    if capacity <= rate:
        return f"drain = capacity − rate = {capacity:.1f} − {rate:.1f} ≤ 0/s: it never drains"
    return f"drain = capacity − rate = {capacity:.1f} − {rate:.1f} = {capacity - rate:.1f}/s"
