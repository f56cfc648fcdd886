"""The sign-in lesson on the canvas and the strip: revoked users who still get in, what
each request carries, and where the credential is checked."""

from __future__ import annotations

from visualizer.lessons.auth.model import AuthFacts
from visualizer.lessons.auth.settings import LESSON, AuthMethod
from visualizer.lessons.auth.words import bytes_text, clicks_of, gap_text, lookups_text
from visualizer.sim.config import Config
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.colors import FAILURE
from visualizer.ui.lesson.explain import Explanation, as_preset
from visualizer.ui.lesson.views import FigureLine, HeadlineRow, LessonPlot, LessonView, register


def _facts(snap: Snapshot) -> AuthFacts | None:
    return snap.lesson if isinstance(snap.lesson, AuthFacts) else None


class AuthView(LessonView):
    plot = LessonPlot(
        "Revoked users getting in",
        (
            FigureLine("auth_accepted_after_revoke", "accepted after revoke /s", FAILURE, "x"),
            FigureLine("auth_revoked_active", "revoked, still active", "#7F7F7F", "o", rate=False),
        ),
        lambda snap: f.accepted_after_revoke if (f := _facts(snap)) else 0,
        ("request accepted after revoke", "requests accepted after revoke"),
        short="accepted",
    )

    def memory_plot_for(self, config: Config) -> bool:
        """Server sessions fill the store; a JWT is kept by no one (a blocklist's few
        entries take no memory the run measures)."""
        return config.auth.method is AuthMethod.SESSION

    def headline(self, snap: Snapshot) -> tuple[HeadlineRow, ...]:
        facts = _facts(snap)
        share = f" ({snap.failed / snap.sent:.1%})" if snap.sent else ""
        accepted = facts.accepted_after_revoke if facts else 0
        revoked = facts.revocations if facts else 0
        return (
            HeadlineRow(accepted, "accepted after revoke", True, "accepted"),
            HeadlineRow(revoked, "users revoked", False),
            HeadlineRow(snap.failed, f"failed requests{share}", True, "failed"),
        )

    def store_words(self, snap: Snapshot) -> tuple[str, str]:
        if snap.config.auth.method is AuthMethod.SESSION:
            return "Session store", f"{snap.store.sessions:,} sessions"
        f = _facts(snap)
        return "Revocation list", f"{f.revocations if f else 0:,} users revoked"

    def down_words(self, snap: Snapshot, view: ServerView) -> str:
        if snap.config.auth.method is AuthMethod.SESSION:
            return "✖ DOWN · sessions safe in the store"
        return "✖ DOWN · no session to lose"

    def marked_users(self, snap: Snapshot) -> tuple[int, ...]:
        f = _facts(snap)
        return f.revoked_active if f is not None else ()

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        auth = snap.config.auth
        store = f"+{snap.config.store.latency_ms:g} ms"
        if auth.method is AuthMethod.SESSION:
            return f"sessions live in the store: every request looks its session up ({store})"
        check = f"checks each JWT alone ({snap.config.state.token_verify_ms:g} ms)"
        if auth.blocklist:
            return f"{check}, then the blocklist in the store ({store})"
        return check + ": nothing to look up"

    def card_words_short(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        auth = snap.config.auth
        store = f"+{snap.config.store.latency_ms:g} ms"
        if auth.method is AuthMethod.SESSION:
            return f"looks the session up ({store})"
        if auth.blocklist:
            return f"JWT, then the blocklist ({store})"
        return "checks the JWT alone"

    def explain(self, snap: Snapshot, preset: Config | None) -> Explanation:
        c = snap.config
        auth = c.auth
        facts = _facts(snap)
        still = facts.revoked_active_count if facts else 0
        if auth.method is AuthMethod.SESSION:
            headline = "Server sessions: revoking is deleting one row"
            body = (
                "Every request carries a small cookie and the server looks the session up in "
                "the store, so a revoked user is refused on their next request. The price: one "
                "store lookup per request, and the store must stay up."
            )
        elif auth.blocklist:
            headline = "JWT with a blocklist: revocation is back, and so is the store"
            body = (
                "Servers still check the signature alone, then ask the store whether the token "
                "was revoked: revoked users are refused at once, but every request pays a "
                "lookup and a store outage fails them all."
            )
        elif auth.refresh:
            headline = "Short access tokens: the gap shrinks to one access token's life"
            body = (
                f"A revoked user keeps working until their {auth.access_ttl_s:g} s access token "
                "expires; the refresh that would renew it checks the store and is refused."
            )
        else:
            headline = "JWT without a blocklist: revoked users keep working"
            body = (
                "Any server checks the token alone and nothing is stored, but a revoked token "
                f"stays valid until it expires ({auth.token_ttl_s:g} s after issue)"
                + (f": {still:,} revoked users are still getting in." if still else ".")
            )
        if as_preset(c, preset):
            body = preset.scenario.explanation  # type: ignore[union-attr]
        rps = snap.rps
        clicks = clicks_of(c)
        return Explanation(
            headline,
            body,
            (gap_text(auth, clicks), bytes_text(auth, rps), lookups_text(auth, rps, clicks)),
        )

    def measured(self, snap: Snapshot) -> str:
        facts = _facts(snap)
        if facts is None or facts.gap_mean_s != facts.gap_mean_s:  # no revocation yet
            return ""
        gap = facts.gap_mean_s
        digits = 0 if gap >= 100 else 1  # as many as the printed gap, to compare them
        return f"measured: gap {gap:,.{digits}f} s over {facts.revocations:,} revocations"


register(LESSON, AuthView())
