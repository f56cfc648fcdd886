"""Scenario configuration: frozen dataclasses whose field metadata is the schema.

Every key has a default and a documented range, so a TOML file, a ``--set`` override
and a live UI change are all validated by the same code (``visualizer.sim.schema``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Mode(StrEnum):
    """Where a session's state lives."""

    TOKEN = "token"
    LOCAL = "local"
    SHARED = "shared"


class Lesson(StrEnum):
    """What a scenario teaches; each lesson is a model in the engine and its own views."""

    SESSIONS = "sessions"  # where session state lives, and what a crash does to it
    COUNTER = "counter"  # counters that disagree: on servers, in a store, on the client
    AUTH = "auth"  # signing in: server sessions vs JWTs, and revoking them
    REALTIME = "realtime"  # real-time updates: HTTP polling vs WebSocket
    SERVICES = "services"  # a stateless gateway in front of stateful services and a queue


class CounterScope(StrEnum):
    USER = "user"  # each user's own count (clicks on their button)
    GLOBAL = "global"  # one count for everybody (a like counter)


class CounterPlacement(StrEnum):
    SERVER = "server"  # each server counts in its own memory
    STORE = "store"  # one count in the shared store, a round trip per click
    CLIENT = "client"  # the client carries its count and sends it with every click


class CounterUpdate(StrEnum):
    ATOMIC = "atomic"  # the store increments in one step
    READ_MODIFY_WRITE = "read_modify_write"  # read, add one, write back: overlaps lose updates


class AuthMethod(StrEnum):
    SESSION = "session"  # a session id in a cookie, looked up in the store on every request
    JWT = "jwt"  # a signed token the servers check alone, valid until it expires


class Transport(StrEnum):
    SHORT_POLL = "short_poll"  # a request every poll interval, answered at once
    LONG_POLL = "long_poll"  # a request held at the server until a message or the timeout
    WEBSOCKET = "websocket"  # one long-lived connection per user; messages pushed at once


class Algorithm(StrEnum):
    ROUND_ROBIN = "round_robin"
    RANDOM = "random"
    LEAST_CONNECTIONS = "least_connections"
    HASH = "hash"


class ServiceDistribution(StrEnum):
    EXPONENTIAL = "exponential"
    CONSTANT = "constant"


class OnError(StrEnum):
    """What a user does after a failed request."""

    RELOGIN = "relogin"
    RETRY = "retry"
    ABANDON = "abandon"


class FaultAction(StrEnum):
    CRASH = "crash"
    RESTART = "restart"
    CRASH_STORE = "crash_store"
    RESTORE_STORE = "restore_store"
    ADD_SERVER = "add_server"
    REMOVE_SERVER = "remove_server"
    SET = "set"  # change a setting, e.g. key = "state.mode", value = "shared"


#: Upper bound on live servers (the window lays out 1-16; the engine allows more).
MAX_SERVERS = 64


def _key(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    doc: str = "",
    words: tuple[str, ...] | None = None,
    label: str = "",
    unit: str | None = None,
    decimals: int | None = None,
    special: str = "",
    choices: dict[str, str] | None = None,
) -> Any:
    """A setting: its default, allowed range (or, for a list of words in a string, the
    words allowed), a one-line meaning, and how people see it: ``label``, ``unit`` (by
    default read off the key's name: ``_ms``, ``_s``, ``_kb``, ...), ``decimals`` typed in
    a box, ``special`` words for its lowest value ("no cap" for 0) and words for each of
    its choices. Validation, the control panel, the dialogs, ``visualizer settings`` and
    the README's table all read this one spec (``schema.key_specs``)."""
    return field(
        default=default,
        metadata={
            "lo": lo,
            "hi": hi,
            "doc": doc,
            "words": words,
            "label": label,
            "unit": unit,
            "decimals": decimals,
            "special": special,
            "choices": choices,
        },
    )


#: The live plots, by name: a scenario's ``plots`` key picks the ones presenter mode shows.
PLOT_NAMES = ("lost", "errors", "memory", "latency", "requests")


