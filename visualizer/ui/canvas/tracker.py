"""Where every request in flight is, at any simulated time, from the engine's events.

Each request occupies one slot of fixed-size numpy arrays; a frame computes all
positions at once from the simulated timestamps (sent, arrived, started, store round
trip, finished), so pauses and speed changes are exact. No Qt here.

Path of a request: client lane → balancer → server card (queue, then work area; to the
store and back first when its session lives there) → balancer → client lane. A request
the lesson passes on (a FORWARDED record) moves on to that tier node and comes back from
there past its card. A pushed message is a dot of its own, server → balancer → lane; a
response that carried nothing (an empty poll) goes back grey.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from visualizer.sim.records import ErrorCode, EventKind, Row
from visualizer.ui.canvas.layout import LANES, Layout
from visualizer.ui.colors import USER_COLORS, user_color_index

FAILED_SPRITE = len(USER_COLORS)  # sprite index of a failed request
EMPTY_SPRITE = FAILED_SPRITE + 1  # a response that carried nothing (grey)
MESSAGE_SPRITE = FAILED_SPRITE + 2  # a message on its way to its user
HOP_S = 0.5  # of a network delay: a forwarded request's move from its card to its tier
QUEUE_DOTS = 12  # queued requests drawn per server; the card says how many there are
INF = np.inf

# event rows hold plain values (``records.Row``)
SENT, STARTED, SERVED, FAILED = (
    int(EventKind.SENT),
    int(EventKind.STARTED),
    int(EventKind.SERVED),
    int(EventKind.FAILED),
)
FORWARDED, MESSAGES = int(EventKind.FORWARDED), int(EventKind.MESSAGES)


@dataclass(frozen=True)
class Failure:
    """A failed request, for the code label shown briefly where it failed."""

    t: float
    x: float
    y: float
    server: int  # engine index, -1 at the balancer
    code: ErrorCode
    at_tier: bool = False  # it failed at the tier it was forwarded to, not at its card


def lane_of(user: int) -> int:
    return (user * 40503 & 0xFFFF) % LANES


def _jitter(rid: int) -> tuple[float, float]:
    h = (rid * 2654435761) & 0xFFFFFFFF
    return (h & 0xFFFF) / 65535.0, (h >> 16) / 65535.0


class RequestTracker:
    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = 0
        self._slot_of: dict[int, int] = {}
        self._free: list[int] = []
        self._grow(capacity)
        self._geometry_ok = False
        self.jump = False  # reduced motion: dots sit at each hop instead of sliding
        self._last: tuple[np.ndarray, np.ndarray, np.ndarray] = (np.zeros(0, int),) * 3
        self._last_now = 0.0
        self._slots = 64
        self.set_layout(None)

    # --- storage -------------------------------------------------------------------

    def _grow(self, capacity: int) -> None:
        old = self._capacity
        fields = {
            "active": (bool, False),
            "t_sent": (np.float64, 0.0),
            "t_arrive": (np.float64, INF),
            "t_start": (np.float64, INF),
            "rtt": (np.float64, 0.0),
            "t_end": (np.float64, INF),
            "net": (np.float64, 0.0),
            "server": (np.int16, -1),
            "lane": (np.int8, 0),
            "sprite": (np.int16, 0),
            "rid": (np.int64, 0),  # request id (what a click on the dot inspects)
            "user": (np.int64, 0),
            "jx": (np.float32, 0.0),
            "jy": (np.float32, 0.0),
            "ox": (np.float64, 0.0),  # where the return trip starts
            "oy": (np.float64, 0.0),
            "t_fwd": (np.float64, INF),  # passed on to a tier node (FORWARDED)
            "tier": (np.int16, -1),
        }
        for name, (dtype, fill) in fields.items():
            arr = np.full(capacity, fill, dtype=dtype)
            if old:
                arr[:old] = getattr(self, name)
            setattr(self, name, arr)
        self._free.extend(range(capacity - 1, old - 1, -1))
        self._capacity = capacity

    def reset(self) -> None:
        self.active[:] = False
        self._slot_of.clear()
        self._free = list(range(self._capacity - 1, -1, -1))

    def __len__(self) -> int:
        return len(self._slot_of)

    # --- geometry ----------------------------------------------------------------------

    def set_layout(self, layout: Layout | None) -> None:
        """Anchor points per engine server index (cards may move when the fleet changes)."""
        # indexed by engine server index, which grows as servers come and go (never
        # shrinks: requests to a removed server may still be on their way back)
        n = max([self._slots, *(i + 1 for i in (layout.servers if layout else {}))])
        self._slots = n
        self.in_x = np.zeros(n)
        self.in_y = np.zeros(n)
        self.q_x, self.q_y, self.q_w, self.q_h = (np.zeros(n) for _ in range(4))
        self.w_x, self.w_y, self.w_w, self.w_h = (np.zeros(n) for _ in range(4))
        self.port_x = np.zeros(n)
        self.port_y = np.zeros(n)
        self.lane_x = np.zeros(LANES)
        self.lane_y = np.zeros(LANES)
        self.lb = (0.0, 0.0)
        self.store = (0.0, 0.0)
        hops = layout.hops if layout is not None else ()
        # per hop: its entry (left edge, middle) and the area its requests sit in
        self.t_x, self.t_y, self.t_w, self.t_h = (np.zeros(max(len(hops), 1)) for _ in range(4))
        self._hops = len(hops)  # FORWARDED records name one of these (else: ignored)
        self._geometry_ok = layout is not None
        if layout is None:
            return
        for k, key in enumerate(hops):
            r = layout.nodes[key]
            self.t_x[k], self.t_y[k] = r.x + r.w * 0.06, r.y + r.h * 0.42
            self.t_w[k], self.t_h[k] = r.w * 0.16, r.h * 0.4
        for i in range(LANES):
            self.lane_x[i], self.lane_y[i] = layout.lane_anchor(i)
        self.lb = layout.balancer_point
        for index, r in layout.servers.items():
            self.in_x[index], self.in_y[index] = r.x, r.cy
            # below the header of either card style (see card.py), left of its numbers
            pad = min(10.0, r.h * 0.1)
            self.q_x[index], self.q_y[index] = r.x + pad, r.y + r.h * 0.44
            self.q_w[index], self.q_h[index] = r.w * 0.08, r.h * 0.34
            self.w_x[index], self.w_y[index] = r.x + r.w * 0.135, r.y + r.h * 0.44
            self.w_w[index], self.w_h[index] = r.w * 0.1, r.h * 0.34
            self.port_x[index], self.port_y[index] = r.right, r.cy
        if layout.store is not None:
            self.store = (layout.store.x, layout.store.cy)

    # --- events ------------------------------------------------------------------------

    def feed(self, events: list[Row], net_s: float) -> list[Failure]:
        """Apply event rows (``records.Row``, oldest first); returns the failures among
        them."""
        failures: list[Failure] = []
        slot_of = self._slot_of
        ended: dict[int, int] = {}  # requests answered in this batch: request -> slot
        for t, kind, request, user, server, detail in events:
            if kind == SENT:
                i = slot_of[request] = self._take(t, server, user, net_s)
                self.t_arrive[i] = t + net_s
                self.t_start[i] = INF
                self.t_end[i] = INF
                self.rid[i] = request
                self.sprite[i] = user_color_index(user)
                self.jx[i], self.jy[i] = _jitter(request)
            elif kind == STARTED:
                i = slot_of.get(request)
                if i is not None:
                    self.t_start[i] = t
                    self.rtt[i] = detail
            elif kind == FORWARDED:
                i = slot_of.get(request)
                if i is not None and 0 <= detail < self._hops:
                    self.t_fwd[i] = t
                    self.tier[i] = detail
            elif kind in (SERVED, FAILED):
                i = slot_of.pop(request, None)
                if i is None:
                    continue
                self.t_end[i] = t
                ended[request] = i
                at = int(self.server[i])
                tier = int(self.tier[i])
                if tier >= 0:
                    x, y = self.t_x[tier], self.t_y[tier] + self.t_h[tier] / 2
                elif 0 <= at < self.in_x.size and self._geometry_ok:
                    x, y = self.in_x[at], self.in_y[at]
                else:
                    x, y = self.lb
                self.ox[i], self.oy[i] = x, y
                if kind == FAILED:
                    self.sprite[i] = FAILED_SPRITE
                    code = ErrorCode(detail)  # (rows hold its value)
                    failures.append(Failure(t, float(x), float(y), at, code, tier >= 0))
            elif kind == MESSAGES:
                i = ended.get(request)
                if i is not None:  # the response just answered: grey if it carried nothing
                    self.sprite[i] = MESSAGE_SPRITE if detail else EMPTY_SPRITE
                elif request == 0 and server >= 0 and self._geometry_ok:
                    self._message(t, server, user, net_s)
        return failures

    def _take(self, t: float, server: int, user: int, net_s: float) -> int:
        """A free slot for a dot that leaves at ``t`` from or to ``server``."""
        if not self._free:
            self._grow(self._capacity * 2)
        i = self._free.pop()
        self.active[i] = True
        self.t_sent[i] = t
        self.rtt[i] = 0.0
        self.net[i] = net_s
        self.server[i] = server
        self.user[i] = user
        self.lane[i] = lane_of(user)
        self.t_fwd[i] = INF
        self.tier[i] = -1
        return i

    def _message(self, t: float, server: int, user: int, net_s: float) -> None:
        """A frame pushed from its server: a dot of its own on the way back only."""
        i = self._take(t, server, user, net_s)
        self.t_arrive[i] = self.t_start[i] = self.t_end[i] = t
        self.rid[i] = -1  # not a request: a click on it inspects its user
        self.sprite[i] = MESSAGE_SPRITE
        self.jx[i], self.jy[i] = 0.5, 0.5
        at = min(server, self.in_x.size - 1)  # (a server not laid out yet: the last anchor)
        self.ox[i], self.oy[i] = self.in_x[at], self.in_y[at]

    # --- a frame -----------------------------------------------------------------------

    def positions(self, now: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, sprite) of every request visible at ``now``; frees finished slots."""
        idx = np.flatnonzero(self.active)
        if idx.size:
            gone = now >= self.t_end[idx] + self.net[idx]
            if gone.any():
                finished = idx[gone]
                self.active[finished] = False
                self._free.extend(finished.tolist())
                idx = idx[~gone]
        x, y = self._place(idx, now)
        shown = self._queue_cap(idx, now)
        if shown is not None:
            idx, x, y = idx[shown], x[shown], y[shown]
        self._last = (idx, x, y)
        self._last_now = now
        return x, y, self.sprite[idx]

    def _queue_cap(self, idx: np.ndarray, now: float) -> np.ndarray | None:
        """Past a dozen requests in a queue, the dots stop (the card writes the length):
        a queue of 27 is a number, not a blob. Returns which to show, or None for all."""
        queued = (now >= self.t_arrive[idx]) & (now < self.t_start[idx]) & (self.server[idx] >= 0)
        if np.count_nonzero(queued) <= QUEUE_DOTS:
            return None
        q = np.flatnonzero(queued)
        servers = self.server[idx[q]]
        order = np.lexsort((self.t_arrive[idx[q]], servers))
        ranked = servers[order]
        firsts = np.r_[0, np.flatnonzero(np.diff(ranked)) + 1]
        lengths = np.diff(np.r_[firsts, ranked.size])
        rank = np.arange(ranked.size) - np.repeat(firsts, lengths)
        shown = np.ones(idx.size, dtype=bool)
        shown[q[order[rank >= QUEUE_DOTS]]] = False
        return shown

    def hit(self, x: float, y: float, radius: float) -> tuple[int, int] | None:
        """(request, user) of the dot drawn nearest (x, y), within ``radius``."""
        idx, px, py = self._last
        if idx.size == 0:
            return None
        d = np.hypot(px - x, py - y)
        k = int(np.argmin(d))
        if d[k] > radius:
            return None
        return int(self.rid[idx[k]]), int(self.user[idx[k]])

    def users_shown(self, user: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions (as last drawn) of one user's dots: the followed user's marks."""
        idx, px, py = self._last
        mine = self.user[idx] == user
        return px[mine], py[mine]

    def users_shown_among(self, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions (as last drawn) of the dots of any of ``users`` (marked users)."""
        idx, px, py = self._last
        mine = np.isin(self.user[idx], users)
        return px[mine], py[mine]

    def latest_in_lane(self, lane: int) -> int | None:
        """The user of the most recent request from a client lane."""
        idx = np.flatnonzero(self.active & (self.lane == lane))
        if idx.size == 0:
            return None
        return int(self.user[idx[np.argmax(self.t_sent[idx])]])

    def trail(self, back: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where the requests of the last ``positions`` call were ``back`` simulated seconds
        earlier, for those that moved (the ghost dots of a motion trail)."""
        idx, x0, y0 = self._last
        if idx.size == 0:
            return np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int16)
        then = self._last_now - back
        was = then >= self.t_sent[idx]
        x1, y1 = self._place(idx, then)
        moved = was & ((np.abs(x1 - x0) + np.abs(y1 - y0)) > 2.0)
        return x1[moved], y1[moved], self.sprite[idx[moved]]

    def _place(self, idx: np.ndarray, now: float) -> tuple[np.ndarray, np.ndarray]:
        """Positions at ``now`` of the requests in slots ``idx``. Each phase (out, at the
        store, working, onward, back, else queued) reads only its own rows' fields: at
        20,000 in flight gathering every field for every row cost more than the maths."""
        if idx.size == 0:
            return np.zeros(0), np.zeros(0)
        ta, tst, te = self.t_arrive[idx], self.t_start[idx], self.t_end[idx]
        server = self.server[idx]
        srv = np.clip(server, 0, self.in_x.size - 1)  # (a server not laid out yet)
        bx, by = self.lb
        x = np.empty(idx.size)
        y = np.empty(idx.size)

        with np.errstate(divide="ignore", invalid="ignore"):
            out = now < ta
            started = (now >= tst) & (now < te)
            tf = self.t_fwd[idx]
            onward = (now >= tf) & (now < te)
            back = now >= te
            queued = ~(out | started | onward | back)  # waiting in the queue area
            if queued.any():
                i, s = idx[queued], srv[queued]
                x[queued] = self.q_x[s] + self.jx[i] * self.q_w[s]
                y[queued] = self.q_y[s] + self.jy[i] * self.q_h[s]

            if out.any():
                i, s = idx[out], srv[out]
                f = np.clip((now - self.t_sent[i]) / self.net[i], 0.0, 1.0)
                lane = self.lane[i]
                sx, sy = self.in_x[s], self.in_y[s]
                no_server = server[out] < 0
                if no_server.any():
                    sx = np.where(no_server, bx, sx)
                    sy = np.where(no_server, by, sy)
                x[out], y[out] = _along(f, self.lane_x[lane], self.lane_y[lane], bx, by, sx, sy)
                if self.jump:
                    x[out], y[out] = bx, by  # on the wire: shown at the balancer
            if started.any():
                at_store = started & (now < tst + self.rtt[idx])
                if at_store.any():
                    rtt = self.rtt[idx[at_store]]
                    f = np.clip((now - tst[at_store]) / rtt, 0.0, 1.0)
                    g = 1.0 - np.abs(2.0 * f - 1.0)  # there and back
                    if self.jump:
                        g = np.ones_like(g)
                    s = srv[at_store]
                    px, py = self.port_x[s], self.port_y[s]
                    x[at_store] = px + (self.store[0] - px) * g
                    y[at_store] = py + (self.store[1] - py) * g
                working = started & ~at_store
                if working.any():
                    i, s = idx[working], srv[working]
                    x[working] = self.w_x[s] + self.jx[i] * self.w_w[s]
                    y[working] = self.w_y[s] + self.jy[i] * self.w_h[s]
            if onward.any():
                i, s = idx[onward], srv[onward]
                k = self.tier[i]
                tx = self.t_x[k] + self.jx[i] * self.t_w[k]
                ty = self.t_y[k] + self.jy[i] * self.t_h[k]
                f = np.clip((now - tf[onward]) / (HOP_S * self.net[i]), 0.0, 1.0)
                if self.jump:
                    f = np.ones_like(f)
                px, py = self.port_x[s], self.port_y[s]
                x[onward] = px + (tx - px) * f
                y[onward] = py + (ty - py) * f

            if back.any():
                i = idx[back]
                f = np.clip((now - te[back]) / self.net[i], 0.0, 1.0)
                f = np.where(np.isfinite(f), f, 1.0)
                lane = self.lane[i]
                lx, ly = self.lane_x[lane], self.lane_y[lane]
                x[back], y[back] = _along(f, self.ox[i], self.oy[i], bx, by, lx, ly)
                via = self.tier[i] >= 0  # back from its tier, past its card
                if via.any():
                    j, s, at = i[via], srv[back][via], np.flatnonzero(back)[via]
                    x[at], y[at] = _polyline(
                        f[via],
                        [
                            (self.ox[j], self.oy[j]),
                            (self.port_x[s], self.port_y[s]),
                            (self.in_x[s], self.in_y[s]),
                            (bx, by),
                            (lx[via], ly[via]),
                        ],
                    )
                if self.jump:
                    x[back], y[back] = bx, by
        return x, y


def _along(
    f: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    bx: float,
    by: float,
    cx: np.ndarray,
    cy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Points a fraction ``f`` of the way along the polyline a → b → c (by length)."""
    l1 = np.hypot(bx - ax, by - ay)
    l2 = np.hypot(cx - bx, cy - by)
    d = f * (l1 + l2)
    first = d < l1
    u1 = d / np.maximum(l1, 1e-9)
    u2 = np.minimum((d - l1) / np.maximum(l2, 1e-9), 1.0)
    x = np.where(first, ax + (bx - ax) * u1, bx + (cx - bx) * u2)
    y = np.where(first, ay + (by - ay) * u1, by + (cy - by) * u2)
    return x, y


def _polyline(f: np.ndarray, points: list[tuple[Any, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Points a fraction ``f`` of the way along each row's polyline through ``points``
    (by length; a point is a pair of arrays, one value per row, or of scalars shared by
    every row). The general case, for the few paths through a tier: ``_along`` does the
    two-leg paths of every frame 2.5× faster."""
    xs = np.stack(np.broadcast_arrays(*(p[0] for p in points), f))[:-1]
    ys = np.stack(np.broadcast_arrays(*(p[1] for p in points), f))[:-1]
    seg = np.hypot(np.diff(xs, axis=0), np.diff(ys, axis=0))  # (k - 1, n)
    ends = np.cumsum(seg, axis=0)
    d = f * ends[-1]
    k = np.minimum((d[None, :] > ends).sum(axis=0), seg.shape[0] - 1)
    cols = np.arange(f.size)
    start = np.where(k > 0, ends[k - 1, cols], 0.0)
    u = np.clip((d - start) / np.maximum(seg[k, cols], 1e-9), 0.0, 1.0)
    x = xs[k, cols] + (xs[k + 1, cols] - xs[k, cols]) * u
    y = ys[k, cols] + (ys[k + 1, cols] - ys[k, cols]) * u
    return x, y
