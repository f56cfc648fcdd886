"""The sessions lesson on the canvas: sessions lost, users sent back to log in, failed
requests; cards show their sessions (or say where sessions live instead)."""

from __future__ import annotations

from visualizer.lessons.sessions.settings import LESSON
from visualizer.sim.config import Config, Mode
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.lesson.explain import Explanation, explain, measured, sessions_elsewhere
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

    def measured(self, snap: Snapshot) -> str:
        return measured(snap)


register(LESSON, SessionsView())