@dataclass(frozen=True)
class ScenarioSection:
    name: str = _key("custom", doc="short identifier", label="Name")
    title: str = _key("Custom scenario", doc="one-line title", label="Title")
    description: str = _key("", doc="what the scenario shows", label="Description")
    seed: int = _key(1, lo=0, hi=2**63 - 1, doc="random seed", label="Seed")
    duration_s: float = _key(
        120.0, lo=0.001, hi=86_400.0, doc="simulated seconds for headless runs", label="Duration"
    )
    slide: int = _key(
        0, lo=0, hi=999, doc="place in the teaching order (0: not a slide)", label="Slide"
    )
    moment_s: float = _key(
        0.0,
        lo=0.0,
        hi=86_400.0,
        doc="the moment the slide shows its story (0: 5 s after the last scheduled fault, "
        "else the end; at most the duration)",
        label="Slide moment",
        special="automatic",
    )
    notes: str = _key("", doc="speaker notes, shown in presenter mode on N", label="Speaker notes")
    explanation: str = _key(
        "", doc="what the strip says while the settings are the scenario's", label="Explanation"
    )
    plots: str = _key(
        "lost errors",
        doc="the plots presenter mode shows, by name",
        words=PLOT_NAMES,
        label="Presenter plots",
    )
    lesson: Lesson = _key(Lesson.SESSIONS, doc="what the scenario teaches", label="Lesson")


@dataclass(frozen=True)
class TrafficSection:
    users_per_s: float = _key(
        10.0,
        lo=0.0,
        hi=10_000.0,
        doc="new users per second (Poisson)",
        label="New users",
        decimals=1,
    )
    requests_per_user: float = _key(
        6.0,
        lo=1.0,
        hi=10_000.0,
        doc="mean requests per user (geometric; 1 = one each)",
        label="Requests per user",
        decimals=1,
    )
    think_time_s: float = _key(
        2.0, lo=0.0, hi=3_600.0, doc="mean pause between requests", label="Think time", decimals=1
    )
    on_error: OnError = _key(
        OnError.RELOGIN,
        doc="what a user does after an error",
        label="After an error",
        choices={"relogin": "log in again", "retry": "retry", "abandon": "give up"},
    )
    logout_fraction: float = _key(
        0.3,
        lo=0.0,
        hi=1.0,
        doc="share of users who log out at the end",
        label="Log out",
        unit="",
        decimals=2,
    )
    max_retries: int = _key(
        3, lo=0, hi=100, doc="consecutive failures before a user gives up", label="Retries"
    )
    proxy_fraction: float = _key(
        0.0,
        lo=0.0,
        hi=1.0,
        doc="share of users behind one corporate proxy (one client IP)",
        label="Behind a proxy",
        unit="",
        decimals=2,
        special="none",
    )
    tamper_fraction: float = _key(
        0.0,
        lo=0.0,
        hi=1.0,
        doc="share of users whose client sends a forged count (counter)",
        label="Forging clients",
        unit="",
        decimals=2,
        special="none",
    )


@dataclass(frozen=True)
class BalancerSection:
    algorithm: Algorithm = _key(
        Algorithm.ROUND_ROBIN,
        doc="how a server is picked",
        label="Balancer",
        choices={
            "round_robin": "Round robin",
            "random": "Random",
            "least_connections": "Least connections",
            "hash": "Hash of client address",
        },
    )
    sticky: bool = _key(
        True, doc="pin each user to the server that first served them", label="Sticky sessions"
    )
    health_check_s: float = _key(
        5.0,
        lo=0.0,
        hi=3_600.0,
        doc="health-check period (0 = failures seen at once)",
        label="Health check",
        decimals=1,
        special="instant",
    )


@dataclass(frozen=True)
class ServersSection:
    count: int = _key(4, lo=1, hi=MAX_SERVERS, doc="servers at start", label="Servers")
    workers: int = _key(
        4, lo=1, hi=1_024, doc="concurrent requests per server", label="Workers", unit="/ server"
    )
    service_ms: float = _key(
        40.0, lo=0.001, hi=600_000.0, doc="mean processing time", label="Processing", decimals=1
    )
    service: ServiceDistribution = _key(
        ServiceDistribution.EXPONENTIAL,
        doc="processing-time distribution",
        label="Processing times",
        choices={"exponential": "exponential", "constant": "constant"},
    )
    memory_mb: float = _key(
        0.0,
        lo=0.0,
        hi=10_000_000.0,
        doc="session memory cap (0 = no cap)",
        label="Memory cap",
        decimals=0,
        special="no cap",
    )
    queue_limit: int = _key(
        1_000,
        lo=1,
        hi=100_000,
        doc="waiting requests per server; more fail with OVERLOADED",
        label="Queue limit",
    )


