"""The sessions lesson on the canvas: sessions lost, users sent back to log in, failed
requests; cards show their sessions (or say where sessions live instead)."""

from __future__ import annotations

import math

from visualizer.lessons.sessions.settings import LESSON
from visualizer.sim.config import Algorithm, Config, Mode
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.lesson.explain import Explanation, as_preset
from visualizer.ui.lesson.views import HeadlineRow, LessonView, register


class SessionsView(LessonView):
    def store_words(self, snap: Snapshot) -> tuple[str, str]:
        return "Session store", f"{snap.store.sessions:,} sessions"

    def headline(self, snap: Snapshot) -> tuple[HeadlineRow, ...]:
        share = f" ({snap.failed / snap.sent:.1%})" if snap.sent else ""
        return (
            HeadlineRow(snap.lost, "sessions lost", True),
            HeadlineRow(snap.relogins, "sent back to log in", False),
            HeadlineRow(snap.failed, f"failed requests{share}", True, "failed"),
        )

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        elsewhere = sessions_elsewhere(snap.config)
        return f"sessions {elsewhere}" if elsewhere and view.sessions == 0 else ""

    def card_words_short(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        mode = snap.config.state.mode
        if not self.card_words(snap, view, about):
            return ""
        if mode is Mode.SHARED:
            return f"sessions in the store (+{snap.config.store.latency_ms:g} ms)"
        if mode is Mode.TOKEN:
            return "sessions in the tokens"
        return ""

    def explain(self, snap: Snapshot, preset: Config | None) -> Explanation:
        return explain(snap, preset)


def _kb(kb: float) -> str:
    return f"{kb:,.0f} KB" if kb >= 10 else f"{kb:g} KB"


def _mb(mb: float) -> str:
    return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:,.1f} MB"


def explain(snap: Snapshot, preset: Config | None = None) -> Explanation:
    """The headline and body for the strip; ``preset`` is the run's starting config, whose
    own explanation is used while the settings are unchanged."""
    c = snap.config
    mode = c.state.mode
    sticky = c.balancer.sticky
    live = [s for s in snap.servers if not s.draining]
    n = max(1, len(live))
    in_servers = sum(s.sessions for s in snap.servers)

    if mode is Mode.TOKEN:
        headline = "Stateless: every request carries a signed token"
        body = (
            "Any server can serve any user and a crash loses no session. The price: a token "
            f"check on every request ({c.state.token_verify_ms:g} ms) and tokens stay valid "
            "until they expire, so logging out cannot revoke them."
        )
    elif mode is Mode.SHARED:
        if not snap.store.up:
            headline = "The shared store is DOWN"
            body = (
                "Every request needs the store, so every request fails with STORE_UNAVAILABLE. "
                + (
                    f"Its {snap.store.replicas} replica(s) keep the sessions for when it returns."
                    if snap.store.replicas
                    else "With no replica, every session it held is gone."
                )
            )
        else:
            headline = "Sessions in a shared store"
            body = (
                "Any server can serve any user, so a server crash loses nothing; stickiness is "
                f"not needed. Every request pays a store round trip (+{c.store.latency_ms:g} ms) "
                "and the store becomes the one thing that must not fail "
                f"({c.store.replicas} replica{'' if c.store.replicas == 1 else 's'})."
            )
    elif sticky:
        headline = "Sessions in server memory, sticky balancer"
        body = (
            "Each user is pinned to one server, so requests find their cart. Until that "
            "server dies: every cart it held is lost. Click a server's name to crash it."
        )
        if c.balancer.algorithm is Algorithm.HASH and c.traffic.proxy_fraction > 0:
            body = (
                "Users are pinned by client address, and "
                f"{c.traffic.proxy_fraction:.0%} of them share one proxy address: one server "
                "gets all of them. Watch its queue and the p95 latency."
            )
    else:
        miss = (n - 1) / n
        headline = "Sessions in server memory, no stickiness"
        body = (
            f"The balancer spreads requests over {n} servers, but a session lives on just one: "
            f"a follow-up request lands elsewhere (c−1)/c = {miss:.0%} of the time and fails "
            "with SESSION_MISSING. Turn on Sticky (S) or the Shared store (R)."
        )
    if as_preset(c, preset):
        body = preset.scenario.explanation  # type: ignore[union-attr]
    elif mode is not Mode.LOCAL and in_servers:
        # the mode changed while running: sessions made before stay where they were
        where = "the store" if mode is Mode.SHARED else "tokens"
        body = (
            f"{in_servers:,} older sessions are still in server memory (a crash still loses "
            f"them); new ones go to {where}"
            + (f" ({snap.store.sessions:,} there now)." if mode is Mode.SHARED else ".")
            + " "
            + body
        )
    return Explanation(headline, body, (_memory(snap, in_servers), _latency(snap)))


def _memory(snap: Snapshot, in_servers: int) -> str:
    c = snap.config
    kb = c.state.session_kb
    if c.state.mode is Mode.SHARED:
        held = snap.store.sessions
        text = f"M_store = {held:,} sessions × {_kb(kb)} = {_mb(held * kb / 1000)}"
        if in_servers:
            text += f" (+ {_mb(in_servers * kb / 1000)} still in servers)"
        return text
    if c.state.mode is Mode.LOCAL:
        text = f"M_total = {in_servers:,} sessions × {_kb(kb)} = {_mb(in_servers * kb / 1000)}"
        if c.servers.memory_mb > 0:
            cap_sessions = int(c.servers.memory_mb * 1000 / kb) if kb > 0 else 0
            text += f" (cap {_mb(c.servers.memory_mb)} per server ≈ {cap_sessions:,} sessions)"
        return text
    return f"M_servers = 0: {snap.token_sessions:,} sessions live in clients' tokens"


def _latency(snap: Snapshot) -> str:
    """T as the sum of its parts; when queues form, the measured median says how much
    waiting adds, so the formula and the measurement agree."""
    c = snap.config
    net = 2 * c.network.latency_ms
    processing = c.servers.service_ms
    parts = []
    total = processing
    if net > 0:
        parts.append(f"{net:g} ms network")
        total += net
    parts.append(f"{processing:g} ms processing")
    if c.state.mode is Mode.SHARED:
        parts.append(f"{c.store.latency_ms:g} ms store")
        total += c.store.latency_ms
    elif c.state.mode is Mode.TOKEN and c.state.token_verify_ms > 0:
        parts.append(f"{c.state.token_verify_ms:g} ms token check")
        total += c.state.token_verify_ms
    waiting = snap.p50_ms - total if not math.isnan(snap.p50_ms) else 0.0
    if waiting > max(5.0, 0.15 * total):
        parts.append(f"≈{waiting:,.0f} ms queueing")
        total += waiting
    return f"T = {' + '.join(parts)} = {total:,.0f} ms"


def sessions_elsewhere(c: Config) -> str:
    """Where new sessions live when not in server memory, as a server card says it."""
    if c.state.mode is Mode.SHARED:
        return f"live in the shared store: +{c.store.latency_ms:g} ms a request"
    if c.state.mode is Mode.TOKEN:
        return f"travel in the clients' tokens: a {c.state.token_verify_ms:g} ms check"
    return ""


register(LESSON, SessionsView())
