"""What the realtime lesson shows of itself now (``Snapshot.lesson``, ``about_user``), and
the strip's live arithmetic: plain data and text for the window and the CLI, written by
the model (``realtime.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from visualizer.lessons.realtime.settings import RealtimeSection, Transport

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
    check = summary["config"]["balancer"]["health_check_s"]
    return [
        f"realtime  {describe(rt)}",
        f"          {r['messages']:>10,} messages  {r['delivered']:>10,} delivered   "
        f"delay {delay} ({delay_text(rt, net)})",
        f"          {polls:>10,} polls  {r['empty_polls']:>10,} empty{share} "
        f"({empty_text(rt)})   {r['bytes_total']:>14,} bytes",
        f"          peak {r['peak_connections']:,} connections, "
        f"{r['peak_connection_memory_mb']:,.1f} MB   "
        f"peak {r['peak_reconnects_per_s']:,} reconnects/s ({storm_text(rt, check)})",
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


#: After this many mean online times the run holds its long-run number of connections
#: (within 1%: e^-5 < 0.7%).
STEADY_ONLINE_TIMES = 5.0


def expected_connections(users_per_s: float, online_s: float, t: float) -> float:
    """Connections open at ``t`` on average, starting from none: users arrive at
    ``users_per_s`` and stay an exponential time of mean ``online_s`` (M/M/∞), so
    λT(1 − e^(−t/T)); λT (Little's law) only once t is several T."""
    return users_per_s * online_s * -math.expm1(-t / online_s)


def connections_text(rt: RealtimeSection, users_per_s: float, t: float = math.inf) -> str:
    """E.g. ``connections = arrivals × online time = 20/s × 300 s = 6,000`` in the long
    run; before it, at ``t``, what that number has grown to:
    ``connections = 20/s × 300 s × (1 − e^(−t/300 s)) = 3,793 at 300 s (long run 6,000)``."""
    n = users_per_s * rt.online_s
    if t >= STEADY_ONLINE_TIMES * rt.online_s:
        return (
            f"connections = arrivals × online time = {users_per_s:g}/s × {_s(rt.online_s)}"
            f" = {n:,.0f}"
        )
    now = expected_connections(users_per_s, rt.online_s, t)
    return (
        f"connections = {users_per_s:g}/s × {_s(rt.online_s)} × (1 − e^(−t/{_s(rt.online_s)}))"
        f" = {now:,.0f} at {_s(t)} (long run {n:,.0f})"
    )


def memory_text(rt: RealtimeSection, connections: float) -> str:
    """E.g. ``memory = connections × KB = 6,000 × 64 KB = 384 MB``."""
    mb = connections * rt.connection_kb / 1000.0
    kb = rt.connection_kb
    return f"memory = connections × KB = {connections:,.0f} × {kb:,g} KB = {mb:,.1f} MB"


def busiest_second(jitter_s: float) -> float:
    """c in ``busiest second ≈ N/J + c·√(N/J)``. A crash's N reconnects fall uniformly
    over J seconds: each whole second of the storm gets ~ Binomial(N, 1/J), mean N/J and
    sd √(N/J · (1 − 1/J)), and the busiest of the k = ⌈J⌉ − 1 whole seconds (a crash
    between two samples leaves two part-seconds at the ends) is their expected maximum:
    N/J + z_k·√(1 − 1/J)·√(N/J), z_k the mean of the largest of k standard normals
    (1.35 for k = 7: +7% over N/J at N = 2,000, J = 8 s)."""
    if jitter_s <= 1.0:
        return 0.0
    return _largest_normal(max(1, math.ceil(jitter_s) - 1)) * math.sqrt(1.0 - 1.0 / jitter_s)


def _largest_normal(k: int, points: int = 600) -> float:
    """E[max of k standard normals] = ∫ x·k·φ(x)·Φ(x)^(k−1) dx (Simpson's rule)."""
    if k <= 1:
        return 0.0
    low, h = -9.0, 18.0 / points
    total = 0.0
    for i in range(points + 1):
        x = low + i * h
        phi = math.exp(-x * x / 2.0) / math.sqrt(2.0 * math.pi)
        cdf = 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))
        weight = 1 if i in (0, points) else 4 if i % 2 else 2
        total += weight * x * k * phi * cdf ** (k - 1)
    return total * h / 3.0


def storm_text(rt: RealtimeSection, health_check_s: float = 0.0) -> str:
    """E.g. ``peak reconnects ≈ N/J + 1.26√(N/J), J = 8 s``: the busiest second of a
    crash's N reconnects (see ``busiest_second``). It holds when the balancer stops
    routing to the crashed server at once (``health_check_s = 0``); until a health check
    finds it, reconnects routed to it fail and come back after ``RETRY_S`` plus the
    jitter (round robin over c servers: about 1 in c, retried), so there are more: the
    text then adds ``+ retries (health check)``. Short enough for one line of the strip
    at 1280×720 without a health check."""
    jitter = rt.reconnect_jitter_s
    checked = health_check_s > 0
    retries = " + retries (health check)"
    if jitter <= 0:
        if checked:
            return "jitter 0: N reconnect at once" + retries
        return "jitter 0: a crashed server's N users reconnect in the same instant"
    if jitter <= 1.0:  # within one or two of the seconds counted
        text = f"peak reconnects = N/2 to N: all within J = {_s(jitter)}"
        return text + retries if checked else text
    peak = f"peak reconnects ≈ N/J + {busiest_second(jitter):.2f}√(N/J)"
    return peak + retries if checked else f"{peak}, J = {_s(jitter)}"


def _s(seconds: float) -> str:
    return f"{seconds:,.0f} s" if seconds >= 10 else f"{seconds:,.3g} s"
