"""The counter lesson on the canvas and the strip: counts that disagree, updates that get
lost, forged counts that get in."""

from __future__ import annotations

from visualizer.lessons.counter.model import CounterFacts, UserCounts
from visualizer.lessons.counter.settings import (
    LESSON,
    CounterPlacement,
    CounterScope,
    CounterUpdate,
)
from visualizer.sim.config import Config
from visualizer.sim.records import ErrorCode
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.colors import ERROR_COLORS, FAILURE
from visualizer.ui.lesson.explain import Explanation, as_preset
from visualizer.ui.lesson.views import (
    FigureLine,
    HeadlineRow,
    LessonPlot,
    LessonView,
    Note,
    register,
)

TAMPERED_COLOR = ERROR_COLORS[ErrorCode.TAMPERED]


def _facts(snap: Snapshot) -> CounterFacts | None:
    return snap.lesson if isinstance(snap.lesson, CounterFacts) else None


class CounterView(LessonView):
    plot = LessonPlot(
        "Wrong counts",
        (
            FigureLine("counter_wrong", "wrong answers /s", FAILURE, "x"),
            FigureLine("counter_lost_updates", "updates lost /s", "#B35806", "d"),
            FigureLine("counter_tampered_accepted", "forged accepted /s", TAMPERED_COLOR, "t"),
            FigureLine("counter_divergence", "divergence", "#7F7F7F", "o", rate=False),
        ),
        lambda snap: f.wrong_answers if (f := _facts(snap)) else 0,
        ("wrong answer", "wrong answers"),
        short="wrong",
    )

    def memory_plot_for(self, config: Config) -> bool:
        """A count is a few bytes, wherever it is kept: no memory to plot."""
        return False

    def notes(self, snap: Snapshot) -> tuple[Note, ...]:
        f = _facts(snap)
        if f is None:
            return ()
        return tuple(
            Note(w.t, w.server, f"saw {w.seen:,} · true {w.true:,}", FAILURE)
            for w in f.recent_wrong
        )

    def store_words(self, snap: Snapshot) -> tuple[str, str]:
        f = _facts(snap)
        if f is not None and f.scope is CounterScope.GLOBAL:
            return "Count store", f"count {f.store_count:,}"
        return "Count store", "each user's count"

    def down_words(self, snap: Snapshot, view: ServerView) -> str:
        if snap.config.counter.placement is CounterPlacement.SERVER:
            return "✖ DOWN · its counts are gone"
        return "✖ DOWN · no count lost"

    def headline(self, snap: Snapshot) -> tuple[HeadlineRow, ...]:
        f = _facts(snap)
        share = f" ({snap.failed / snap.sent:.1%})" if snap.sent else ""
        wrong = f.wrong_answers if f else 0
        placement = snap.config.counter.placement
        if placement is CounterPlacement.STORE:
            second = HeadlineRow(f.lost_updates if f else 0, "updates lost", True)
        elif placement is CounterPlacement.CLIENT:
            second = HeadlineRow(f.tampered_accepted if f else 0, "forged counts accepted", True)
        else:
            second = HeadlineRow(f.max_divergence if f else 0, "largest disagreement", True)
        return (
            HeadlineRow(wrong, "wrong answers", True),
            second,
            HeadlineRow(snap.failed, f"failed requests{share}", True, "failed"),
        )

    def card_words_short(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        counter = snap.config.counter
        if counter.placement is CounterPlacement.CLIENT:
            return "checks, adds one" if counter.signed else "+1 to the client's count"
        if counter.placement is CounterPlacement.STORE:
            return f"+1 in the store (+{snap.config.store.latency_ms:g} ms)"
        return "" if isinstance(about, UserCounts) else "its own counts"

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        c = snap.config
        counter = c.counter
        if isinstance(about, UserCounts) and counter.placement is CounterPlacement.SERVER:
            held = dict(about.servers).get(view.index)
            if held is None:
                return f"has never counted user {about.user} (true count {about.true:,})"
            return f"says user {about.user} clicked {held:,} times (true: {about.true:,})"
        if counter.placement is CounterPlacement.STORE:
            how = (
                "adds one in the store"
                if counter.update is CounterUpdate.ATOMIC
                else "reads the count, adds one, writes it back"
            )
            return f"{how} (+{c.store.latency_ms:g} ms a click)"
        if counter.placement is CounterPlacement.CLIENT:
            check = ", after checking its signature" if counter.signed else ""
            return f"adds one to the count the client sends{check}"
        f = _facts(snap)
        if counter.scope is CounterScope.GLOBAL and f is not None:
            mine = dict(f.server_counts).get(view.index, 0)
            return f"believes the count is {mine:,} (true: {f.true_count:,})"
        return "keeps its own count for each user it served"

    def explain(self, snap: Snapshot, preset: Config | None) -> Explanation:
        c = snap.config
        counter = c.counter
        f = _facts(snap)
        live = max(1, sum(1 for s in snap.servers if not s.draining))
        if counter.placement is CounterPlacement.SERVER:
            headline = "Each server counts in its own memory"
            body = (
                "A click is counted by whichever server gets it, so as soon as a user's clicks "
                "land on different servers the servers disagree and the answers are wrong. "
                "Sticky (S) hides it until a crash; the store (R) or the client (T) fixes it."
            )
            theory = (
                f"k-th click right only if all k hit one server: (1/{live})^(k−1)"
                if not c.balancer.sticky
                else "sticky: every click of a user hits one server (until it dies)"
            )
        elif counter.placement is CounterPlacement.STORE:
            if counter.update is CounterUpdate.ATOMIC:
                headline = "One count in the store, incremented atomically"
                body = (
                    "Every server asks the store, so every answer is right; each click pays a "
                    f"round trip (+{c.store.latency_ms:g} ms) and a store outage stops counting."
                )
            else:
                headline = "One count in the store, read, incremented, written back"
                body = (
                    "Two clicks that overlap inside one round trip read the same value and "
                    "write the same result: one update is lost. An atomic increment is not."
                )
            rate = snap.rps
            rt = c.store.latency_ms / 1000.0
            theory = (
                f"lost ≈ λR / (1 + λR) = {rate:,.0f}/s × {rt * 1000:g} ms → "
                f"{rate * rt / (1 + rate * rt):.1%} of clicks"
                if counter.update is CounterUpdate.READ_MODIFY_WRITE
                and counter.scope is CounterScope.GLOBAL
                else "lost updates = 0"
            )
        else:
            headline = "The client carries its count"
            body = (
                "Any server answers right: it adds one to what the client sends. But a client "
                "can send any number"
                + (
                    ": signed counts are refused when forged (TAMPERED)."
                    if counter.signed
                    else ": unsigned, a forged count is simply believed."
                )
            )
            theory = (
                "forged counts accepted = 0: the signature fails"
                if counter.signed
                else "forged counts accepted = forged counts sent"
            )
        if as_preset(c, preset):
            body = preset.scenario.explanation  # type: ignore[union-attr]
        formulas = [theory]
        if f is not None and f.answers:
            formulas.append(
                f"wrong answers = {f.wrong_answers:,} of {f.answers:,} "
                f"({f.wrong_answers / f.answers:.1%})"
            )
        return Explanation(headline, body, tuple(formulas))


register(LESSON, CounterView())
