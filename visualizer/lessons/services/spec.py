"""The services lesson, told once: its toggles and fields, its design words and the
captions of its events."""

from __future__ import annotations

from visualizer.lessons.services.score import Backlog, services_rows
from visualizer.lessons.services.settings import LESSON
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

CONTROLS = LessonControls(
    "What runs behind the gateway?",
    (
        ToggleSpec(
            "T",
            "Consumer running",
            text("notifications follow the orders"),
            "the queue grows, nothing is lost",
            lambda c: c.services.consumer_up,
            lambda _c, on: {"services.consumer_up": on},
        ),
        STICKY,
        ToggleSpec(
            "R",
            "Orders database",
            text("orders are created"),
            "orders fail: the database is down",
            lambda c: c.services.orders_db_up,
            lambda _c, on: {"services.orders_db_up": on},
        ),
    ),
    (
        *FLEET,
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


def design_words(config: Config) -> tuple[str, ...]:
    """The gateway, and stickiness (which a stateless gateway does not need)."""
    return ("stateless gateway", "sticky") if config.balancer.sticky else ("stateless gateway",)


def captions(event: Event, config: Config) -> str | None:
    kind, name = event.kind, server_name(event)
    if kind is EventKind.SERVER_CRASHED:
        return f"gateway {name} crashed — stateless: the others serve everyone"
    if kind is EventKind.SERVER_RESTARTED:
        return f"gateway {name} restarted — it serves anyone at once"
    if kind is EventKind.SERVER_REMOVED:
        return f"gateway {name} removed — nothing was kept on it"
    if kind is EventKind.STORE_CRASHED:
        return "store down — the services keep their own databases"
    return None


SPEC = LessonSpec(
    LESSON,
    CONTROLS,
    design_words,
    ("balancer.sticky",),
    captions,
    score_rows=services_rows,
    sampled=Backlog,
)