@dataclass(frozen=True)
class StateSection:
    mode: Mode = _key(
        Mode.LOCAL,
        doc="where new sessions live",
        label="State lives",
        choices={
            "local": "In server memory (stateful)",
            "shared": "In a shared store",
            "token": "In tokens the client carries (stateless)",
        },
    )
    session_kb: float = _key(
        50.0, lo=0.0, hi=1_000_000.0, doc="memory per session", label="Session size", decimals=0
    )
    ttl_s: float = _key(
        300.0,
        lo=0.001,
        hi=31_536_000.0,
        doc="idle time before a session expires",
        label="Session TTL",
        decimals=0,
    )
    token_verify_ms: float = _key(
        1.0, lo=0.0, hi=600_000.0, doc="token check per request", label="Token check", decimals=1
    )


@dataclass(frozen=True)
class StoreSection:
    latency_ms: float = _key(
        15.0, lo=0.0, hi=600_000.0, doc="shared-store round trip", label="Store latency", decimals=1
    )
    replicas: int = _key(
        0,
        lo=0,
        hi=9,
        doc="replicas that keep sessions through a store crash",
        label="Store replicas",
        special="none",
    )


@dataclass(frozen=True)
class NetworkSection:
    latency_ms: float = _key(
        0.0,
        lo=0.0,
        hi=600_000.0,
        doc="one-way client-to-server delay through the balancer",
        label="Network latency",
        decimals=1,
    )


@dataclass(frozen=True)
class CounterSection:
    """The counter lesson: where a click count lives and how it is updated."""

    scope: CounterScope = _key(
        CounterScope.USER,
        doc="whose count a click adds to",
        label="Count",
        choices={"user": "per user", "global": "global"},
    )
    placement: CounterPlacement = _key(
        CounterPlacement.SERVER,
        doc="where the count lives",
        label="Count lives",
        choices={
            "server": "on each server",
            "store": "in the shared store",
            "client": "on the client",
        },
    )
    update: CounterUpdate = _key(
        CounterUpdate.ATOMIC,
        doc="how the store adds a click",
        label="Store update",
        choices={"atomic": "atomic +1", "read_modify_write": "read + write"},
    )
    signed: bool = _key(
        False,
        doc="client-carried counts are signed: a forged one is refused",
        label="Signed counts",
    )


@dataclass(frozen=True)
class AuthSection:
    """The auth lesson: how a signed-in user proves it, and how a sign-in is revoked."""

    method: AuthMethod = _key(
        AuthMethod.SESSION,
        doc="server session or JWT",
        label="Sign-in",
        choices={"session": "server session", "jwt": "JWT"},
    )
    token_ttl_s: float = _key(
        900.0,
        lo=1.0,
        hi=31_536_000.0,
        doc="a JWT's life from its issue",
        label="Token life",
        decimals=0,
    )
    refresh: bool = _key(
        False, doc="short access tokens renewed by a refresh request", label="Refresh tokens"
    )
    access_ttl_s: float = _key(
        60.0,
        lo=1.0,
        hi=31_536_000.0,
        doc="an access token's life",
        label="Access token",
        decimals=0,
    )
    blocklist: bool = _key(
        False, doc="every request checks a revocation list in the store", label="Blocklist"
    )
    token_bytes: int = _key(
        800, lo=0, hi=1_000_000, doc="bytes a JWT adds to each request", label="JWT size"
    )
    cookie_bytes: int = _key(
        40, lo=0, hi=1_000_000, doc="bytes a session cookie adds", label="Cookie size"
    )
    revocations_per_min: float = _key(
        0.0,
        lo=0.0,
        hi=100_000.0,
        doc="active users revoked per minute (banned, reset)",
        label="Revocations",
        decimals=1,
        special="none",
    )


@dataclass(frozen=True)
class RealtimeSection:
    """The real-time lesson: how messages reach online users (polling or WebSocket)."""

    transport: Transport = _key(
        Transport.SHORT_POLL,
        doc="how clients get their messages",
        label="Transport",
        choices={
            "short_poll": "short polling",
            "long_poll": "long polling",
            "websocket": "WebSocket",
        },
    )
    poll_interval_s: float = _key(
        5.0,
        lo=0.01,
        hi=3_600.0,
        doc="short polling: seconds between polls",
        label="Poll every",
        decimals=2,
    )
    long_poll_timeout_s: float = _key(
        30.0,
        lo=0.01,
        hi=3_600.0,
        doc="long polling: how long the server holds an empty poll",
        label="Hold polls",
        decimals=2,
    )
    messages_per_min: float = _key(
        1.0,
        lo=0.0,
        hi=6_000.0,
        doc="messages per minute for each online user (Poisson)",
        label="Messages",
        decimals=1,
        special="none",
    )
    online_s: float = _key(
        300.0,
        lo=0.01,
        hi=86_400.0,
        doc="mean time a user stays online",
        label="Online for",
        decimals=2,
    )
    connection_kb: float = _key(
        64.0,
        lo=0.0,
        hi=1_000_000.0,
        doc="server memory per open WebSocket connection",
        label="Connection",
        decimals=0,
    )
    reconnect_jitter_s: float = _key(
        0.0,
        lo=0.0,
        hi=3_600.0,
        doc="dropped clients reconnect within this (0 = all at once)",
        label="Reconnect jitter",
        decimals=1,
        special="none",
    )
    header_bytes: int = _key(
        500,
        lo=0,
        hi=1_000_000,
        doc="bytes of HTTP headers per request and per response",
        label="Headers",
    )
    frame_bytes: int = _key(
        100, lo=0, hi=1_000_000, doc="bytes per message delivered", label="Frame"
    )


