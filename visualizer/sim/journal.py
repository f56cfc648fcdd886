"""Where the engine writes what happened: event records (when recording) and markers."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import simpy

from visualizer.sim.records import EventKind, Marker, Note, Row


class Journal:
    """Event records for views (only when ``record_events``), request traces (only when
    ``traces``: they cost time) and notable moments."""

    def __init__(
        self,
        env: simpy.Environment,
        record_events: bool,
        event_buffer: int,
        traces: bool = False,
        trace_buffer: int = 200_000,
    ) -> None:
        self.env = env
        self.events: deque[Row] | None = deque(maxlen=event_buffer) if record_events else None
        # (request, error code or None, end time): made into RequestTrace when read
        self.traces: deque[tuple] | None = deque(maxlen=trace_buffer) if traces else None
        self.markers: deque[Marker] = deque(maxlen=2_000)
        self.on_marker: Callable[[Marker], None] | None = None  # told of each one, too

    def __getstate__(self) -> dict[str, Any]:
        """A copy (checkpoint, fork) tells nobody of its markers until asked to. (The
        buffers are shared with the request path, so they are copied as they are:
        drain them first.)"""
        state = self.__dict__.copy()
        state["on_marker"] = None
        return state

    def notable(
        self,
        kind: EventKind,
        server: int,
        label: str,
        detail: Any = None,
        key: str = "",
        *,
        note: Note | None = None,
    ) -> None:
        """A moment worth a plot marker and a caption, also sent as an event record. A
        setting changed to ``detail`` names its ``key``: the record's detail is then
        ``(key, value)``. A ``note`` (no setting changed) says what it is."""
        now = self.env._now
        marker = Marker(now, label, kind, server, key, detail, note)
        self._add(marker, (key, detail) if key else label if detail is None else detail)

    def settings_changed(self, changes: tuple[tuple[str, Any], ...]) -> None:
        """One command changed several settings at this instant: one marker (the first
        key and value, then the others), one record whose detail holds every pair."""
        (key, value), *others = changes
        label = ", ".join(f"{k} = {v}" for k, v in changes)
        marker = Marker(
            self.env._now, label, EventKind.SETTING_CHANGED, -1, key, value, also=tuple(others)
        )
        self._add(marker, changes)

    def _add(self, marker: Marker, detail: Any) -> None:
        self.markers.append(marker)
        if self.on_marker is not None:
            self.on_marker(marker)
        if self.events is not None:
            row = (marker.t, int(marker.kind), 0, 0, marker.server, detail)
            self.events.append(row)
