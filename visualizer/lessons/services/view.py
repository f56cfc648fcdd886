"""The services lesson on the canvas and the strip: tiers left to right. The fleet's
cards are the gateway instances; right of them the domain services (users, orders,
inventory, each with its database), then the notification queue drawn with its depth
and the consumer with its lag. A click on a service takes its database down (or back);
on the queue or the consumer, stops (or starts) the consumers; the context menu also
stops and starts service instances."""

from __future__ import annotations

import math
from typing import Any

from visualizer.lessons.services.facts import (
    UP_TO_DATE_S,
    ServicesFacts,
    backlog_text,
    drain_text,
)
from visualizer.lessons.services.model import SERVICES
from visualizer.lessons.services.settings import LESSON
from visualizer.sim.config import Config
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.canvas.layout import nice_scale
from visualizer.ui.canvas.topology import FLEET, Link, NodeFacts, Shape, TierNode, Topology
from visualizer.ui.colors import FAILURE
from visualizer.ui.lesson.explain import Explanation, as_preset
from visualizer.ui.lesson.views import FigureLine, HeadlineRow, LessonPlot, LessonView, register


def _facts(snap: Snapshot) -> ServicesFacts | None:
    return snap.lesson if isinstance(snap.lesson, ServicesFacts) else None


def lag_words(lag_s: float) -> str:
    """The consumer's lag as the headline says it."""
    if lag_s >= UP_TO_DATE_S:
        return f"notifications {lag_s:,.0f} s behind"
    return "notifications up to date"


TOPOLOGY = Topology(
    columns=(
        tuple(TierNode(name, f"{name} service", short=name) for name in SERVICES),
        (
            TierNode("queue", "notification queue", Shape.QUEUE, short="queue"),
            TierNode("notifications", "notifications", Shape.CONSUMER, short="consumer"),
        ),
    ),
    links=(
        *(Link(FLEET, name) for name in SERVICES),
        Link("orders", "queue", dashed=True),
        Link("queue", "notifications", dashed=True),
    ),
    hops=SERVICES,  # the FORWARDED record's detail is the service's index
)


def _tier_facts(f: ServicesFacts, name: str, instances: int) -> NodeFacts:
    tier = next(t for t in f.tiers if t.name == name)
    count, unit = (f.orders_created, "orders") if name == "orders" else (tier.answered, "ok")
    latency = "" if math.isnan(tier.latency_ms) else f" · {tier.latency_ms:,.0f} ms"
    db = f"✓ database {tier.db_ms:g} ms" if tier.db_up else ""
    return NodeFacts(
        big=f"{count:,}",
        unit=unit,
        lines=(
            f"{tier.instances_up}/{instances} up × {tier.workers} workers",
            f"{tier.busy} busy · {tier.queued} queued{latency}",
            *((db,) if db else ()),
        ),
        up=tier.instances_up > 0,
        down_words="✖ NO INSTANCE UP",
        part_down="" if tier.db_up else "✖ DATABASE DOWN",
    )


