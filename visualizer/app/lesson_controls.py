"""What the control panel offers for each lesson: its three big toggles and its settings.

A lesson adds a ``LessonControls`` here, not branches in the panel: the panel shows the
toggles and rows the current lesson names, and a toggle turned on or off becomes the
setting changes its spec gives. Keys T, S and R press the three toggles of any lesson.
Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from visualizer.sim.config import (
    AuthMethod,
    Config,
    CounterPlacement,
    Lesson,
    Mode,
    Transport,
)

Changes = Mapping[str, Any]


@dataclass(frozen=True)
class ToggleSpec:
    """One big on/off switch: its key, its words, how the run's settings say whether it
    is on, and the settings that turning it on or off changes."""

    letter: str  # the keyboard key that presses it: "T", "S" or "R"
    title: str
    on_text: Callable[[Config], str]
    off_text: str
    is_on: Callable[[Config], bool]
    changes: Callable[[Config, bool], Changes]


@dataclass(frozen=True)
class LessonControls:
    heading: str  # the toggles' box: the lesson's question
    toggles: tuple[ToggleSpec, ToggleSpec, ToggleSpec]  # pressed by T, S and R
    fields: tuple[str, ...]  # the settings offered, as scenario keys, in panel order
    #: what the toggles set, as settings a dialog offers as lists (Compare…)
    design: tuple[str, ...] = ()

    def toggle(self, letter: str) -> ToggleSpec:
        return next(t for t in self.toggles if t.letter == letter)

    def flip(self, letter: str, config: Config) -> Changes:
        """The settings pressing ``letter`` changes in ``config``."""
        spec = self.toggle(letter)
        return spec.changes(config, not spec.is_on(config))


def _text(words: str) -> Callable[[Config], str]:
    return lambda _config: words


STICKY = ToggleSpec(
    "S",
    "Sticky",
    _text("a user stays on one server"),
    "any server, any time",
    lambda c: c.balancer.sticky,
    lambda _c, on: {"balancer.sticky": on},
)

#: Settings every lesson offers (the fleet, the traffic, the store, the balancer).
_FLEET = ("servers.count", "servers.workers", "traffic.users_per_s")
_STORE = ("store.latency_ms", "store.replicas", "balancer.health_check_s")

SESSIONS = LessonControls(
    "Where does state live?",
    (
        ToggleSpec(
            "T",
            "Stateful",
            lambda c: (
                "sessions in the store"
                if c.state.mode is Mode.SHARED
                else "sessions on the servers"
            ),
            "tokens carry the state",
            lambda c: c.state.mode is not Mode.TOKEN,
            lambda _c, on: {"state.mode": (Mode.LOCAL if on else Mode.TOKEN).value},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Shared store",
            _text("sessions in a shared store"),
            "no shared store",
            lambda c: c.state.mode is Mode.SHARED,
            lambda _c, on: {"state.mode": (Mode.SHARED if on else Mode.LOCAL).value},
        ),
    ),
    (
        *_FLEET,
        "state.session_kb",
        "servers.memory_mb",
        "state.ttl_s",
        *_STORE,
    ),
    ("state.mode", "balancer.sticky"),
)

_PLACE_WORDS = {
    CounterPlacement.SERVER: "each server counts alone",
    CounterPlacement.STORE: "the servers ask the store",
}

COUNTER = LessonControls(
    "Where does the count live?",
    (
        ToggleSpec(
            "T",
            "Stateful",
            lambda c: _PLACE_WORDS.get(c.counter.placement, ""),
            "the client carries its count",
            lambda c: c.counter.placement is not CounterPlacement.CLIENT,
            lambda _c, on: {
                "counter.placement": (
                    CounterPlacement.SERVER if on else CounterPlacement.CLIENT
                ).value
            },
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Shared store",
            _text("one count in the store"),
            "no shared store",
            lambda c: c.counter.placement is CounterPlacement.STORE,
            lambda _c, on: {
                "counter.placement": (
                    CounterPlacement.STORE if on else CounterPlacement.SERVER
                ).value
            },
        ),
    ),
    (
        *_FLEET,
        "counter.scope",
        "counter.update",
        "counter.signed",
        "traffic.tamper_fraction",
        *_STORE,
    ),
    ("counter.placement", "balancer.sticky"),
)

AUTH = LessonControls(
    "How do users sign in?",
    (
        ToggleSpec(
            "T",
            "Server sessions",
            _text("a session id, looked up every request"),
            "a signed JWT, checked alone",
            lambda c: c.auth.method is AuthMethod.SESSION,
            lambda _c, on: {"auth.method": (AuthMethod.SESSION if on else AuthMethod.JWT).value},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Blocklist",
            _text("every request checks the store"),
            "no revocation check",
            lambda c: c.auth.blocklist,
            lambda _c, on: {"auth.blocklist": on},
        ),
    ),
    (
        *_FLEET,
        "auth.token_ttl_s",
        "auth.refresh",
        "auth.access_ttl_s",
        "auth.revocations_per_min",
        "auth.token_bytes",
        "auth.cookie_bytes",
        *_STORE,
    ),
    ("auth.method", "auth.blocklist", "balancer.sticky"),
)

_WS, _LONG, _SHORT = Transport.WEBSOCKET, Transport.LONG_POLL, Transport.SHORT_POLL

REALTIME = LessonControls(
    "How do messages arrive?",
    (
        ToggleSpec(
            "T",
            "WebSocket",
            _text("messages pushed at once"),
            "clients poll over plain HTTP",
            lambda c: c.realtime.transport is _WS,
            lambda _c, on: {"realtime.transport": (_WS if on else _SHORT).value},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Long polling",
            _text("polls held until news"),
            "short polls, answered at once",
            lambda c: c.realtime.transport is _LONG,
            lambda _c, on: {"realtime.transport": (_LONG if on else _SHORT).value},
        ),
    ),
    (
        *_FLEET,
        "realtime.poll_interval_s",
        "realtime.long_poll_timeout_s",
        "realtime.messages_per_min",
        "realtime.online_s",
        "realtime.connection_kb",
        "realtime.reconnect_jitter_s",
        "realtime.header_bytes",
        "realtime.frame_bytes",
        "balancer.health_check_s",
    ),
    ("realtime.transport", "balancer.sticky"),
)

SERVICES = LessonControls(
    "What runs behind the gateway?",
    (
        ToggleSpec(
            "T",
            "Consumer running",
            _text("notifications follow the orders"),
            "the queue grows, nothing is lost",
            lambda c: c.services.consumer_up,
            lambda _c, on: {"services.consumer_up": on},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Orders database",
            _text("orders are created"),
            "orders fail: the database is down",
            lambda c: c.services.orders_db_up,
            lambda _c, on: {"services.orders_db_up": on},
        ),
    ),
    (
        *_FLEET,
        "services.order_share",
        "services.orders_instances",
        "services.orders_workers",
        "services.orders_db_ms",
        "services.queue_consumers",
        "services.consumer_service_ms",
        "balancer.health_check_s",
    ),
    ("services.consumer_up", "services.orders_db_up", "balancer.sticky"),
)

CONTROLS: dict[Lesson, LessonControls] = {
    Lesson.SESSIONS: SESSIONS,
    Lesson.COUNTER: COUNTER,
    Lesson.AUTH: AUTH,
    Lesson.REALTIME: REALTIME,
    Lesson.SERVICES: SERVICES,
}


def controls_for(config: Config) -> LessonControls:
    return CONTROLS[config.scenario.lesson]
