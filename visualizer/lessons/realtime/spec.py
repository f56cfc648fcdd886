"""The realtime lesson, told once: its toggles and fields, its design words and the
captions of its events."""

from __future__ import annotations

from visualizer.lessons.realtime.score import realtime_rows
from visualizer.lessons.realtime.settings import LESSON, Transport
from visualizer.lessons.spec import (
    FLEET,
    STICKY,
    LessonControls,
    LessonSpec,
    ToggleSpec,
    server_name,
    text,
)
from visualizer.sim.config import Config
from visualizer.sim.records import Event, EventKind

_WS, _LONG, _SHORT = Transport.WEBSOCKET, Transport.LONG_POLL, Transport.SHORT_POLL

CONTROLS = LessonControls(
    "How do messages arrive?",
    (
        ToggleSpec(
            "T",
            "WebSocket",
            text("messages pushed at once"),
            "clients poll over plain HTTP",
            lambda c: c.realtime.transport is _WS,
            lambda _c, on: {"realtime.transport": (_WS if on else _SHORT).value},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Long polling",
            text("polls held until news"),
            "short polls, answered at once",
            lambda c: c.realtime.transport is _LONG,
            lambda _c, on: {"realtime.transport": (_LONG if on else _SHORT).value},
        ),
    ),
    (
        *FLEET,
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

_TRANSPORT_WORDS = {_SHORT: "short polling", _LONG: "long polling", _WS: "WebSocket"}


def design_words(config: Config) -> tuple[str, ...]:
    """How messages arrive: "short polling", "long polling", "WebSocket"."""
    return (_TRANSPORT_WORDS[config.realtime.transport],)


def _reconnect(config: Config) -> str:
    jitter = config.realtime.reconnect_jitter_s
    return "at once" if jitter <= 0 else f"within {jitter:g} s (jitter)"


def captions(event: Event, config: Config) -> str | None:
    kind, name, transport = event.kind, server_name(event), config.realtime.transport
    if kind in (EventKind.SERVER_CRASHED, EventKind.SERVER_REMOVED):
        gone = "crashed" if kind is EventKind.SERVER_CRASHED else "removed"
        if transport is _WS:
            return f"{name} {gone} — its WebSockets drop and reconnect {_reconnect(config)}"
        if transport is _LONG:
            return f"{name} {gone} — its held polls fail: clients poll again"
        return f"{name} {gone} — its polls fail: clients poll the others"
    if kind is EventKind.SERVER_RESTARTED:
        if transport is _WS:
            return f"{name} restarted — empty: its old connections stay where they went"
        return f"{name} restarted — back in rotation"
    if kind is EventKind.STORE_CRASHED:
        return "store down — messages do not pass through it"
    return None


SPEC = LessonSpec(
    LESSON,
    CONTROLS,
    design_words,
    ("realtime.transport",),
    captions,
    score_rows=realtime_rows,
    more_requests_better=False,
)
