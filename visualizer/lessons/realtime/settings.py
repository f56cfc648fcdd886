"""The real-time lesson's own settings (``[realtime]``) and the limits they obey
together: users online, polls on their way and messages waiting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from visualizer.sim.config import Config, Lesson, LessonSection, register_section, setting
from visualizer.sim.schema import (
    MAX_CONCURRENT_USERS,
    MAX_MESSAGES_WAITING,
    MAX_REQUESTS_IN_FLIGHT,
    ConfigError,
)

LESSON = Lesson.define("realtime")


class Transport(StrEnum):
    SHORT_POLL = "short_poll"  # a request every poll interval, answered at once
    LONG_POLL = "long_poll"  # a request held at the server until a message or the timeout
    WEBSOCKET = "websocket"  # one long-lived connection per user; messages pushed at once


@dataclass(frozen=True)
class RealtimeSection:
    """The real-time lesson: how messages reach online users (polling or WebSocket)."""

    transport: Transport = setting(
        Transport.SHORT_POLL,
        doc="how clients get their messages",
        label="Transport",
        choices={
            "short_poll": "short polling",
            "long_poll": "long polling",
            "websocket": "WebSocket",
        },
    )
    poll_interval_s: float = setting(
        5.0,
        lo=0.01,
        hi=3_600.0,
        doc="short polling: seconds between polls",
        label="Poll every",
        decimals=2,
    )
    long_poll_timeout_s: float = setting(
        30.0,
        lo=0.01,
        hi=3_600.0,
        doc="long polling: how long the server holds an empty poll",
        label="Hold polls",
        decimals=2,
    )
    messages_per_min: float = setting(
        1.0,
        lo=0.0,
        hi=6_000.0,
        doc="messages per minute for each online user (Poisson)",
        label="Messages",
        decimals=1,
        special="none",
    )
    online_s: float = setting(
        300.0,
        lo=0.01,
        hi=86_400.0,
        doc="mean time a user stays online",
        label="Online for",
        decimals=2,
    )
    connection_kb: float = setting(
        64.0,
        lo=0.0,
        hi=1_000_000.0,
        doc="server memory per open WebSocket connection",
        label="Connection",
        decimals=0,
    )
    reconnect_jitter_s: float = setting(
        0.0,
        lo=0.0,
        hi=3_600.0,
        doc="dropped clients reconnect within this (0 = all at once)",
        label="Reconnect jitter",
        decimals=1,
        special="none",
    )
    header_bytes: int = setting(
        500,
        lo=0,
        hi=1_000_000,
        doc="bytes of HTTP headers per request and per response",
        label="Headers",
    )
    frame_bytes: int = setting(
        100, lo=0, hi=1_000_000, doc="bytes per message delivered", label="Frame"
    )


def check(config: Config, where: str) -> None:
    """Users online, and (short polling) the polls on their way.

    Every lesson's user has one request out at a time (the next goes when the answer
    is back), so its requests in flight are bounded with its users; so are long polls
    and WebSocket handshakes. A short-polling client sends a poll every poll interval
    whether or not the last one was answered, so with a slow network one user has many
    out at once: polls/s × the one-way network delay (the time a poll travels to its
    server; the queue and the workers there have their own limits, and the way back is
    not simulated as a request). A user keeps the transport they came online with, so
    a later ``set`` of the transport does not stop their polls: the walk of a schedule
    keeps the check once it has seen short polling (``polled``).
    """
    t, rt = config.traffic, config.realtime
    online = t.users_per_s * rt.online_s
    if online > MAX_CONCURRENT_USERS:
        raise ConfigError(
            f"{where}: traffic.users_per_s × realtime.online_s = {t.users_per_s:g} × "
            f"{rt.online_s:g} s ≈ {online:,.0f} users online at once; at most "
            f"{MAX_CONCURRENT_USERS:,} are allowed: lower one of them"
        )
    if _short_polls(config):
        _check_polls(config, where)
    _check_messages_waiting(config, where)


def _short_polls(config: Config) -> bool:
    return config.realtime.transport is Transport.SHORT_POLL


def _check_polls(config: Config, where: str) -> None:
    t, rt = config.traffic, config.realtime
    online = t.users_per_s * rt.online_s
    network_s = config.network.latency_ms / 1000.0
    polls = online * network_s / rt.poll_interval_s
    if polls > MAX_REQUESTS_IN_FLIGHT:
        raise ConfigError(
            f"{where}: traffic.users_per_s × realtime.online_s × network.latency_ms ÷ "
            f"realtime.poll_interval_s = {t.users_per_s:g} × {rt.online_s:g} s × "
            f"{network_s:g} s ÷ {rt.poll_interval_s:g} s ≈ {polls:,.0f} polls on their way "
            f"at once (short polling sends one every interval, answered or not); at most "
            f"{MAX_REQUESTS_IN_FLIGHT:,} are allowed: lower one of them"
        )


def _check_messages_waiting(config: Config, where: str) -> None:
    """Messages wait for their user: for the next poll to come and be answered (short
    polling: up to an interval, plus the way there and the work), or for the poll or the
    connection a user opens as they come online (the way there and the work)."""
    t, rt = config.traffic, config.realtime
    online = t.users_per_s * rt.online_s
    per_s = rt.messages_per_min / 60.0
    trip_s = config.network.latency_ms / 1000.0 + config.servers.service_ms / 1000.0
    short = rt.transport is Transport.SHORT_POLL
    wait_s = rt.poll_interval_s + trip_s if short else trip_s
    waiting = online * per_s * wait_s
    if waiting > MAX_MESSAGES_WAITING:
        what = (
            "(poll interval + network latency + service time)"
            if short
            else ("(network latency + service time)")
        )
        raise ConfigError(
            f"{where}: users online × messages per second × {what} = {online:,.0f} × "
            f"{per_s:g} × {wait_s:g} s ≈ {waiting:,.0f} messages waiting at once for their "
            f"users; at most {MAX_MESSAGES_WAITING:,} are allowed: lower one of "
            "traffic.users_per_s, realtime.online_s, realtime.messages_per_min"
            + (" or realtime.poll_interval_s" if short else "")
        )


def walk(start: Config) -> Callable[[str, Config], None]:
    """A user keeps the transport they came online with: once a schedule has short
    polling, the polls' limit holds after every later ``set`` too."""
    polled = _short_polls(start)

    def step(where: str, config: Config) -> None:
        nonlocal polled
        if polled:
            _check_polls(config, where)
        polled = polled or _short_polls(config)

    return step


SECTION = register_section(LessonSection(LESSON, "realtime", RealtimeSection, check, walk))
