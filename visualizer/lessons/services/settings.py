"""The services lesson's own settings (``[services]``) and the rule they obey together."""

from __future__ import annotations

from dataclasses import dataclass

from visualizer.sim.config import Config, Lesson, LessonSection, register_section, setting
from visualizer.sim.schema import ConfigError

LESSON = Lesson.define("services")


@dataclass(frozen=True)
class ServicesSection:
    """The services lesson: gateway instances (the fleet's servers) forward each request to
    one domain service (users, orders, inventory: instances × workers, FIFO, work + one
    database round trip); a created order is published to a queue that notification
    consumers work through (an eventually consistent view)."""

    order_share: float = setting(
        0.3,
        lo=0.0,
        hi=1.0,
        doc="share of requests that create an order",
        label="Orders",
        unit="",
        decimals=2,
    )
    users_share: float = setting(
        0.4,
        lo=0.0,
        hi=1.0,
        doc="share of requests for the users service (the rest: inventory)",
        label="Users calls",
        unit="",
        decimals=2,
    )
    users_instances: int = setting(
        2,
        lo=0,
        hi=64,
        doc="users service: instances running",
        label="Users instances",
        special="none",
    )
    users_workers: int = setting(
        4, lo=1, hi=10_000, doc="users service: workers per instance", label="Users workers"
    )
    users_service_ms: float = setting(
        5.0, lo=0.0, hi=600_000.0, doc="users service: mean work", label="Users work", decimals=1
    )
    users_db_ms: float = setting(
        2.0,
        lo=0.0,
        hi=600_000.0,
        doc="users service: database round trip",
        label="Users DB",
        decimals=1,
    )
    users_db_up: bool = setting(
        True, doc="users service: its database answers", label="Users DB up"
    )
    orders_instances: int = setting(
        2,
        lo=0,
        hi=64,
        doc="orders service: instances running",
        label="Order instances",
        special="none",
    )
    orders_workers: int = setting(
        4, lo=1, hi=10_000, doc="orders service: workers per instance", label="Order workers"
    )
    orders_service_ms: float = setting(
        10.0, lo=0.0, hi=600_000.0, doc="orders service: mean work", label="Order work", decimals=1
    )
    orders_db_ms: float = setting(
        5.0,
        lo=0.0,
        hi=600_000.0,
        doc="orders service: database round trip",
        label="Orders DB",
        decimals=1,
    )
    orders_db_up: bool = setting(
        True, doc="orders service: its database answers", label="Orders DB up"
    )
    inventory_instances: int = setting(
        2,
        lo=0,
        hi=64,
        doc="inventory service: instances running",
        label="Inventory instances",
        special="none",
    )
    inventory_workers: int = setting(
        4, lo=1, hi=10_000, doc="inventory service: workers per instance", label="Inventory workers"
    )
    inventory_service_ms: float = setting(
        5.0,
        lo=0.0,
        hi=600_000.0,
        doc="inventory service: mean work",
        label="Inventory work",
        decimals=1,
    )
    inventory_db_ms: float = setting(
        2.0,
        lo=0.0,
        hi=600_000.0,
        doc="inventory service: database round trip",
        label="Inventory DB",
        decimals=1,
    )
    inventory_db_up: bool = setting(
        True, doc="inventory service: its database answers", label="Inventory DB up"
    )
    queue_consumers: int = setting(
        2,
        lo=0,
        hi=10_000,
        doc="notification consumers reading the queue",
        label="Consumers",
        special="none",
    )
    consumer_service_ms: float = setting(
        20.0,
        lo=0.001,
        hi=600_000.0,
        doc="mean work per message for a consumer",
        label="Per message",
        decimals=3,
    )
    consumer_up: bool = setting(
        True, doc="the notification consumers run", label="Consumer running"
    )
    queue_limit: int = setting(
        100_000,
        lo=1,
        hi=10_000_000,
        doc="messages the notification queue holds (about 32 bytes each); "
        "a message published to a full queue is dropped and counted",
        label="Queue limit",
    )


def check(config: Config, where: str) -> None:
    """The shares of the requests add up to at most 1."""
    mix = config.services
    if mix.order_share + mix.users_share > 1.0:
        raise ConfigError(
            f"{where}: services.order_share + services.users_share = {mix.order_share:g} + "
            f"{mix.users_share:g} is more than 1; they are shares of the requests (the rest "
            "goes to inventory): lower one of them"
        )


SECTION = register_section(LessonSection(LESSON, "services", ServicesSection, check))
