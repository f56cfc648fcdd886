"""Where everything sits on the canvas, in scene units (the view scales to fit).

Pure geometry, no Qt. The scene is always 1600 units wide; its height follows the
view's aspect ratio so the picture fills the window. Up to sixteen server cards sit in
one or two columns, more in columns of up to sixteen compact cards, without overlap,
with the store to their right when in use, and the lesson's tier columns (its
``Topology``) to the right of everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from visualizer.ui.canvas.topology import FLEET, ONE_TIER, Link, Topology

SCENE_W = 1600.0
#: A compact scene (compare mode: two canvases share the width): no client lanes, the
#: balancer at the left, so half a window still shows readable cards.
COMPACT_W = 1150.0
MIN_H, MAX_H = 560.0, 1300.0
LANES = 6
MARGIN = 22.0
MAX_ROWS = 16  # cards in one column when there are more than 16 servers
TIER_W, TIER_GAP = 250.0, 46.0  # a tier column's width and the gap left of it
COMPACT_TIER_W, COMPACT_TIER_GAP = 262.0, 20.0
MAX_NODE_H = 240.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersects(self, other: Rect) -> bool:
        return not (
            self.right <= other.x
            or other.right <= self.x
            or self.bottom <= other.y
            or other.bottom <= self.y
        )


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    lanes_header: Rect
    lanes: tuple[Rect, ...]
    balancer: Rect
    servers: dict[int, Rect]  # engine index -> card
    store: Rect | None
    nodes: dict[str, Rect] = field(default_factory=dict)  # the tier nodes by key
    hops: tuple[str, ...] = ()  # the node a FORWARDED record's detail names (Topology)

    @property
    def above_balancer(self) -> Rect:
        """Free space between the lanes and the cards, above the balancer: notices and
        captions go here, never over a card's numbers."""
        x = self.lanes_header.right + 24
        right = min((r.x for r in self.servers.values()), default=self.width) - 24
        return Rect(x, MARGIN, right - x, self.balancer.y - 16 - MARGIN)

    @property
    def below_balancer(self) -> Rect:
        """Free space below the balancer: the headline counters."""
        above = self.above_balancer
        top = self.balancer.bottom + 16
        return Rect(above.x, top, above.w, self.height - MARGIN - top)

    def lane_anchor(self, lane: int) -> tuple[float, float]:
        r = self.lanes[lane]
        return r.right, r.cy

    @property
    def balancer_point(self) -> tuple[float, float]:
        return self.balancer.cx, self.balancer.cy


def scene_height(view_w: float, view_h: float, scene_w: float = SCENE_W) -> float:
    """Scene height matching the view's aspect ratio, within sensible bounds."""
    if view_w <= 0 or view_h <= 0:
        return 900.0
    return max(MIN_H, min(MAX_H, scene_w * view_h / view_w))


