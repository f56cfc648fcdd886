"""Request traces as JSON Lines (``visualizer run --trace``): one object per request, with
short stable strings a script can count on (the README documents every value)."""

from __future__ import annotations

from typing import Any

from visualizer.sim.records import RequestKind, RequestTrace
from visualizer.sim.routing.strategies import describe

KINDS = {RequestKind.LOGIN: "login", RequestKind.ACTION: "action", RequestKind.LOGOUT: "logout"}


def _name(index: int) -> str | None:
    return None if index < 0 else f"server-{index + 1}"


def trace_record(t: RequestTrace) -> dict[str, Any]:
    """One line of the trace file."""
    return {
        "id": t.id,
        "user": t.user,
        "kind": KINDS[t.kind],
        "t_sent": round(t.t_sent, 6),
        "server": _name(t.server),
        "route": t.route.how,
        "route_detail": describe(t.route),
        "candidates": [_name(i) for i in t.route.candidates],
        "lookup": t.lookup,
        "outcome": t.outcome,
        "latency_ms": round(t.latency * 1000.0, 3),
        "parts_ms": {
            "network": round(t.network * 1000.0, 3),
            "queue": round(t.queue * 1000.0, 3),
            "processing": round(t.processing * 1000.0, 3),
            "state": round(t.state * 1000.0, 3),
        },
    }
