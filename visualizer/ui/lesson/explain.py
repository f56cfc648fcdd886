"""What every lesson's strip and captions share: an explanation's shape, whether the
preset's own words still fit, the latency measured, and the captions of notable events
(each lesson's own explanation is in its view; no Qt here)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from visualizer.app.words import caption
from visualizer.lessons import spec_for
from visualizer.sim.config import Config
from visualizer.sim.records import Event, EventKind, Marker, setting_changes
from visualizer.sim.schema import live_sections
from visualizer.sim.snapshot import Snapshot


@dataclass(frozen=True)
class Explanation:
    headline: str  # short, bold
    body: str  # one or two sentences: what it means and what to watch
    formulas: tuple[str, ...]  # live arithmetic with current numbers


def as_preset(config: Config, preset: Config | None) -> bool:
    """Whether the run still has the preset's settings (so its own explanation fits)."""
    if preset is None or not preset.scenario.explanation:
        return False
    # (the sections a preset's explanation speaks for: every one a run may change)
    return all(config.section(k) == preset.section(k) for k in live_sections())


def measured(snap: Snapshot) -> str:
    """The latency actually seen over the last few seconds (empty before any request)."""
    if math.isnan(snap.p50_ms):
        return ""
    return f"measured: p50 {snap.p50_ms:,.0f} ms · p95 {snap.p95_ms:,.0f} ms"


#: Kinds of record that may have a caption (or a burst of chips), as ints: what a view
#: picks out of the rows before typing them (``records.event_of``).
CAPTIONED = frozenset(
    int(kind)
    for kind in (
        EventKind.SERVER_CRASHED,
        EventKind.SERVER_RESTARTED,
        EventKind.STORE_CRASHED,
        EventKind.STORE_RESTORED,
        EventKind.SERVER_ADDED,
        EventKind.SERVER_REMOVED,
        EventKind.SETTING_CHANGED,
    )
)


_FLEET_KINDS = frozenset(EventKind(kind) for kind in CAPTIONED) - {EventKind.SETTING_CHANGED}


def marker_words(marker: Marker, config: Config) -> str:
    """An event-log line's words for a marker: a crash, a restart, the store, a server
    added or removed in the words of the run's lesson (as its caption on the canvas
    says it), anything else as the engine labelled it."""
    if marker.kind is EventKind.SETTING_CHANGED or marker.kind not in _FLEET_KINDS:
        return marker.label
    event = Event(marker.t, marker.kind, 0, 0, marker.server, marker.value)
    return spec_for(config).caption(event, config) or marker.label


def caption_for(event: Event, config: Config) -> str | None:
    """A one-line caption for a notable event (presenter mode shows it on the canvas), in
    the words of the lesson and design of the run it happened in (``config``)."""
    if event.kind is EventKind.SETTING_CHANGED:
        changes = setting_changes(event.detail)  # one command's (key, value) pairs
        if changes:
            return " · ".join(caption(key, value) for key, value in changes)
        return str(event.detail)  # a note (a fault skipped, a queue full) says itself
    return spec_for(config).caption(event, config)