def compute_layout(
    server_indices: list[int],
    topology: Topology = ONE_TIER,
    height: float = 900.0,
    *,
    compact: bool = False,
) -> Layout:
    """Cards for the given servers (engine indices, in order), lanes, balancer, and what
    the topology adds (store, tier columns). Compact: no lanes (requests come in from the
    left edge), everything closer."""
    show_store = topology.store
    top, bottom = MARGIN, height - MARGIN
    width = COMPACT_W if compact else SCENE_W
    lane_w = 0.0 if compact else 170.0
    header = Rect(MARGIN, top, lane_w, 0.0 if compact else 52.0)
    lanes_top = header.bottom + 8
    lane_h = (bottom - lanes_top) / LANES
    lanes = tuple(
        Rect(MARGIN, lanes_top + i * lane_h + 4, lane_w, lane_h - 8) for i in range(LANES)
    )
    bal_h = min(230.0, height * 0.34)
    balancer = Rect(50.0 if compact else 340.0, height / 2 - bal_h / 2, 210.0, bal_h)
    n = max(1, len(server_indices))
    # up to 8 cards in a column, 16 in two; beyond that columns of up to 16 compact cards
    columns = 1 if n <= 8 else 2 if n <= 16 else -(-n // MAX_ROWS)
    rows = -(-n // columns)
    tier_w, tier_gap = (COMPACT_TIER_W, COMPACT_TIER_GAP) if compact else (TIER_W, TIER_GAP)
    tiers_x = width - MARGIN - len(topology.columns) * (tier_w + tier_gap) + tier_gap
    nodes = _tier_nodes(topology, tiers_x, tier_w, tier_gap, top, bottom)
    edge = tiers_x - tier_gap if topology.columns else width - MARGIN
    store_w = SCENE_W - MARGIN - 1325.0
    store_x = edge - store_w
    left = 300.0 if compact else 660.0
    right = store_x - 35.0 if show_store else edge
    gap_x, gap_y = (18.0, 10.0) if n <= 16 else (10.0, 6.0)
    col_w = (right - left - gap_x * (columns - 1)) / columns
    card_h = min(210.0, (bottom - top - gap_y * (rows - 1)) / rows)
    used = rows * card_h + (rows - 1) * gap_y
    y0 = top + (bottom - top - used) / 2
    servers = {}
    for k, index in enumerate(server_indices):
        col, row = divmod(k, rows)
        servers[index] = Rect(
            left + col * (col_w + gap_x), y0 + row * (card_h + gap_y), col_w, card_h
        )
    store = None
    if show_store:
        store_h = min(300.0, height * 0.45)
        store = Rect(store_x, height / 2 - store_h / 2, store_w, store_h)
    return Layout(
        width=width,
        height=height,
        lanes_header=header,
        lanes=lanes,
        balancer=balancer,
        servers=servers,
        store=store,
        nodes=nodes,
        hops=topology.hops,
    )


Point = tuple[float, float]


def wires(layout: Layout, links: tuple[Link, ...] = ()) -> list[tuple[Point, Point, bool]]:
    """The faint connections (start, end, dashed): lanes → balancer → cards (→ store,
    dashed), then the topology's links: from every card for ``FLEET``, down between two
    nodes of one column, else from a node's right edge to the next one's left."""
    by = layout.balancer_point[1]
    out = [
        (layout.lane_anchor(i), (layout.balancer.x, by), False) for i in range(len(layout.lanes))
    ]
    for r in layout.servers.values():
        out.append(((layout.balancer.right, by), (r.x, r.cy), False))
        if layout.store is not None:
            out.append(((r.right, r.cy), (layout.store.x, layout.store.cy), True))
    nodes = layout.nodes
    for link in links:
        end = nodes[link.end]
        if link.start == FLEET:
            starts = [(r.right, r.cy) for r in layout.servers.values()]
        elif nodes[link.start].x == end.x:  # one column: straight down
            start = nodes[link.start]
            out.append(((start.cx, start.bottom), (end.cx, end.y), link.dashed))
            continue
        else:
            starts = [(nodes[link.start].right, nodes[link.start].cy)]
        out.extend((a, (end.x, end.cy), link.dashed) for a in starts)
    return out


def _tier_nodes(
    topology: Topology, x0: float, w: float, gap: float, top: float, bottom: float
) -> dict[str, Rect]:
    """Each column's nodes stacked and centred, as tall as the column allows (a queue a
    little taller than a box)."""
    out: dict[str, Rect] = {}
    for k, column in enumerate(topology.columns):
        x = x0 + k * (w + gap)
        n = len(column)
        gap_y = 26.0
        h = min(MAX_NODE_H, (bottom - top - gap_y * (n - 1)) / max(n, 1))
        used = n * h + (n - 1) * gap_y
        y = top + (bottom - top - used) / 2
        for node in column:
            out[node.key] = Rect(x, y, w, h)
            y += h + gap_y
    return out


def nice_scale(mb: float) -> float:
    """Smallest 1-2-5 step at or above ``mb`` (memory bars share one scale)."""
    if mb <= 1.0:
        return 1.0
    exp = 10 ** math.floor(math.log10(mb))
    for m in (1, 2, 5, 10):
        if m * exp >= mb:
            return m * exp
    return 10 * exp
