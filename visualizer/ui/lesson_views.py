"""What the canvas and the strip show of a lesson: the three headline numbers, the words
on a server card, the explanation and the live arithmetic.

A lesson adds a ``LessonView`` subclass and registers it; the scene, the cards and the
strip ask the run's lesson view and never branch on the lesson. The sessions lesson's
view is today's picture. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from visualizer.lessons import spec_for
from visualizer.sim.config import Config, Lesson, Mode
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.canvas.topology import ONE_TIER, WITH_STORE, NodeFacts, Topology
from visualizer.ui.explain import Explanation, explain, measured, sessions_elsewhere


@dataclass(frozen=True)
class HeadlineRow:
    """One of the canvas's headline numbers: the count, what it counts, and whether it
    is bad news (drawn in the failure red once above zero)."""

    number: int
    label: str
    bad: bool
    short: str = ""  # fewer words, where the label does not fit a room's type


@dataclass(frozen=True)
class FigureLine:
    """One line of a lesson's plot: a per-second figure of its model (by name)."""

    figure: str
    label: str
    color: str
    symbol: str
    rate: bool = True  # a count per second, drawn as a trailing mean (else a level)
    scale: float = 1.0  # drawn × this (bytes as kB: 0.001)


@dataclass(frozen=True)
class LessonPlot:
    """The first plot when a lesson has its own (in place of sessions lost): its title,
    its lines, and the number written large with its words (singular, plural)."""

    title: str
    lines: tuple[FigureLine, ...]
    total: Callable[[Snapshot], int]
    noun: tuple[str, str]
    bad: bool = True  # the large number in the failure red once above zero
    short: str = ""  # the word when the number leaves no room for the noun ("wrong")


@dataclass(frozen=True)
class Note:
    """Something worth a flash on a card: "saw 2 · true 3" where a count was wrong."""

    t: float  # simulated time it happened
    server: int  # the card it flashes on
    text: str
    color: str


class LessonView:
    """The sessions lesson: sessions lost, users sent back to log in, failed requests;
    cards show their sessions (or say where sessions live instead)."""

    #: the lesson's own first plot (None: sessions lost by cause)
    plot: LessonPlot | None = None
    #: a plot in the memory plot's place, for a lesson whose servers hold no memory
    #: (None: memory); its ``total`` and ``noun`` are not shown
    second_plot: LessonPlot | None = None
    #: more lines on the latency plot: the lesson's own times, in ms (levels)
    latency_lines: tuple[FigureLine, ...] = ()

    def plot_for(self, config: Config) -> LessonPlot | None:
        """The first plot for these settings (the lesson's ``plot`` unless it has
        several, one per design)."""
        return self.plot

    def second_plot_for(self, config: Config) -> LessonPlot | None:
        """The plot in memory's place for these settings (None: memory)."""
        return self.second_plot

    def memory_plot_for(self, config: Config) -> bool:
        """Whether the memory plot means something for these settings: what the lesson
        keeps takes memory the run measures (sessions, connections). False: it would
        show 0 MB all along, so the plots leave it out."""
        return True

    def topology(self, snap: Snapshot) -> Topology:
        """What the canvas draws right of the balancer: the cards, and the store while
        the design keeps something there (the lesson's spec says) or sessions still live
        there. A design without one draws none, down or not (tokens: "no store at all";
        the caption says its outage changes nothing)."""
        store, config = snap.store, snap.config
        shown = spec_for(config).uses_store(config) or store.sessions > 0
        return WITH_STORE if shown else ONE_TIER

    def store_words(self, snap: Snapshot) -> tuple[str, str]:
        """The store's name and what it holds, as its node writes them."""
        return "Session store", f"{snap.store.sessions:,} sessions"

    def node_facts(self, snap: Snapshot) -> dict[str, NodeFacts]:
        """What each of the topology's tier nodes shows now, by key."""
        return {}

    def connections(self, snap: Snapshot) -> dict[int, int]:
        """Long-lived connections each server holds, by index (drawn as lines)."""
        return {}

    def node_actions(self, snap: Snapshot, key: str) -> tuple[tuple[str, dict[str, Any]], ...]:
        """What can be done to a tier node: (menu words, settings to set); a click does
        the first."""
        return ()

    def headline(self, snap: Snapshot) -> tuple[HeadlineRow, ...]:
        share = f" ({snap.failed / snap.sent:.1%})" if snap.sent else ""
        return (
            HeadlineRow(snap.lost, "sessions lost", True),
            HeadlineRow(snap.relogins, "sent back to log in", False),
            HeadlineRow(snap.failed, f"failed requests{share}", True, "failed"),
        )

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        """What a card says in place of its sessions ("" to show its sessions); ``about``:
        what the run's lesson knows of the followed user (``Run.about_user``)."""
        elsewhere = sessions_elsewhere(snap.config)
        return f"sessions {elsewhere}" if elsewhere and view.sessions == 0 else ""

    def card_words_short(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        """``card_words`` in fewer words, for a card where they do not fit in the type a
        room reads (presenter mode); "" when there is nothing shorter to say."""
        mode = snap.config.state.mode
        if not self.card_words(snap, view, about):
            return ""
        if mode is Mode.SHARED:
            return f"sessions in the store (+{snap.config.store.latency_ms:g} ms)"
        if mode is Mode.TOKEN:
            return "sessions in the tokens"
        return ""

    def down_words(self, snap: Snapshot, view: ServerView) -> str:
        """What a dead card's badge says ("" for the carts it lost)."""
        return ""

    def notes(self, snap: Snapshot) -> tuple[Note, ...]:
        """Recent happenings to flash on cards (the newest last; the scene shows the new)."""
        return ()

    def marked_users(self, snap: Snapshot) -> tuple[int, ...]:
        """Users whose dots carry a mark (revoked users still presenting a credential)."""
        return ()

    def explain(self, snap: Snapshot, preset: Config | None) -> Explanation:
        return explain(snap, preset)

    def measured(self, snap: Snapshot) -> str:
        return measured(snap)


VIEWS: dict[Lesson, LessonView] = {Lesson.SESSIONS: LessonView()}


def register(lesson: Lesson, view: LessonView) -> None:
    VIEWS[lesson] = view


def view_for(config: Config) -> LessonView:
    """The run's lesson view (a lesson without its own view shows the sessions one)."""
    _load_all()
    return VIEWS.get(config.scenario.lesson, VIEWS[Lesson.SESSIONS])


#: Modules that register a lesson's view (imported when a view is first asked for).
VIEW_MODULES: tuple[str, ...] = (
    "lesson_counter",
    "lesson_auth",
    "lesson_realtime",
    "lesson_services",
)


def _load_all() -> None:
    import importlib

    for name in VIEW_MODULES:
        importlib.import_module(f"visualizer.ui.{name}")
