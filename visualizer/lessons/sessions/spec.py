"""The sessions lesson, told once: its toggles and fields, its design words and the
captions of its events."""

from __future__ import annotations

from visualizer.lessons.sessions.score import sessions_rows
from visualizer.lessons.sessions.settings import LESSON
from visualizer.lessons.spec import (
    FLEET,
    STICKY,
    STORE,
    LessonControls,
    LessonSpec,
    ToggleSpec,
    plural,
    server_name,
    sticky_words,
    text,
)
from visualizer.sim.config import Config, Mode
from visualizer.sim.records import Event, EventKind

CONTROLS = LessonControls(
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
            text("sessions in a shared store"),
            "no shared store",
            lambda c: c.state.mode is Mode.SHARED,
            lambda _c, on: {"state.mode": (Mode.SHARED if on else Mode.LOCAL).value},
        ),
    ),
    (
        *FLEET,
        "state.session_kb",
        "servers.memory_mb",
        "state.ttl_s",
        *STORE,
    ),
    ("state.mode", "balancer.sticky"),
)

_MODE_WORDS = {Mode.LOCAL: "server memory", Mode.SHARED: "shared store", Mode.TOKEN: "tokens"}


def design_words(config: Config) -> tuple[str, ...]:
    """Where sessions live, and stickiness where it matters: "sticky, server memory"."""
    mode = config.state.mode
    words = _MODE_WORDS[mode]
    return (sticky_words(config), words) if mode is Mode.LOCAL else (words,)


def captions(event: Event, config: Config) -> str | None:
    kind, name, mode = event.kind, server_name(event), config.state.mode
    if kind is EventKind.SERVER_CRASHED:
        return f"{name} crashed — {plural(int(event.detail or 0), 'session', 'sessions')} lost"
    if kind is EventKind.SERVER_RESTARTED:
        if mode is Mode.LOCAL:
            return f"{name} restarted — empty: no sessions"
        return f"{name} restarted — it held no sessions: nothing to rebuild"
    if kind is EventKind.STORE_CRASHED:
        if mode is not Mode.SHARED:
            held = "server memory" if mode is Mode.LOCAL else "tokens"
            return f"store down — sessions live in {held}: nothing fails"
        lost = int(event.detail or 0)
        tail = (
            " · sessions kept by a replica"
            if config.store.replicas
            else f" · {plural(lost, 'session', 'sessions')} lost"
        )
        return "store down — requests failing with STORE_UNAVAILABLE" + tail
    if kind is EventKind.SERVER_REMOVED:
        lost = int(event.detail or 0)
        return f"{name} removed — {plural(lost, 'session', 'sessions')} went with it"
    return None


SPEC = LessonSpec(
    LESSON,
    CONTROLS,
    design_words,
    ("state.mode", "balancer.sticky"),
    captions,
    uses_store=lambda c: c.state.mode is Mode.SHARED,
    score_rows=sessions_rows,
)
