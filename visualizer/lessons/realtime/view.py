"""The real-time lesson on the canvas and the strip: empty polls and late messages with
polling, connections and their memory with WebSocket, and reconnect storms.

Polls and handshakes are requests, drawn as dots like any other; a poll's answer goes
back grey when it carried nothing and as a message diamond when it carried messages;
with WebSocket each pushed message is a diamond of its own, and the open connections are
lines from the balancer to the card holding them, thicker the more it holds."""

from __future__ import annotations

from visualizer.lessons.realtime.facts import (
    RealtimeFacts,
    connections_text,
    delay_text,
    empty_text,
    memory_text,
    storm_text,
)
from visualizer.lessons.realtime.settings import LESSON, Transport
from visualizer.sim.config import Config
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.colors import FAILURE
from visualizer.ui.lesson.explain import Explanation, as_preset
from visualizer.ui.lesson.views import FigureLine, HeadlineRow, LessonPlot, LessonView, register


def _facts(snap: Snapshot) -> RealtimeFacts | None:
    return snap.lesson if isinstance(snap.lesson, RealtimeFacts) else None


def _ms(ms: float) -> str:
    if ms != ms:  # NaN: nothing delivered yet
        return "—"
    return f"{ms / 1000:,.1f} s" if ms >= 1000 else f"{ms:,.0f} ms"


#: Reconnects in each second as counted, not a 5 s mean: a storm of N in one instant and
#: the same N spread by a jitter of 5 s have the same 5 s mean, and the lesson is that
#: they differ.
RECONNECTS = FigureLine("realtime_reconnects", "reconnects /s", FAILURE, "x", rate=False)


