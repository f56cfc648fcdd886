"""The cyclic garbage collector on the window's schedule.

CPython starts a collection when allocations outnumber deallocations by a threshold. A
run playing in the window allocates and frees at the same rate (its logs are bounded),
so that count stays near zero while young objects pile up by the hundred thousand: the
collection that finally came took up to a second (measured: 0.2-0.3 s young and 0.75 s
middle collections in a sticky-crash run at 50×). So the window collects the young and
the middle generations itself after every frame it advances the run (a fraction of a
millisecond: the records a run keeps are plain tuples the collector then drops from its
lists). Both at once, every frame: the middle generation collected every tenth frame
only held ten frames of survivors, gone cold in the cache by then, and took 3-12 ms with
20,000 requests in flight, in one frame of ten (the frame benchmark's p95); collected
every frame it adds about nothing to the young collection. The engine's objects make no
cyclic garbage as they come and go (those collections free nothing), so moving them on
to the old generation sooner costs no memory. Cyclic garbage that reaches the old
generation comes from whole engines replaced by a seek, an undo or a restart: a full
collection runs a second after the last of those, when the window is quiet again.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: A full collection waits this long after the last replaced engine (a drag seeks often).
FULL_AFTER_MS = 1000


class Collector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.frames = 0
        self.full_collections = 0
        self._full = QTimer(self)
        self._full.setSingleShot(True)
        self._full.setInterval(FULL_AFTER_MS)
        self._full.timeout.connect(self.collect_all)

    def frame(self) -> None:
        """After a frame that advanced the run."""
        self.frames += 1
        gc.collect(1)  # the young and the middle generations (see above)

    def engine_replaced(self) -> None:
        """A seek, an undo or a restart left an old engine behind: collect it soon."""
        self._full.start()  # (again: the wait starts over)

    def collect_all(self) -> None:
        gc.collect()
        self.full_collections += 1
