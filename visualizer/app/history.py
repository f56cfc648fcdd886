"""What a run remembers of its past, within a stated memory budget.

A run shown in the window may play for hours of simulated time (10 minutes at 50× is
30,000 s). Two things grow with it: the per-second samples (for the plots, the timeline
and exports) and the checkpoints that make rewinding fast. Neither may grow without
limit, and neither may break the rewind promise (any moment of the run can be shown
exactly):

- ``History`` keeps the most recent samples as they are and packs older ones into
  compressed blocks (about 20× smaller), unpacked when a view reads that far back;
- ``thin`` keeps the checkpoints within ``CHECKPOINT_BUDGET`` bytes by dropping every
  other old one (the most recent stay ten seconds apart): a seek into the far past then
  replays further, never wrongly.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator, Sequence
from typing import Any, overload

#: Items packed together when they grow old (a block of samples is ~30 KB compressed).
BLOCK = 1_000
#: The most recent items stay unpacked: an hour of samples, what plots and seeks read.
KEEP_RECENT = 3_600
#: Checkpoints of a run (its undo futures included) stay within this many bytes.
CHECKPOINT_BUDGET = 100_000_000
#: The most recent checkpoints are never thinned (a seek near now stays fast).
RECENT_CHECKPOINTS = 30


class _ListLike(Sequence):
    """Compares, adds and prints as the list it stands for."""

    def __add__(self, other: Sequence[Any]) -> list[Any]:
        return [*self, *other]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class History(_ListLike):
    """Samples or markers of the whole computed timeline; ``upto`` of them are at or
    before the moment shown (the rest lie ahead when the run is rewound). A replay after
    a rewind makes the same items again: they are counted, not added twice.

    Reads like a list (index, slice, iterate, ``len``, ``+``, ``==``); items older than the
    most recent ``KEEP_RECENT`` live in compressed blocks."""

    def __init__(self, items: Sequence[Any] = ()) -> None:
        self._blocks: list[bytes] = []  # BLOCK items each, the oldest first
        self._items: list[Any] = list(items)  # the rest, unpacked
        self._cache: tuple[int, list[Any]] = (-1, [])  # the block last unpacked
        self.upto = len(self._items)
        self._pack()

    # --- reading --------------------------------------------------------------------------

    @property
    def _packed(self) -> int:
        return len(self._blocks) * BLOCK

    def __len__(self) -> int:
        return self._packed + len(self._items)

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return self._range(0, len(self))[i]
            return self._range(start, stop)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("history index out of range")
        packed = self._packed
        if i >= packed:
            return self._items[i - packed]
        return self._block(i // BLOCK)[i % BLOCK]

    def __iter__(self) -> Iterator[Any]:
        for b in range(len(self._blocks)):
            yield from self._block(b)
        yield from self._items

    def _range(self, start: int, stop: int) -> list[Any]:
        out: list[Any] = []
        packed = self._packed
        k = start
        while k < min(stop, packed):
            b = k // BLOCK
            end = min(stop, (b + 1) * BLOCK)
            out.extend(self._block(b)[k - b * BLOCK : end - b * BLOCK])
            k = end
        if stop > packed:
            out.extend(self._items[max(0, start - packed) : stop - packed])
        return out

    def _block(self, b: int) -> list[Any]:
        if self._cache[0] != b:
            self._cache = (b, pickle.loads(zlib.decompress(self._blocks[b])))
        return self._cache[1]

    # --- the moment shown -----------------------------------------------------------------

    def shown(self) -> Sequence[Any]:
        """Those at or before now (the history itself when nothing lies ahead)."""
        return self if self.upto == len(self) else _Prefix(self, self.upto)

    def ahead(self) -> list[Any]:
        return self[self.upto :]

    # --- changing -------------------------------------------------------------------------

    def add(self, item: Any) -> None:
        if self.upto == len(self):
            self._items.append(item)
            if len(self._items) >= KEEP_RECENT + BLOCK:
                self._pack()
        self.upto += 1

    def extend(self, items: Sequence[Any]) -> None:
        """Items computed before (a future brought back); ``upto`` stays."""
        self._items.extend(items)
        self._pack()

    def drop_ahead(self) -> list[Any]:
        """Forget what lies ahead (a new future); returns it (for undo)."""
        tail = self.ahead()
        self.truncate(self.upto)
        return tail

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` items."""
        while n < self._packed:  # the cut falls in a packed block: unpack it first
            block = self._block(len(self._blocks) - 1)
            self._blocks.pop()
            self._cache = (-1, [])
            self._items[:0] = block
        del self._items[n - self._packed :]

    def copy(self) -> History:
        twin = History()
        twin._blocks = list(self._blocks)  # blocks are immutable bytes: shared
        twin._items = list(self._items)
        twin.upto = self.upto
        return twin

    def _pack(self) -> None:
        while len(self._items) >= KEEP_RECENT + BLOCK:
            chunk = self._items[:BLOCK]
            blob = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
            self._blocks.append(zlib.compress(blob, 6))
            del self._items[:BLOCK]

    def packed_bytes(self) -> int:
        return sum(len(b) for b in self._blocks)


class _Prefix(_ListLike):
    """The first ``n`` items of a history (what is shown while the run is rewound)."""

    def __init__(self, history: History, n: int) -> None:
        self._history = history
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            start, stop, step = i.indices(self._n)
            if step != 1:
                return self._history[start:stop][::step]
            return self._history[start:stop]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("history index out of range")
        return self._history[i]

    def __iter__(self) -> Iterator[Any]:
        for k, item in enumerate(self._history):
            if k >= self._n:
                return
            yield item


def thin(checkpoints: list[Any], size: Any, budget: int = CHECKPOINT_BUDGET) -> list[Any]:
    """``checkpoints`` (in time order) within ``budget`` bytes (``size(c)`` each): every
    other one of the older ones goes, again and again, so the spacing grows with age.
    The first (t = 0) and the most recent ``RECENT_CHECKPOINTS`` stay, and the last one
    always (a run whose every checkpoint is huge keeps the first and the last)."""
    kept = list(checkpoints)
    total = sum(size(c) for c in kept)
    while total > budget:
        recent = RECENT_CHECKPOINTS if len(kept) > RECENT_CHECKPOINTS + 2 else 1
        old = kept[1 : len(kept) - recent]
        if not old:
            break
        dropped = old[::2]
        gone = {id(c) for c in dropped}
        kept = [c for c in kept if id(c) not in gone]
        total -= sum(size(c) for c in dropped)
    return kept