@dataclass(frozen=True)
class ServicesSection:
    """The services lesson: gateway instances (the fleet's servers) forward each request to
    one domain service (users, orders, inventory: instances × workers, FIFO, work + one
    database round trip); a created order is published to a queue that notification
    consumers work through (an eventually consistent view)."""

    order_share: float = _key(
        0.3,
        lo=0.0,
        hi=1.0,
        doc="share of requests that create an order",
        label="Orders",
        unit="",
        decimals=2,
    )
    users_share: float = _key(
        0.4,
        lo=0.0,
        hi=1.0,
        doc="share of requests for the users service (the rest: inventory)",
        label="Users calls",
        unit="",
        decimals=2,
    )
    users_instances: int = _key(
        2,
        lo=0,
        hi=64,
        doc="users service: instances running",
        label="Users instances",
        special="none",
    )
    users_workers: int = _key(
        4, lo=1, hi=10_000, doc="users service: workers per instance", label="Users workers"
    )
    users_service_ms: float = _key(
        5.0, lo=0.0, hi=600_000.0, doc="users service: mean work", label="Users work", decimals=1
    )
    users_db_ms: float = _key(
        2.0,
        lo=0.0,
        hi=600_000.0,
        doc="users service: database round trip",
        label="Users DB",
        decimals=1,
    )
    users_db_up: bool = _key(True, doc="users service: its database answers", label="Users DB up")
    orders_instances: int = _key(
        2,
        lo=0,
        hi=64,
        doc="orders service: instances running",
        label="Order instances",
        special="none",
    )
    orders_workers: int = _key(
        4, lo=1, hi=10_000, doc="orders service: workers per instance", label="Order workers"
    )
    orders_service_ms: float = _key(
        10.0, lo=0.0, hi=600_000.0, doc="orders service: mean work", label="Order work", decimals=1
    )
    orders_db_ms: float = _key(
        5.0,
        lo=0.0,
        hi=600_000.0,
        doc="orders service: database round trip",
        label="Orders DB",
        decimals=1,
    )
    orders_db_up: bool = _key(
        True, doc="orders service: its database answers", label="Orders DB up"
    )
    inventory_instances: int = _key(
        2,
        lo=0,
        hi=64,
        doc="inventory service: instances running",
        label="Inventory instances",
        special="none",
    )
    inventory_workers: int = _key(
        4, lo=1, hi=10_000, doc="inventory service: workers per instance", label="Inventory workers"
    )
    inventory_service_ms: float = _key(
        5.0,
        lo=0.0,
        hi=600_000.0,
        doc="inventory service: mean work",
        label="Inventory work",
        decimals=1,
    )
    inventory_db_ms: float = _key(
        2.0,
        lo=0.0,
        hi=600_000.0,
        doc="inventory service: database round trip",
        label="Inventory DB",
        decimals=1,
    )
    inventory_db_up: bool = _key(
        True, doc="inventory service: its database answers", label="Inventory DB up"
    )
    queue_consumers: int = _key(
        2,
        lo=0,
        hi=10_000,
        doc="notification consumers reading the queue",
        label="Consumers",
        special="none",
    )
    consumer_service_ms: float = _key(
        20.0,
        lo=0.001,
        hi=600_000.0,
        doc="mean work per message for a consumer",
        label="Per message",
        decimals=3,
    )
    consumer_up: bool = _key(True, doc="the notification consumers run", label="Consumer running")
    queue_limit: int = _key(
        100_000,
        lo=1,
        hi=10_000_000,
        doc="messages the notification queue holds (about 32 bytes each); "
        "a message published to a full queue is dropped and counted",
        label="Queue limit",
    )