class ServicesView(LessonView):
    plot = LessonPlot(
        "Orders and the notification queue",
        (  # the queue first: compare mode draws the first line of both sides
            FigureLine("services_queue_depth", "queue depth", "#1F77B4", "t", rate=False),
            FigureLine("services_orders", "orders /s", "#2CA02C", "o"),
            FigureLine("services_orders_failed", "failed orders /s", FAILURE, "x"),
        ),
        lambda snap: f.queue_depth if (f := _facts(snap)) else 0,
        ("message waiting", "messages waiting"),
        bad=False,
        short="queued",
    )

    second_plot = LessonPlot(
        "Notifications behind (s)",
        (FigureLine("services_consumer_lag_s", "consumer lag", "#1F77B4", "t", rate=False),),
        lambda snap: 0,
        ("second behind", "seconds behind"),
        bad=False,
    )
    #: the time spent in each tier, beside the end-to-end p50 and p95
    latency_lines = (
        FigureLine("services_gateway_ms", "gateway", "#8C564B", "s", rate=False),
        FigureLine("services_users_ms", "users", "#17BECF", "d", rate=False),
        FigureLine("services_orders_ms", "orders", "#2CA02C", "p", rate=False),
        FigureLine("services_inventory_ms", "inventory", "#BCBD22", "h", rate=False),
    )

    def store_words(self, snap: Snapshot) -> tuple[str, str]:
        return "Session store", f"{snap.store.sessions:,} sessions"

    def topology(self, snap: Snapshot) -> Topology:
        return TOPOLOGY

    def node_facts(self, snap: Snapshot) -> dict[str, NodeFacts]:
        f = _facts(snap)
        if f is None:
            return {}
        c = snap.config.services
        out = {name: _tier_facts(f, name, getattr(c, f"{name}_instances")) for name in SERVICES}
        # the pipe fills against a 1-2-5 scale of the depth (a backlog of 900 shows as
        # nearly full of 1,000), never less than a hundred messages
        scale = nice_scale(max(f.queue_depth, 100))
        out["queue"] = NodeFacts(
            big=f"{f.queue_depth:,}",
            unit="waiting",
            lines=(f"the oldest {f.consumer_lag_s:,.0f} s old", f"pipe: up to {scale:,.0f}"),
            fill=f.queue_depth / scale,
        )
        out["notifications"] = NodeFacts(
            big=f"{f.consumer_lag_s:,.0f} s" if f.consumer_lag_s >= 1 else "up to date",
            unit="behind" if f.consumer_lag_s >= 1 else "",
            big_short="" if f.consumer_lag_s >= 1 else "0 s",
            lines=(
                f"{f.consumers} consumers · {f.consumer_capacity_per_s:,.0f}/s max",
                f"{f.notified:,} sent",
            ),
            up=f.consumer_up,
            down_words="✖ STOPPED",
        )
        return out

    def node_actions(self, snap: Snapshot, key: str) -> tuple[tuple[str, dict[str, Any]], ...]:
        c = snap.config.services
        if key in SERVICES:
            up = getattr(c, f"{key}_db_up")
            n = getattr(c, f"{key}_instances")
            actions = [
                (
                    f"Take the {key} database down" if up else f"Bring the {key} database back",
                    {f"services.{key}_db_up": not up},
                ),
                (f"Start one more {key} instance", {f"services.{key}_instances": n + 1}),
            ]
            if n > 0:
                actions.append((f"Stop one {key} instance", {f"services.{key}_instances": n - 1}))
            return tuple(actions)
        if key in ("queue", "notifications"):
            verb = "Stop" if c.consumer_up else "Start"
            return (
                (f"{verb} the notification consumers", {"services.consumer_up": not c.consumer_up}),
            )
        return ()

    def headline(self, snap: Snapshot) -> tuple[HeadlineRow, ...]:
        f = _facts(snap)
        if f is None:
            return super().headline(snap)
        share = f" ({snap.failed / snap.sent:.1%})" if snap.sent else ""
        return (
            HeadlineRow(f.orders_created, "orders created", False),
            HeadlineRow(round(f.consumer_lag_s), "s behind (notifications)", False, "s behind"),
            HeadlineRow(snap.failed, f"failed requests{share}", True, "failed"),
        )

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        return "checks the token, forwards"

    def card_words_short(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        return "forwards"

    def down_words(self, snap: Snapshot, view: ServerView) -> str:
        return "✖ DOWN · nothing lost"

    def explain(self, snap: Snapshot, preset: Config | None) -> Explanation:
        c = snap.config
        f = _facts(snap)
        rate = f.order_rate_per_s if f else 0.0
        capacity = f.consumer_capacity_per_s if f else 0.0
        outage = f.outage_s if f else 0.0
        down = [t.name for t in f.tiers if not t.db_up] if f else []
        headline = "A stateless gateway in front of stateful services"
        body = (
            "Any gateway instance serves anyone (the token says who the user is); the state "
            "lives in each service's own database. A created order is published to a queue: "
            "the notifications follow later (eventually consistent)."
        )
        if f is not None and not f.consumer_up:
            headline = "The notification consumer is down: the queue grows"
            body = "Orders still succeed; their messages wait in the queue, and nothing is lost."
        elif down:
            headline = f"The {' and '.join(down)} database is down"
            body = "That service's requests fail at once; the others, and the gateway, carry on."
        if as_preset(c, preset):
            body = preset.scenario.explanation  # type: ignore[union-attr]
        return Explanation(headline, body, (backlog_text(rate, outage), drain_text(capacity, rate)))

    def measured(self, snap: Snapshot) -> str:
        f = _facts(snap)
        if f is None or not f.orders_created:
            return ""
        return (
            f"measured: {f.orders_created:,} orders created, {f.orders_failed:,} failed, "
            f"queue {f.queue_depth:,}, {lag_words(f.consumer_lag_s)}"
        )


register(LESSON, ServicesView())
