"""Checkpoints: the engine pickled and compressed, in the window's process or beside it.

Pickling a big engine takes long (about a second with 40,000 users online and 300,000
sessions), and a window that pickles on its GUI thread stalls for that long. Where the
system can fork, a big engine is copied by ``os.fork`` instead (copy-on-write: about
15 ms for a 250 MB process): the child pickles its frozen copy of the engine and sends
the bytes back through a pipe that a thread reads, while the window plays on. The child
runs nothing but pickle and zlib (no Qt, no collector, no exit handlers) and leaves with
``os._exit``. Where fork is missing or fails, the checkpoint is taken in-process.

Unpickling is done with the cyclic garbage collector paused: the collector would
otherwise rescan the growing heap many times while hundreds of thousands of objects are
made (0.8 s instead of 0.1 s for that engine).
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
import threading
import time
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from visualizer.sim.simulation import Simulation

_HEADER = struct.Struct("<d")  # the child's pickling time, before the bytes


def snapshot_bytes(sim: Simulation) -> bytes:
    """The engine as a checkpoint holds it. Pickled with the collector paused, and what
    pickling left young collected before it resumes: reducing a simpy event makes its
    ``__dict__`` a real dict (20,000 of them with 20,000 requests in flight), enough to
    set off the collector's own collections inside, or just after, the pickling, a full
    one among them (0.25 s more in that frame; the young collection takes 4-5 ms)."""
    with collector_paused():
        data = pickle.dumps(sim, protocol=pickle.HIGHEST_PROTOCOL)
        gc.collect(0)
    return zlib.compress(data, 1)


@contextmanager
def collector_paused() -> Any:
    """No cyclic garbage collection inside (objects made in bulk that all stay alive)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def can_fork() -> bool:
    return hasattr(os, "fork")


class Pending:
    """A checkpoint a forked child is writing. ``result()`` waits for its bytes (None if
    the child failed); ``cost`` is how long the child took to pickle."""

    def __init__(self, sim: Simulation) -> None:
        read, write = os.pipe()
        with warnings.catch_warnings():  # (3.12+ warns about fork in a threaded process)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: pickle, write, leave without running anything else
            status = 1
            try:
                gc.disable()
                os.close(read)
                started = time.perf_counter()
                data = snapshot_bytes(sim)
                _write_all(write, _HEADER.pack(time.perf_counter() - started) + data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.cost = 0.0
        self.size = 0  # bytes, once written
        self._blob: bytes | None = None
        self._thread = threading.Thread(target=self._collect, args=(read, pid), daemon=True)
        self._thread.start()

    def _collect(self, read: int, pid: int) -> None:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status == 0 and len(data) > _HEADER.size:
            self.cost = _HEADER.unpack_from(data)[0]
            self._blob = data[_HEADER.size :]
            self.size = len(self._blob)

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> bytes | None:
        self._thread.join()
        return self._blob


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass(frozen=True)
class Checkpoint:
    t: float
    commands: int  # live commands applied before it was taken
    samples: int  # how much of the run's history there was then
    markers: int
    traces: int  # traces ever recorded
    data: bytes | Pending  # the engine, pickled and compressed (or being so, beside us)

    @property
    def ready(self) -> bool:
        return isinstance(self.data, bytes) or self.data.done

    @property
    def blob(self) -> bytes | None:
        """The bytes (waiting for a child still writing them); None if it failed."""
        return self.data if isinstance(self.data, bytes) else self.data.result()

    @property
    def size(self) -> int:
        """Bytes held (0 while a child is still writing them, or if it failed)."""
        data = self.data
        return len(data) if isinstance(data, bytes) else data.size

    def restore(self) -> Simulation:
        blob = self.blob
        if blob is None:
            raise ValueError("this checkpoint failed; use an earlier one")
        with collector_paused():
            return pickle.loads(zlib.decompress(blob))
