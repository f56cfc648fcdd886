"""A setting's value in a few words, from its one spec (``schema.key_specs``).

What a plot's marker line says ("sticky off", "6 servers"), what a compare side's title
lists ("store 15 ms"), and the caption presenter mode shows when it changes
("sticky sessions off: any request, any server"): one place for all three, fed by typed
markers (a key and a value), never by reading a label back. No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from visualizer.sim.records import RouteDecision
from visualizer.sim.routing.strategies import describe
from visualizer.sim.schema import key_specs


def _n(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


#: Short words for a value, where the spec's label and unit would say it less well.
_SHORT: dict[str, Callable[[Any], str]] = {
    "traffic.users_per_s": lambda v: f"{_n(v)} users/s",
    "traffic.requests_per_user": lambda v: f"{_n(v)} requests per user",
    "traffic.think_time_s": lambda v: f"think {_n(v)} s",
    "traffic.on_error": lambda v: f"on error {v}",
    "traffic.logout_fraction": lambda v: f"{v:.0%} log out",
    "traffic.proxy_fraction": lambda v: f"{v:.0%} behind proxies",
    "traffic.tamper_fraction": lambda v: f"{v:.0%} forging clients",
    "balancer.sticky": lambda v: "sticky on" if v else "sticky off",
    "balancer.algorithm": lambda v: {
        "round_robin": "round robin",
        "least_connections": "least conn.",
    }.get(v, str(v).replace("_", " ")),
    "balancer.health_check_s": lambda v: f"health check {_n(v)} s" if v else "no health check",
    "servers.count": lambda v: f"{v} servers",
    "servers.workers": lambda v: f"{v} workers",
    "servers.service_ms": lambda v: f"service {_n(v)} ms",
    "servers.memory_mb": lambda v: f"memory cap {_n(v)} MB" if v else "no memory cap",
    "state.session_kb": lambda v: f"sessions {_n(v)} KB",
    "state.ttl_s": lambda v: f"TTL {_n(v)} s",
    "state.token_verify_ms": lambda v: f"token check {_n(v)} ms",
    "store.latency_ms": lambda v: f"store {_n(v)} ms",
    "store.replicas": lambda v: f"{v} replicas",
    "network.latency_ms": lambda v: f"network {_n(v)} ms",
    "counter.scope": lambda v: "per-user counts" if v == "user" else "one global count",
    "counter.update": lambda v: "atomic +1" if v == "atomic" else "read + write",
    "counter.signed": lambda v: "signed" if v else "unsigned",
    "auth.token_ttl_s": lambda v: f"token life {_n(v)} s",
    "auth.refresh": lambda v: "refresh tokens" if v else "no refresh",
    "auth.access_ttl_s": lambda v: f"access token {_n(v)} s",
    "auth.revocations_per_min": lambda v: f"{_n(v)} revocations/min",
    "auth.token_bytes": lambda v: f"JWT {_n(v)} B",
    "auth.cookie_bytes": lambda v: f"cookie {_n(v)} B",
    "realtime.poll_interval_s": lambda v: f"poll every {_n(v)} s",
    "realtime.long_poll_timeout_s": lambda v: f"hold polls {_n(v)} s",
    "realtime.messages_per_min": lambda v: f"{_n(v)} messages/min",
    "realtime.online_s": lambda v: f"online {_n(v)} s",
    "realtime.connection_kb": lambda v: f"{_n(v)} KB per connection",
    "realtime.reconnect_jitter_s": lambda v: f"jitter {_n(v)} s" if v else "no jitter",
    "realtime.header_bytes": lambda v: f"headers {_n(v)} B",
    "realtime.frame_bytes": lambda v: f"frames {_n(v)} B",
    "services.order_share": lambda v: f"{v:.0%} orders",
    "services.users_share": lambda v: f"{v:.0%} to users",
    "services.queue_consumers": lambda v: f"{v} consumer" + ("" if v == 1 else "s"),
    "services.consumer_service_ms": lambda v: f"{_n(v)} ms per message",
    "services.consumer_up": lambda v: "consumers running" if v else "consumers stopped",
}
for _svc in ("users", "orders", "inventory"):
    _SHORT |= {
        f"services.{_svc}_instances": lambda v, s=_svc: f"{v} {s} instances",
        f"services.{_svc}_workers": lambda v, s=_svc: f"{v} {s} workers",
        f"services.{_svc}_service_ms": lambda v, s=_svc: f"{s} {_n(v)} ms",
        f"services.{_svc}_db_ms": lambda v, s=_svc: f"{s} database {_n(v)} ms",
        f"services.{_svc}_db_up": lambda v, s=_svc: f"{s} database " + ("up" if v else "down"),
    }

#: Where state lives, as a marker says it (back to server memory: from the store or from
#: tokens, by the value before).
_MODE = {"shared": "store on", "token": "tokens"}
_MODE_BACK = {"shared": "store off", "token": "stateful"}


def short(key: str, value: Any, before: Any = None) -> str:
    """A few words for ``key`` = ``value`` ("sticky off", "6 servers", "TTL 300 s");
    ``before`` is the value it had, where that changes the words (state.mode)."""
    value = getattr(value, "value", value)
    if key == "state.mode":
        return _MODE.get(value) or _MODE_BACK.get(getattr(before, "value", before), "in memory")
    words = _SHORT.get(key)
    if words is not None:
        return words(value)
    spec = key_specs()[key]
    return f"{spec.label.lower()} {said(key, value)}"


def said(key: str, value: Any) -> str:
    """The value as the spec says it: a choice's words, on / off, a number and its unit."""
    spec = key_specs()[key]
    value = getattr(value, "value", value)
    if spec.kind == "bool":
        return "on" if value else "off"
    if spec.kind == "choice":
        return spec.words_for(value)
    if spec.kind in ("int", "float"):
        return f"{_n(value)} {spec.unit}".strip()
    return str(value)


#: What presenter mode's caption says for the design changes a room must notice.
_CAPTIONS = {
    ("state.mode", "token"): "stateless: new sessions travel in signed tokens",
    ("state.mode", "local"): "stateful: new sessions live in server memory",
    ("state.mode", "shared"): "new sessions live in the shared store",
    ("balancer.sticky", True): "sticky sessions on: each user pinned to one server",
    ("balancer.sticky", False): "sticky sessions off: any request, any server",
}


def caption(key: str, value: Any) -> str:
    """The caption of a setting's change ("Consumer running → off"), in the spec's words."""
    value = getattr(value, "value", value)
    known = _CAPTIONS.get((key, value))
    if known is not None:
        return known
    return f"{key_specs()[key].label} → {said(key, value)}"


def route_words(decision: RouteDecision) -> str:
    """Why a request went where it went, in words (each strategy says its own reason):
    the inspector's and the event log's "Route" line."""
    return describe(decision)
