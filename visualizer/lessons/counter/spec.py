"""The counter lesson, told once: its toggles and fields, its design words and the
captions of its events."""

from __future__ import annotations

from visualizer.lessons.counter.score import counter_rows
from visualizer.lessons.counter.settings import LESSON, CounterPlacement
from visualizer.lessons.spec import (
    FLEET,
    STICKY,
    STORE,
    LessonControls,
    LessonSpec,
    ToggleSpec,
    server_name,
    sticky_words,
    text,
)
from visualizer.sim.config import Config
from visualizer.sim.records import Event, EventKind

_SERVER, _STORE, _CLIENT = CounterPlacement.SERVER, CounterPlacement.STORE, CounterPlacement.CLIENT
_PLACE_WORDS = {_SERVER: "each server counts alone", _STORE: "the servers ask the store"}

CONTROLS = LessonControls(
    "Where does the count live?",
    (
        ToggleSpec(
            "T",
            "Stateful",
            lambda c: _PLACE_WORDS.get(c.counter.placement, ""),
            "the client carries its count",
            lambda c: c.counter.placement is not _CLIENT,
            lambda _c, on: {"counter.placement": (_SERVER if on else _CLIENT).value},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Shared store",
            text("one count in the store"),
            "no shared store",
            lambda c: c.counter.placement is _STORE,
            lambda _c, on: {"counter.placement": (_STORE if on else _SERVER).value},
        ),
    ),
    (
        *FLEET,
        "counter.scope",
        "counter.update",
        "counter.signed",
        "traffic.tamper_fraction",
        *STORE,
    ),
    ("counter.placement", "balancer.sticky"),
)

_COUNT_WORDS = {
    _SERVER: "counts on the servers",
    _STORE: "count in the store",
    _CLIENT: "count on the client",
}


def design_words(config: Config) -> tuple[str, ...]:
    """Where the count lives, and stickiness where it matters: "sticky, counts on the
    servers"."""
    placement = config.counter.placement
    words = _COUNT_WORDS[placement]
    return (sticky_words(config), words) if placement is _SERVER else (words,)


def captions(event: Event, config: Config) -> str | None:
    kind, name, placement = event.kind, server_name(event), config.counter.placement
    if kind is EventKind.SERVER_CRASHED:
        if placement is _SERVER:
            return f"{name} crashed — the counts it kept are gone"
        where = "in the store" if placement is _STORE else "with the clients"
        return f"{name} crashed — no count lost: it lives {where}"
    if kind is EventKind.SERVER_RESTARTED:
        if placement is _SERVER:
            return f"{name} restarted — empty: its counts start again from 0"
        return f"{name} restarted — it kept no count: nothing to rebuild"
    if kind is EventKind.STORE_CRASHED:
        if placement is not _STORE:
            where = "on the servers" if placement is _SERVER else "with the clients"
            return f"store down — the counts live {where}: nothing fails"
        kept = (
            " · a replica keeps the count"
            if config.store.replicas
            else " · no replica: the count is gone"
        )
        return "store down — clicks failing with STORE_UNAVAILABLE" + kept
    if kind is EventKind.SERVER_REMOVED:
        if placement is _SERVER:
            return f"{name} removed — its counts went with it"
        return f"{name} removed — no count lost"
    return None


SPEC = LessonSpec(
    LESSON,
    CONTROLS,
    design_words,
    ("counter.placement", "balancer.sticky"),
    captions,
    uses_store=lambda c: c.counter.placement is _STORE,
    score_rows=counter_rows,
)
