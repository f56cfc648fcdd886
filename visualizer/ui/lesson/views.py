"""What the canvas and the strip show of a lesson: the three headline numbers, the words
on a server card, the explanation and the live arithmetic.

A lesson's package adds a ``LessonView`` subclass in its ``view`` module and registers
it; the scene, the cards and the strip ask the run's lesson view and never branch on the
lesson. The base class draws what every lesson has (failed requests) and says nothing of
its own; a lesson without a view is drawn that way. Nothing here imports Qt.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from visualizer.lessons import packages, spec_for
from visualizer.sim.config import Config, Lesson
from visualizer.sim.snapshot import ServerView, Snapshot
from visualizer.ui.canvas.topology import ONE_TIER, WITH_STORE, NodeFacts, Topology
from visualizer.ui.lesson.explain import Explanation, measured


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
    """What every lesson's picture has: failed requests, cards with their queue and
    work, a store when the design uses one. A lesson's view says the rest."""

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
        return "Shared store", ""

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
        """The canvas's headline numbers."""
        share = f" ({snap.failed / snap.sent:.1%})" if snap.sent else ""
        return (HeadlineRow(snap.failed, f"failed requests{share}", True, "failed"),)

    def card_words(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        """What a card says in place of its sessions ("" to show its sessions); ``about``:
        what the run's lesson knows of the followed user (``Run.about_user``)."""
        return ""

    def card_words_short(self, snap: Snapshot, view: ServerView, about: object = None) -> str:
        """``card_words`` in fewer words, for a card where they do not fit in the type a
        room reads (presenter mode); "" when there is nothing shorter to say."""
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
        """The strip's words: the scenario's own explanation (a lesson says more)."""
        scenario = snap.config.scenario
        return Explanation(scenario.title, scenario.explanation or scenario.description, ())

    def measured(self, snap: Snapshot) -> str:
        """The strip's line of what was measured: the latency seen lately (a lesson
        may say more)."""
        return measured(snap)


VIEWS: dict[Lesson, LessonView] = {}
_BARE = LessonView()


def register(lesson: Lesson, view: LessonView) -> None:
    """``view`` draws runs of ``lesson`` (a lesson's ``view`` module calls this)."""
    VIEWS[lesson] = view


def unregister(lesson: Lesson) -> None:
    VIEWS.pop(lesson, None)


def view_for(config: Config) -> LessonView:
    """The run's lesson view (a lesson whose package has no ``view`` module is drawn by
    the base view: failed requests and its cards)."""
    lesson = config.scenario.lesson
    if lesson not in VIEWS:
        _load(lesson)
    return VIEWS.get(lesson, _BARE)


def _load(lesson: Lesson) -> None:
    """Import the ``view`` module of ``lesson``'s package, which registers its view."""
    package = next((p for p in packages() if p.lesson is lesson), None)
    if package is None:
        return
    try:
        importlib.import_module(package.view_module)
    except ModuleNotFoundError as exc:
        if exc.name != package.view_module:
            raise