class RealtimeView(LessonView):
    plot = LessonPlot(
        "Polls, reconnects and connections",
        (
            FigureLine("realtime_empty_polls", "empty polls /s", "#7F7F7F", "o"),
            RECONNECTS,
            FigureLine("realtime_connections", "open connections", "#1F77B4", "t", rate=False),
        ),
        lambda snap: f.empty_polls if (f := _facts(snap)) else 0,
        ("empty poll", "empty polls"),
        bad=False,
        short="empty",
    )
    #: with WebSocket nothing polls: the number written large counts the reconnects
    #: (the open connections are the memory plot's: on one axis with them a storm of a
    #: thousand reconnects in one second was a flat line at the bottom)
    pushed = LessonPlot(
        "Reconnects (each second)",
        (RECONNECTS,),
        lambda snap: f.reconnects if (f := _facts(snap)) else 0,
        ("reconnect", "reconnects"),
        short="reconnects",
    )

    #: how late messages reach their users, beside the requests' own latency: seconds
    #: with polling, a network delay with WebSocket
    latency_lines = (
        FigureLine("realtime_delivery_p50_ms", "delivery p50", "#005F73", "d", rate=False),
        FigureLine("realtime_delivery_p95_ms", "delivery p95", "#0A9396", "h", rate=False),
    )

    #: polling holds no memory on the servers: its cost is traffic, headers above all
    traffic = LessonPlot(
        "Traffic (kB/s)",
        (FigureLine("realtime_bytes", "both ways", "#005F73", "d", scale=0.001),),
        lambda snap: 0,
        ("kB/s", "kB/s"),
        bad=False,
    )

    def store_words(self, snap: Snapshot) -> tuple[str, str]:
        return "Session store", f"{snap.store.sessions:,} sessions"

    def second_plot_for(self, config: Config) -> LessonPlot | None:
        """Polling: the traffic in memory's place (nothing is held); WebSocket: memory."""
        return None if config.realtime.transport is Transport.WEBSOCKET else self.traffic

    def connections(self, snap: Snapshot) -> dict[int, int]:
        f = _facts(snap)
        return {c.server: c.connections for c in f.by_server} if f is not None else {}

    def plot_for(self, config: Config) -> LessonPlot:
        return self.pushed if config.realtime.transport is Transport.WEBSOCKET else self.plot

    def headline(self, snap: Snapshot) -> tuple[HeadlineRow, ...]:
        f = _facts(snap)
        if f is None:
            return super().headline(snap)
        if snap.config.realtime.transport is Transport.WEBSOCKET:
            middle = HeadlineRow(
                f.connections, f"open connections ({f.connection_mb:,.1f} MB)", False
            )
        else:
            share = f" ({f.empty_polls / f.polls:.0%})" if f.polls else ""
            # waste, not failure: written in the text colour (red means failure only)
            middle = HeadlineRow(f.empty_polls, f"empty polls{share}", False)
        return (
            HeadlineRow(
                f.delivered,
                f"messages delivered, p95 {_ms(f.delivery_ms_p95)}",
                False,
                "delivered",
            ),
            middle,
            HeadlineRow(f.reconnects, "reconnects", True),
        )

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        f = _facts(snap)
        row = None
        if f is not None:
            row = next((r for r in f.by_server if r.server == view.index), None)
        transport = snap.config.realtime.transport
        if transport is Transport.WEBSOCKET or (row is not None and row.connections):
            n = row.connections if row else 0
            mb = row.memory_mb if row else 0.0
            return f"holds {n:,} connections · {mb:,.1f} MB"
        if transport is Transport.LONG_POLL:
            held = row.held_polls if row else 0
            return f"holds {held:,} long polls (no worker)"
        share = f"{f.empty_polls / f.polls:.0%}" if f is not None and f.polls else "—"
        return f"answers polls: {share} empty"

    def card_words_short(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        words = self.card_words(snap, view, about)
        return words.split(" · ")[0].removeprefix("holds ").removesuffix(" (no worker)")

    def down_words(self, snap: Snapshot, view: ServerView) -> str:
        if snap.config.realtime.transport is Transport.SHORT_POLL:
            return "✖ DOWN · polls go elsewhere"
        return "✖ DOWN · its clients reconnect"

    def explain(self, snap: Snapshot, preset: Config | None) -> Explanation:
        c = snap.config
        rt = c.realtime
        f = _facts(snap)
        net = c.network.latency_ms
        connections = float(f.connections) if f else 0.0
        if rt.transport is Transport.SHORT_POLL:
            headline = "Short polling: ask every few seconds, mostly for nothing"
            body = (
                f"Each online user asks every {rt.poll_interval_s:g} s. Any server answers any "
                "poll (no state), but most answers are empty and a message waits for the next "
                "poll."
            )
            formulas = (empty_text(rt), delay_text(rt, net))
        elif rt.transport is Transport.LONG_POLL:
            headline = "Long polling: the server holds the question until there is news"
            body = (
                "A poll waits at the server (no worker) until a message or "
                f"{rt.long_poll_timeout_s:g} s: messages arrive at once, few requests are "
                "wasted, but every online user keeps a request open."
            )
            formulas = (delay_text(rt, net), storm_text(rt, c.balancer.health_check_s))
        else:
            headline = "WebSocket: one open connection per user, pinned to one server"
            body = (
                "Messages are pushed at once and nothing is asked in vain, but each connection "
                f"holds {rt.connection_kb:g} KB on the server that accepted it, and a crash "
                "sends all its users back at once."
            )
            formulas = (
                connections_text(rt, c.traffic.users_per_s, snap.t),
                memory_text(rt, connections),
                storm_text(rt, c.balancer.health_check_s),
            )
        if as_preset(c, preset):
            body = preset.scenario.explanation  # type: ignore[union-attr]
        return Explanation(headline, body, formulas)

    def measured(self, snap: Snapshot) -> str:
        f = _facts(snap)
        if f is None or not f.delivered:
            return ""
        parts = [f"measured: delay {_ms(f.delivery_ms_mean)} mean"]
        if f.polls:
            parts.append(f"{f.empty_polls / f.polls:.0%} of {f.polls:,} polls empty")
        if f.connections:
            parts.append(f"{f.connections:,} connections, {f.connection_mb:,.1f} MB")
        if f.peak_reconnects_per_s:
            parts.append(f"peak {f.peak_reconnects_per_s:,} reconnects/s")
        return ", ".join(parts)


register(LESSON, RealtimeView())
