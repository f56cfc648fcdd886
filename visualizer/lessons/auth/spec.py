"""The sign-in lesson, told once: its toggles and fields, its design words and the
captions of its events."""

from __future__ import annotations

from visualizer.lessons.auth.score import auth_rows
from visualizer.lessons.auth.settings import LESSON, AuthMethod
from visualizer.lessons.spec import (
    FLEET,
    STICKY,
    STORE,
    LessonControls,
    LessonSpec,
    ToggleSpec,
    plural,
    server_name,
    text,
)
from visualizer.sim.config import Config
from visualizer.sim.records import Event, EventKind

_SESSION, _JWT = AuthMethod.SESSION, AuthMethod.JWT

CONTROLS = LessonControls(
    "How do users sign in?",
    (
        ToggleSpec(
            "T",
            "Server sessions",
            text("a session id, looked up every request"),
            "a signed JWT, checked alone",
            lambda c: c.auth.method is _SESSION,
            lambda _c, on: {"auth.method": (_SESSION if on else _JWT).value},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Blocklist",
            text("every request checks the store"),
            "no revocation check",
            lambda c: c.auth.blocklist,
            lambda _c, on: {"auth.blocklist": on},
        ),
    ),
    (
        *FLEET,
        "auth.token_ttl_s",
        "auth.refresh",
        "auth.access_ttl_s",
        "auth.revocations_per_min",
        "auth.token_bytes",
        "auth.cookie_bytes",
        *STORE,
    ),
    ("auth.method", "auth.blocklist", "balancer.sticky"),
)


def design_words(config: Config) -> tuple[str, ...]:
    """How users sign in: "server sessions", "JWT + blocklist"."""
    if config.auth.method is _SESSION:
        return ("server sessions",)
    return ("JWT" + (" + blocklist" if config.auth.blocklist else ""),)


def captions(event: Event, config: Config) -> str | None:
    kind, name, auth = event.kind, server_name(event), config.auth
    if kind is EventKind.SERVER_CRASHED:
        if auth.method is _SESSION:
            return f"{name} crashed — sessions live in the store: nobody signs in again"
        return f"{name} crashed — any server checks a JWT: nobody signs in again"
    if kind is EventKind.SERVER_RESTARTED:
        return f"{name} restarted — it needs nothing to check a sign-in"
    if kind is EventKind.STORE_CRASHED:
        if auth.method is _SESSION:
            lost = int(event.detail or 0)
            tail = (
                " · sessions kept by a replica"
                if config.store.replicas
                else f" · {plural(lost, 'session', 'sessions')} lost"
            )
            return "store down — every request failing with STORE_UNAVAILABLE" + tail
        if auth.blocklist:
            return "store down — blocklist checks failing with STORE_UNAVAILABLE"
        if auth.refresh:
            return "store down — refreshes failing with STORE_UNAVAILABLE"
        return "store down — a JWT needs no store: nothing fails"
    return None


def uses_store(config: Config) -> bool:
    """Sessions live there; a blocklist or refreshes ask its revocation list."""
    auth = config.auth
    return auth.method is _SESSION or auth.blocklist or auth.refresh


SPEC = LessonSpec(
    LESSON,
    CONTROLS,
    design_words,
    ("auth.method", "auth.blocklist"),
    captions,
    uses_store=uses_store,
    score_rows=auth_rows,
)
