"""What a lesson is, told once: the shape of a lesson's spec and the parts every lesson
shares (the panel's toggles, the captions of events any lesson has).

A lesson's package (``visualizer.lessons.<name>``) fills a ``LessonSpec``; the layers
above build their tables from the specs (the panel, the compare titles, the canvas's
captions, the menus and F1). Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from visualizer.lessons.score import Rows
from visualizer.sim.config import Config, Lesson
from visualizer.sim.records import Event, EventKind

Changes = Mapping[str, Any]


@dataclass(frozen=True)
class ToggleSpec:
    """One big on/off switch: its key, its words, how the run's settings say whether it
    is on, and the settings that turning it on or off changes."""

    letter: str  # the keyboard key that presses it: "T", "S" or "R"
    title: str
    on_text: Callable[[Config], str]
    off_text: str
    is_on: Callable[[Config], bool]
    changes: Callable[[Config, bool], Changes]


@dataclass(frozen=True)
class LessonControls:
    heading: str  # the toggles' box: the lesson's question
    toggles: tuple[ToggleSpec, ToggleSpec, ToggleSpec]  # pressed by T, S and R
    fields: tuple[str, ...]  # the settings offered, as scenario keys, in panel order
    #: what the toggles set, as settings a dialog offers as lists (Compare…)
    design: tuple[str, ...] = ()

    def toggle(self, letter: str) -> ToggleSpec:
        return next(t for t in self.toggles if t.letter == letter)

    def flip(self, letter: str, config: Config) -> Changes:
        """The settings pressing ``letter`` changes in ``config``."""
        spec = self.toggle(letter)
        return spec.changes(config, not spec.is_on(config))


#: A lesson's caption of a notable event, given the settings of the run it happened in
#: (the same crash is told differently with sessions on the servers or in tokens); None:
#: the shared words (``shared_caption``) tell it.
Captions = Callable[[Event, Config], "str | None"]


class SampleReader(Protocol):
    def add(self, sample: Any) -> None: ...


class NoSamples:
    """The reader of a lesson whose rows need no samples."""

    def add(self, sample: Any) -> None:
        pass


@dataclass(frozen=True)
class LessonSpec:
    """One lesson, as every layer above the engine needs it."""

    lesson: Lesson
    controls: LessonControls
    #: the design a run has, in the lesson's words: "sticky, server memory", "JWT"
    #: (its parts, in order: ("sticky", "server memory"); a compare title joins them)
    design_words: Callable[[Config], tuple[str, ...]]
    #: the settings ``design_words`` says (compare titles do not repeat them)
    design_keys: tuple[str, ...]
    captions: Captions
    #: whether the run's design keeps something in the shared store (the canvas then
    #: draws it, before anything happens to it)
    uses_store: Callable[[Config], bool] = lambda _config: False
    #: the lesson's own rows at the head of a comparison's scoreboard
    score_rows: Rows = lambda _a, _b, _sampled: []
    #: whether serving more requests is better: where the design sets how many requests
    #: the same users make (polls, reconnects: the realtime lesson's waste) fewer is;
    #: elsewhere (None) the count is shown but judged by no one: users log in again
    #: after a lost session, retry after a failure, refresh a token, so more requests
    #: served is not more work done
    more_requests_better: bool | None = None
    #: what the lesson's scoreboard rows read of a run's per-second samples that its
    #: summary does not hold: a new reader per run, fed each sample (``add``); None:
    #: nothing
    sampled: Callable[[], SampleReader] | None = None

    def sample_reader(self) -> SampleReader:
        """A new reader of one run's samples for the scoreboard's rows."""
        return NoSamples() if self.sampled is None else self.sampled()

    def caption(self, event: Event, config: Config) -> str | None:
        """A one-line caption for a notable event (presenter mode shows it on the
        canvas): the lesson's words, or the words every lesson shares."""
        return self.captions(event, config) or shared_caption(event)


def server_name(event: Event) -> str:
    return f"server-{event.server + 1}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def shared_caption(event: Event) -> str | None:
    """The words for events every lesson tells alike (None: not captioned)."""
    kind = event.kind
    name = server_name(event)
    if kind is EventKind.SERVER_CRASHED:
        return f"{name} crashed"
    if kind is EventKind.SERVER_RESTARTED:
        return f"{name} restarted"
    if kind is EventKind.STORE_CRASHED:
        return "store down"
    if kind is EventKind.STORE_RESTORED:
        return "store back up"
    if kind is EventKind.SERVER_ADDED:
        return f"{name} added — it joins at the next health check"
    if kind is EventKind.SERVER_REMOVED:
        return f"{name} removed"
    return None


def text(words: str) -> Callable[[Config], str]:
    """A toggle's words that do not depend on the settings."""
    return lambda _config: words


STICKY = ToggleSpec(
    "S",
    "Sticky",
    text("a user stays on one server"),
    "any server, any time",
    lambda c: c.balancer.sticky,
    lambda _c, on: {"balancer.sticky": on},
)

#: Settings every lesson offers (the fleet, the traffic, the store, the balancer).
FLEET = ("servers.count", "servers.workers", "traffic.users_per_s")
STORE = ("store.latency_ms", "store.replicas", "balancer.health_check_s")


def sticky_words(config: Config) -> str:
    return "sticky" if config.balancer.sticky else "not sticky"
