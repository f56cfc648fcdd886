"""The simulation clock: a simpy environment that can be copied (pickled), which is what
checkpoints, rewinding and forking a run need."""

from __future__ import annotations

from itertools import count
from types import MethodType
from typing import Any

import simpy
from simpy.core import BoundClass


class Clock(simpy.Environment):
    """``simpy.Environment`` plus pickling. simpy binds its event classes to each
    environment (``env.timeout`` is a bound class, which pickle cannot name) and counts
    event ids with ``itertools.count`` (whose pickling is deprecated): both are rebuilt."""

    def __getstate__(self) -> dict[str, Any]:
        state = {
            k: v
            for k, v in self.__dict__.items()
            if not (isinstance(v, MethodType) and v.__self__ is self)
        }
        state["_eid"] = int(repr(self._eid)[len("count(") : -1])  # the next event id
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._eid = count(state["_eid"])
        BoundClass.bind_early(self)
