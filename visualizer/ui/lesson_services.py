"""The services lesson on today's canvas and the strip: the fleet's cards are the gateway
instances; the domain services, their databases and the notification queue are told in
the headline numbers, the card words and the explanation (the canvas does not draw tiers
yet)."""

from __future__ import annotations

from visualizer.sim.config import Config, Lesson
from visualizer.sim.lessons.services import ServicesFacts, backlog_text, drain_text
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.explain import Explanation, as_preset
from visualizer.ui.lesson_views import FigureLine, HeadlineRow, LessonPlot, LessonView, register
from visualizer.ui.theme import FAILURE


def _facts(snap: Snapshot) -> ServicesFacts | None:
    return snap.lesson if isinstance(snap.lesson, ServicesFacts) else None


def lag_words(lag_s: float) -> str:
    """The consumer's lag as the headline says it."""
    return f"notifications {lag_s:,.0f} s behind" if lag_s >= 1 else "notifications up to date"


class ServicesView(LessonView):
    plot = LessonPlot(
        "Orders and the notification queue",
        (
            FigureLine("services_orders", "orders /s", "#2CA02C", "o"),
            FigureLine("services_orders_failed", "failed orders /s", FAILURE, "x"),
            FigureLine("services_queue_depth", "queue depth", "#1F77B4", "t", rate=False),
        ),
        lambda snap: f.queue_depth if (f := _facts(snap)) else 0,
        ("message waiting", "messages waiting"),
        bad=False,
        short="queued",
    )

    def headline(self, snap: Snapshot) -> tuple[HeadlineRow, ...]:
        f = _facts(snap)
        if f is None:
            return super().headline(snap)
        share = f" ({snap.failed / snap.sent:.1%})" if snap.sent else ""
        return (
            HeadlineRow(f.orders_created, "orders created", False),
            HeadlineRow(round(f.consumer_lag_s), lag_words(f.consumer_lag_s), True),
            HeadlineRow(snap.failed, f"failed requests{share}", True),
        )

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        return "checks the token, forwards to users / orders / inventory"

    def down_words(self, snap: Snapshot, view: ServerView) -> str:
        return "✖ DOWN · nothing lost, others take over"

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


register(Lesson.SERVICES, ServicesView())
