"""The latest record of each of the most recent users, where the garbage collector never
looks.

A run indexes who came and went by user (the users' stories read it) for up to 200,000
users. Held as an ``OrderedDict`` of rows, every full collection visited its ints and
tuples one by one: 90 ms of a 150 ms full collection after an hour of sticky-crash,
paid by whichever seek or frame the collection fell in. Here the rows are marshalled to
bytes (exact for the plain values a row holds) in a plain dict of ints and bytes, which
CPython never tracks, and the order of arrival is an ``array`` of machine ints (no
objects in it for the collector to visit).
"""

from __future__ import annotations

import marshal
from array import array

from visualizer.sim.records import Row


class RecentRows:
    """``user → row`` for the ``limit`` users first recorded most recently (a user
    recorded again keeps their place, as in an ``OrderedDict``; the oldest leave at
    ``trim``, which a batch of records ends with)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._rows: dict[int, bytes] = {}
        self._order = array("q")  # users, oldest first, from ``_head`` on
        self._head = 0

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, user: object) -> bool:
        return user in self._rows

    def put(self, user: int, row: Row) -> None:
        rows = self._rows
        if user not in rows:
            self._order.append(user)
        rows[user] = marshal.dumps(row)

    def get(self, user: int) -> Row | None:
        data = self._rows.get(user)
        return None if data is None else marshal.loads(data)

    def copy(self) -> RecentRows:
        other = RecentRows(self.limit)
        other._rows = dict(self._rows)
        other._order = self._order[self._head :]
        return other

    def trim(self) -> None:
        """Down to ``limit`` users: the oldest go."""
        rows, order = self._rows, self._order
        while len(rows) > self.limit:
            del rows[order[self._head]]
            self._head += 1
        if self._head > len(order) // 2:  # (the array drops what left, now and then)
            del order[: self._head]
            self._head = 0