@dataclass(frozen=True)
class Fault:
    """One scheduled command: ``action`` on ``target`` at ``at_s`` simulated seconds.

    It applies after everything else that happens at that instant, as a command given
    live from the window does, so a saved session replays exactly.
    """

    at_s: float
    action: FaultAction
    target: str | None = None
    key: str | None = None  # for action "set"
    value: Any = None
    #: for action "set" of several keys at one instant (``values = { ... }`` in a file):
    #: (dotted key, plain value) pairs in the settings' order; key and value stay None
    values: tuple[tuple[str, Any], ...] | None = None

    @property
    def changes(self) -> tuple[tuple[str, Any], ...]:
        """The (key, value) pairs a ``set`` changes, however the file wrote them."""
        if self.values is not None:
            return self.values
        return () if self.key is None else ((self.key, self.value),)


@dataclass(frozen=True)
class CompareSection:
    """Side B of a comparison (``[compare]``): the settings in which B differs from A,
    and the commands only one side was given. A and B share everything else: the seed,
    the duration, the scheduled faults and so the same users at the same moments."""

    changes: tuple[tuple[str, Any], ...] = ()  # (dotted key, plain value)
    only_a: tuple[Fault, ...] = ()
    only_b: tuple[Fault, ...] = ()


@dataclass(frozen=True)
class Config:
    scenario: ScenarioSection = field(default_factory=ScenarioSection)
    traffic: TrafficSection = field(default_factory=TrafficSection)
    balancer: BalancerSection = field(default_factory=BalancerSection)
    servers: ServersSection = field(default_factory=ServersSection)
    state: StateSection = field(default_factory=StateSection)
    store: StoreSection = field(default_factory=StoreSection)
    network: NetworkSection = field(default_factory=NetworkSection)
    counter: CounterSection = field(default_factory=CounterSection)
    auth: AuthSection = field(default_factory=AuthSection)
    realtime: RealtimeSection = field(default_factory=RealtimeSection)
    services: ServicesSection = field(default_factory=ServicesSection)
    faults: tuple[Fault, ...] = ()
    compare: CompareSection | None = None  # a comparison opens with B beside A

    def get(self, key: str) -> Any:
        """Value of a dotted key such as ``"state.mode"``."""
        section, name = key.split(".", 1)
        return getattr(getattr(self, section), name)

    def uses(self, section: str) -> bool:
        """Whether ``section`` matters to this scenario's lesson (a lesson's own section
        is written to files only by scenarios of that lesson)."""
        lesson = LESSON_SECTIONS.get(section)
        return lesson is None or lesson is self.scenario.lesson

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON- and TOML-friendly dict (enums as their strings)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in _NOT_SECTIONS or not self.uses(f.name):
                continue
            section = getattr(self, f.name)
            out[f.name] = {k: _plain(v) for k, v in dataclasses.asdict(section).items()}
        out["faults"] = [_fault_dict(fault) for fault in self.faults]
        if self.compare is not None:
            out["compare"] = _compare_dict(self.compare)
        return out


def _fault_dict(fault: Fault) -> dict[str, Any]:
    out = {k: _plain(v) for k, v in dataclasses.asdict(fault).items() if v is not None}
    if fault.values is not None:  # a table of the keys it sets, as the file writes it
        out["values"] = {key: _plain(value) for key, value in fault.values}
    return out


def _compare_dict(compare: CompareSection) -> dict[str, Any]:
    """``[compare]`` as TOML reads it: changes nested by section, then the one-side faults."""
    out: dict[str, Any] = {}
    for key, value in compare.changes:
        section, name = key.split(".", 1)
        out.setdefault(section, {})[name] = _plain(value)
    for side in ("only_a", "only_b"):
        faults = getattr(compare, side)
        if faults:
            out[side] = [_fault_dict(f) for f in faults]
    return out


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


#: Sections that belong to one lesson.
LESSON_SECTIONS: dict[str, Lesson] = {
    "counter": Lesson.COUNTER,
    "auth": Lesson.AUTH,
    "realtime": Lesson.REALTIME,
    "services": Lesson.SERVICES,
}

#: Sections that hold plain keys (everything but ``faults``), in file order.
_NOT_SECTIONS = ("faults", "compare")
SECTIONS: dict[str, type] = {
    f.name: f.default_factory  # type: ignore[misc]
    for f in dataclasses.fields(Config)
    if f.name not in _NOT_SECTIONS
}
