"""What the realtime lesson shows of itself now (``Snapshot.lesson``, ``about_user``), and
the strip's live arithmetic: plain data and text for the window and the CLI, written by
the model (``realtime.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from visualizer.sim.config import RealtimeSection, Transport

SHORT, LONG = Transport.SHORT_POLL, Transport.LONG_POLL


@dataclass(frozen=True)
class ServerConnections:
    server: int  # index
    connections: int  # open WebSocket connections
    memory_mb: float  # what they hold
    held_polls: int  # long polls held there


@dataclass(frozen=True)
class RealtimeFacts:
    """The lesson now, for views (``Snapshot.lesson``)."""

    transport: str  # for new users
    poll_interval_s: float
    long_poll_timeout_s: float
    messages_per_min: float
    online_s: float
    connection_kb: float
    reconnect_jitter_s: float
    online: int  # users online now
    by_server: tuple[ServerConnections, ...]  # every live server
    connections: int
    connection_mb: float
    held_polls: int
    messages: int
    delivered: int
    polls: int
    empty_polls: int
    delivery_ms_mean: float  # NaN before the first delivery
    delivery_ms_p95: float
    bytes_total: int
    reconnects: int
    peak_reconnects_per_s: int


@dataclass(frozen=True)
class RealtimeUser:
    """What the lesson knows of one online user."""

    transport: str
    server: int | None  # WebSocket: the server holding the connection (None: none now)
    waiting: int  # messages waiting for them
    held: bool  # long polling: a poll of theirs is held at a server


# --- what `visualizer run` prints ------------------------------------------------------------


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """What ``visualizer run`` prints of the lesson."""
    r = summary["realtime"]
    rt = section_of(summary)
    polls = r["polls"]
    share = f" ({r['empty_polls'] / polls:.0%})" if polls else ""
    mean, p95 = r["delivery_ms_mean"], r["delivery_ms_p95"]
    delay = "—" if mean is None else f"mean {mean:,.0f} ms, p95 {p95:,.0f} ms"
    net = summary["config"]["network"]["latency_ms"]
    return [
        f"realtime  {describe(rt)}",
        f"          {r['messages']:>10,} messages  {r['delivered']:>10,} delivered   "
        f"delay {delay} ({delay_text(rt, net)})",
        f"          {polls:>10,} polls  {r['empty_polls']:>10,} empty{share} "
        f"({empty_text(rt)})   {r['bytes_total']:>14,} bytes",
        f"          peak {r['peak_connections']:,} connections, "
        f"{r['peak_connection_memory_mb']:,.1f} MB   "
        f"peak {r['peak_reconnects_per_s']:,} reconnects/s ({storm_text(rt)})",
    ]


def section_of(summary: dict[str, Any]) -> RealtimeSection:
    raw = dict(summary["config"]["realtime"])
    return RealtimeSection(**{**raw, "transport": Transport(raw["transport"])})


# --- the strip's live arithmetic (plain text for the window and the CLI) ----------------------


def describe(rt: RealtimeSection) -> str:
    """The transport in a few words."""
    if rt.transport is SHORT:
        return f"short polling every {_s(rt.poll_interval_s)}"
    if rt.transport is LONG:
        return f"long polling, held up to {_s(rt.long_poll_timeout_s)}"
    return f"WebSocket, {rt.connection_kb:,g} KB per connection"


def empty_share(rt: RealtimeSection) -> float:
    """Theory: the share of short polls (after the first) that find no message."""
    return math.exp(-rt.messages_per_min / 60.0 * rt.poll_interval_s)


def empty_text(rt: RealtimeSection) -> str:
    """E.g. ``empty polls = e^(−λT) = e^(−0.0167 × 5) = 92%``."""
    if rt.transport is not SHORT:
        return "a poll waits for a message" if rt.transport is LONG else "no polls"
    lam = rt.messages_per_min / 60.0
    share = empty_share(rt)
    return f"empty polls = e^(−λT) = e^(−{lam:.3g} × {rt.poll_interval_s:g}) = {share:.0%}"


def delay_text(rt: RealtimeSection, network_ms: float) -> str:
    """E.g. ``delay ≈ T/2 + network = 2.5 s + 40 ms``."""
    if rt.transport is SHORT:
        return f"delay ≈ T/2 + network = {_s(rt.poll_interval_s / 2)} + {network_ms:,g} ms"
    return f"delay ≈ network = {network_ms:,g} ms"


def connections_text(rt: RealtimeSection, users_per_s: float) -> str:
    """E.g. ``connections = arrivals × online time = 20/s × 300 s = 6,000``."""
    n = users_per_s * rt.online_s
    return (
        f"connections = arrivals × online time = {users_per_s:g}/s × {_s(rt.online_s)} = {n:,.0f}"
    )


def memory_text(rt: RealtimeSection, connections: float) -> str:
    """E.g. ``memory = connections × KB = 6,000 × 64 KB = 384 MB``."""
    mb = connections * rt.connection_kb / 1000.0
    kb = rt.connection_kb
    return f"memory = connections × KB = {connections:,.0f} × {kb:,g} KB = {mb:,.1f} MB"


def storm_text(rt: RealtimeSection) -> str:
    """E.g. ``peak reconnects ≈ N / jitter = N / 5 s``."""
    if rt.reconnect_jitter_s <= 0:
        return "jitter 0: a crashed server's N users reconnect in the same instant"
    return f"peak reconnects ≈ N / jitter = N / {_s(rt.reconnect_jitter_s)}"


def _s(seconds: float) -> str:
    return f"{seconds:,.0f} s" if seconds >= 10 else f"{seconds:,.3g} s"
