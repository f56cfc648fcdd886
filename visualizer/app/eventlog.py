"""A bounded, non-destructive log of event records that several views read, each with its
own cursor (the canvas animates them, the event log lists them, a recording replays them).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import count

from visualizer.sim.records import Row


@dataclass
class Cursor:
    """Where one reader is in the log. ``fresh`` is set when the log restarted (a rewind)
    since the last read: the reader should drop what it built from earlier records."""

    position: int = 0
    generation: int = -1
    fresh: bool = True
    missed: int = 0  # records that fell out of the log before this reader got to them


#: Generations are unique across logs, so a cursor moved to a new run's log starts fresh.
_GENERATIONS = count(1)


class EventLog:
    """Records in arrival order, numbered from 0; the oldest drop out past ``capacity``."""

    def __init__(self, capacity: int = 400_000) -> None:
        self.capacity = capacity
        # (number of the first, records): tuples of rows, which the garbage collector
        # stops tracking once it has seen them (a full collection visited every row of
        # 400,000 held in lists: 17 ms of it after an hour of sticky-crash)
        self._chunks: deque[tuple[int, tuple[Row, ...]]] = deque()
        self._held = 0
        self.end = 0  # number the next record gets
        self.generation = next(_GENERATIONS)

    @property
    def start(self) -> int:
        """Number of the oldest record still held."""
        return self._chunks[0][0] if self._chunks else self.end

    def __len__(self) -> int:
        return self._held

    def extend(self, events: list[Row]) -> None:
        if not events:
            return
        self._chunks.append((self.end, tuple(events)))
        self.end += len(events)
        self._held += len(events)
        while self._chunks and self._held - len(self._chunks[0][1]) >= self.capacity:
            self._held -= len(self._chunks.popleft()[1])

    def reset(self) -> None:
        """Start again (the run was rewound): readers are told through their cursor."""
        self._chunks.clear()
        self._held = 0
        self.end = 0
        self.generation = next(_GENERATIONS)

    def read(self, cursor: Cursor) -> list[Row]:
        """Records since the cursor (oldest first), and move it to the end."""
        cursor.fresh = cursor.generation != self.generation
        if cursor.fresh:
            cursor.generation = self.generation
            cursor.position = self.start
        if cursor.position < self.start:
            cursor.missed += self.start - cursor.position
            cursor.position = self.start
        parts: list[tuple[Row, ...]] = []
        for first, events in reversed(self._chunks):
            if first + len(events) <= cursor.position:
                break
            parts.append(events[max(0, cursor.position - first) :])
        cursor.position = self.end
        if len(parts) == 1:
            return list(parts[0])
        return [e for part in reversed(parts) for e in part]

    def records(self) -> list[Row]:
        """Everything held, oldest first."""
        return [e for _, events in self._chunks for e in events]
