"""The topology scene: lays out the nodes for the current fleet and updates a frame."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsScene

from visualizer.app.eventlog import Cursor, EventLog
from visualizer.sim.records import ErrorCode, Event, EventKind, Row, event_of
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.canvas.card import BOLD_BELOW_PX, ServerCard
from visualizer.ui.canvas.connections import ConnectionLines
from visualizer.ui.canvas.dots import FailureFlashes, RequestDots, dot_size
from visualizer.ui.canvas.layout import (
    COMPACT_W,
    SCENE_W,
    Layout,
    compute_layout,
    nice_scale,
    wires,
)
from visualizer.ui.canvas.nodes import (
    BalancerNode,
    BalancerState,
    ClientLanes,
    StoreNode,
    Wires,
    chip_at,
)
from visualizer.ui.canvas.overlays import (
    Banner,
    Caption,
    ChipBurst,
    FollowMarks,
    Headline,
    HeadlineCounters,
    UserMarks,
)
from visualizer.ui.canvas.tiers import TierBox
from visualizer.ui.canvas.topology import ONE_TIER, Topology
from visualizer.ui.canvas.tracker import Failure, RequestTracker
from visualizer.ui.colors import ERROR_COLORS, Theme
from visualizer.ui.lesson.explain import CAPTIONED, caption_for
from visualizer.ui.lesson.views import view_for

TRAIL_MAX_DOTS = 1_000  # above this, no trails: the crowd shows motion by itself
TRAIL_STEP_WALL_S = 0.018  # ghosts every 18 ms of wall time, whatever the speed
TRAIL_OPACITY = (0.45, 0.28, 0.15)
CARD_MIN_GAP_S = 0.25  # a card redraws its numbers at most 4×/s (faster is unreadable)
CARDS_PER_FRAME = 2
#: Tier nodes drawn shorter than this many pixels use the bold style (their rows of
#: small print stay readable further down than a card's).
TIER_BOLD_BELOW_PX = 110.0


#: Presenter mode's smallest type on the canvas, in device pixels: what a room reads on a
#: 1280x720 projector.
PRESENTER_LEAST_PX = 16.0


class TopologyScene(QGraphicsScene):
    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.tracker = RequestTracker()
        self.cursor = Cursor()  # where this view is in the run's event log
        self.layout_: Layout = compute_layout([0])
        self.topology_: Topology = ONE_TIER
        self.height_ = 900.0
        self.compact = False  # compare mode: no client lanes, a narrower scene
        self._fleet_key: tuple = ()
        self.reduced_motion = False
        self.speed = 1.0  # simulated seconds per wall second (trails, ages of effects)
        self.moving = False  # playing: trails are drawn
        self._others_refreshed = 0.0
        self._exporting = False
        self.wires = Wires(theme)
        self.lanes = ClientLanes(self.layout_.lanes_header, self.layout_.lanes, theme)
        self.balancer = BalancerNode(self.layout_.balancer, theme)
        self.store_node = StoreNode(self.layout_.balancer, theme)
        self.store_node.setVisible(False)
        self.cards: dict[int, ServerCard] = {}
        self.tiers: dict[str, TierBox] = {}  # the lesson's tier nodes by key
        self.connections = ConnectionLines()
        self.connections.set_background(theme.canvas)
        self.dots = RequestDots()
        self.flashes = FailureFlashes()
        self.flashes.room_of = lambda i: c.label_room() if (c := self.cards.get(i)) else None
        self.bursts: list[ChipBurst] = []
        self.banner = Banner("❚❚  Paused — press Space to run", theme, short="❚❚  Paused")
        self.caption = Caption(theme)
        self.captions = False  # presenter mode shows notable events as captions
        self.headline = HeadlineCounters(theme)
        self.bold_cards = False  # presenter mode: fewer rows, bigger numbers
        self.least_px = 0.0  # presenter mode: no word smaller (device pixels; see painted)
        self.view_scale = 1.0  # pixels per scene unit (the view tells us)
        self._mem_scale = 1.0  # the cards' shared memory scale only grows within a run
        self.follow_marks = FollowMarks(theme)
        self.user_marks = UserMarks(ERROR_COLORS[ErrorCode.REVOKED])
        self._noted_t: float | None = None  # the lesson's notes up to here are shown
        self.following: int | None = None
        self.following_server: int | None = None
        self.about: object = None  # what the lesson knows of the followed user (cards say it)
        for item in (
            self.wires,
            self.lanes,
            self.balancer,
            self.store_node,
            self.connections,
            self.dots,
            self.flashes,
            self.banner,
            self.caption,
            self.follow_marks,
            self.user_marks,
            self.headline,
        ):
            self.addItem(item)
        self.setBackgroundBrush(QColor(theme.canvas))
        self.setSceneRect(QRectF(0, 0, SCENE_W, self.height_))

    # --- layout -------------------------------------------------------------------------

    @property
    def scene_w(self) -> float:
        return COMPACT_W if self.compact else SCENE_W

    def set_compact(self, on: bool) -> None:
        """The compact scene (compare mode) or the full one; laid out on the next frame."""
        if on != self.compact:
            self.compact = on
            self.lanes.setVisible(not on)
            self.setSceneRect(QRectF(0, 0, self.scene_w, self.height_))
            self._fleet_key = ()

    def set_presenting(self, on: bool) -> None:
        """Presenter mode: notable events as captions, cards in big type with fewer rows,
        and no word smaller than ``PRESENTER_LEAST_PX`` (what does not fit at that size is
        left out; the speaker says it)."""
        self.captions = on
        self.bold_cards = on
        least = PRESENTER_LEAST_PX if on else 0.0
        if least != self.least_px:
            self.least_px = least
            for item in self.items():
                item.update()  # (their cached pictures were drawn under the old floor)

    def set_height(self, height: float) -> None:
        if abs(height - self.height_) > 0.5:
            self.height_ = height
            self.setSceneRect(QRectF(0, 0, self.scene_w, height))
            self._fleet_key = ()  # force a relayout on the next frame

    def _relayout(self, indices: list[int], topology: Topology) -> None:
        layout = compute_layout(indices, topology, self.height_, compact=self.compact)
        self.layout_ = layout
        self.topology_ = topology
        self._place_tiers(topology, layout)
        for index in list(self.cards):
            if index not in layout.servers:
                self.removeItem(self.cards.pop(index))
        for index, rect in layout.servers.items():
            card = self.cards.get(index)
            if card is None:
                card = self.cards[index] = ServerCard(index, rect, self.theme)
                self.addItem(card)
            card.set_rect(rect)
        self.lanes.set_geometry(layout.lanes_header, layout.lanes)
        self.balancer.set_rect(layout.balancer)
        self.store_node.setVisible(layout.store is not None)
        if layout.store is not None:
            self.store_node.set_rect(layout.store)
        self.tracker.set_layout(layout)
        self.banner.place(layout.above_balancer)
        self.caption.place(layout.above_balancer)
        self.headline.set_rect(layout.below_balancer)
        lines = [
            (QPointF(*a), QPointF(*b), dashed) for a, b, dashed in wires(layout, topology.links)
        ]
        self.wires.set_lines(lines, QRectF(0, 0, self.scene_w, self.height_))

    def _place_tiers(self, topology: Topology, layout: Layout) -> None:
        """One box per tier node of the lesson's topology (old ones go)."""
        keep = {node.key: node for node in topology.nodes}
        for key in list(self.tiers):
            if key not in keep or self.tiers[key].node != keep[key]:
                self.removeItem(self.tiers.pop(key))
        for key, node in keep.items():
            box = self.tiers.get(key)
            if box is None:
                box = self.tiers[key] = TierBox(node, layout.nodes[key], self.theme)
                self.addItem(box)
            box.set_rect(layout.nodes[key])

    # --- a frame ------------------------------------------------------------------------

    def _feed_quietly(self, events: list[Row], snapshot: Snapshot) -> None:
        """Requests in flight at a moment jumped to, without replaying old effects."""
        self.tracker.feed(events, snapshot.config.network.latency_ms / 1000.0)

    def reset(self) -> None:
        self.tracker.reset()
        self.caption.show_text("", -1e9)
        self._mem_scale = 1.0
        self.flashes.clear()
        self._noted_t = None  # (a new run, or a jump: old notes do not flash again)
        self.user_marks.show([])
        for burst in self.bursts:
            self.removeItem(burst)
        self.bursts.clear()
        self._place_dots(0.0)

    def update_frame(
        self,
        snapshot: Snapshot,
        log: EventLog,
        *,
        refresh_nodes: bool = True,
        refresh_cards: bool = True,
        wall: float | None = None,
        numbers: bool = True,
    ) -> None:
        """Read new event records from the run's log and move the dots to ``snapshot.t``.
        Cards whose numbers changed redraw a few per frame (all at once with
        ``refresh_nodes``; none if not ``refresh_cards``, unless the fleet changed). The
        headline counters change only with ``numbers``: the window sets every number it
        shows (headline, plots' totals, scoreboard, strip) at the same moments, from the
        same snapshot."""
        wall = time.monotonic() if wall is None else wall
        events = log.read(self.cursor)
        fresh = self.cursor.fresh  # a new run, or this one rewound: drawn from its records
        if fresh:
            self.reset()
        # the fleet of the moment laid out first: the records place their requests at its
        # servers' cards (after a jump they may name servers the canvas has not seen)
        indices = [s.index for s in snapshot.servers]
        topology = view_for(snapshot.config).topology(snapshot)
        key = (tuple(indices), topology, self.height_)
        if key != self._fleet_key:
            self._fleet_key = key
            self._relayout(indices, topology)
            refresh_nodes = True
        if fresh:
            self._feed_quietly(events, snapshot)
            events = []
        if events:
            # Effects age by simulated time at the current speed: after a big step only
            # what happened in the last moment still flashes (as it would live).
            now = snapshot.t

            def since(t: float) -> float:
                return wall - (now - t) / max(self.speed, 1e-9)

            # the few notable records, typed (rows are plain tuples: records.Row)
            fleet = [event_of(row) for row in events if row[1] in CAPTIONED]
            self._bursts_for(fleet, since)
            if self.captions:
                notable = [(e, caption_for(e, snapshot.config)) for e in fleet]
                notable = [(e, text) for e, text in notable if text]
                if notable:
                    e, text = notable[-1]
                    self.caption.show_text(text, since(e.t))
            net = snapshot.config.network.latency_ms / 1000.0
            failures = self.tracker.feed(events, net)
            if failures:
                for f in failures:
                    self.flashes.add([self._label_spot(f)], since(f.t))
        self._place_dots(snapshot.t)
        if self.following is not None:
            self._mark_followed()
        self._lesson_marks(snapshot, wall)
        self.update_effects(wall)
        budget = len(self.cards) if refresh_nodes else CARDS_PER_FRAME if refresh_cards else 0
        self._refresh_nodes(snapshot, wall, budget)
        if refresh_nodes or wall - self._others_refreshed >= CARD_MIN_GAP_S:
            self._others_refreshed = wall
            self._refresh_others(snapshot)
        if numbers:
            self.show_numbers(snapshot)

    def show_numbers(self, snapshot: Snapshot) -> None:
        """The headline counters as of ``snapshot``."""
        self.headline.set_headline(Headline(view_for(snapshot.config).headline(snapshot)))

    def _place_dots(self, now: float) -> None:
        """Dots at ``now`` plus, while there are few, fading ghosts where they just were."""
        x, y, sprite = self.tracker.positions(now)
        if self.reduced_motion or x.size == 0 or x.size > TRAIL_MAX_DOTS or not self.moving:
            self.dots.set_points(x, y, sprite)
            return
        layers = []
        for k, alpha in reversed(list(enumerate(TRAIL_OPACITY, start=1))):
            gx, gy, gs = self.tracker.trail(TRAIL_STEP_WALL_S * k * self.speed)
            layers.append((gx, gy, gs, np.full(gx.size, alpha)))
        layers.append((x, y, sprite, np.ones(x.size)))
        self.dots.set_points(*(np.concatenate(parts) for parts in zip(*layers, strict=True)))

    def _label_spot(self, failure: Failure) -> Failure:
        """A dead card shows a big DOWN badge at its left: its codes flash to the right."""
        card = self.cards.get(failure.server)
        if failure.code is ErrorCode.SERVER_DOWN and card is not None and not failure.at_tier:
            r = card.rect
            return dataclasses.replace(failure, x=r.x + r.w * 0.68, y=r.y + r.h * 0.42)
        return failure

    def _refresh_nodes(self, snapshot: Snapshot, wall: float, budget: int) -> None:
        """Redraw cards whose numbers changed: each at most every ``CARD_MIN_GAP_S`` and at
        most ``budget`` per frame, so sixteen cards never repaint in one frame. A change of
        status (up, down, rotation, draining) always reaches its card at once."""
        config = snapshot.config
        cap = config.servers.memory_mb
        peak = max((s.memory_mb for s in snapshot.servers), default=0.0)
        self._mem_scale = max(self._mem_scale, nice_scale(max(peak, 1.0)))
        scale = cap if cap > 0 else self._mem_scale
        lesson = view_for(config)
        views = sorted(
            (v for v in snapshot.servers if v.index in self.cards),
            key=lambda v: self.cards[v.index].refreshed,
        )
        everything = budget >= len(views)
        for view in views:
            card = self.cards[view.index]
            shown = card.view
            urgent = shown is None or (shown.up, shown.in_rotation, shown.draining) != (
                view.up,
                view.in_rotation,
                view.draining,
            )
            if not (everything or urgent) and wall - card.refreshed < CARD_MIN_GAP_S:
                continue
            if budget <= 0 and not urgent:
                continue
            bold = self.bold_cards or card.rect.h * self.view_scale < BOLD_BELOW_PX
            words = lesson.card_words(snapshot, view, self.about)
            short = lesson.card_words_short(snapshot, view, self.about) if self.least_px else ""
            down = lesson.down_words(snapshot, view)
            if card.set_view(view, scale, cap, bold, words, down, short):
                budget -= 1
            card.refreshed = wall

    def _refresh_others(self, snapshot: Snapshot) -> None:
        config = snapshot.config
        self.balancer.set_state(
            BalancerState(
                algorithm=config.balancer.algorithm.value,
                sticky=config.balancer.sticky,
                health_check_s=config.balancer.health_check_s,
                in_rotation=sum(s.in_rotation for s in snapshot.servers),
                live=sum(not s.draining for s in snapshot.servers),
                bold=self.bold_cards,
            )
        )
        self.lanes.set_users(snapshot.users_active)
        if self.store_node.isVisible():
            words = view_for(snapshot.config).store_words(snapshot)
            self.store_node.set_view(snapshot.store, words, self.bold_cards)
        lesson = view_for(config)
        self.connections.show(lesson.connections(snapshot), self.layout_)
        if self.tiers:
            facts = lesson.node_facts(snapshot)
            # one style for every tier: bold in presenter mode or when one is drawn small
            low = min(box.rect.h for box in self.tiers.values()) * self.view_scale
            bold = self.bold_cards or low < TIER_BOLD_BELOW_PX
            for key, box in self.tiers.items():
                box.set_facts(facts.get(key), bold)

    def _bursts_for(self, events: list[Event], since: Callable[[float], float]) -> None:
        if self.reduced_motion:
            return
        for e in events:
            if e.kind is EventKind.SERVER_CRASHED:
                card = self.cards.get(e.server)
                if card is not None and card.chips:
                    r = card.rect
                    self._burst(card.chips, QPointF(r.cx, r.cy), 14.0, since(e.t))
            elif e.kind is EventKind.STORE_CRASHED and self.store_node.chips:
                r = self.store_node.rect
                self._burst(self.store_node.chips, QPointF(r.cx, r.cy), 9.0, since(e.t))

    def _burst(self, chips: list, center: QPointF, size: float, t0: float) -> None:
        burst = ChipBurst(list(chips), center, size, t0)
        self.bursts.append(burst)
        self.addItem(burst)

    def update_effects(self, wall: float | None = None) -> None:
        """Animate wall-clock effects (code flashes, chip bursts) while the run is paused."""
        wall = time.monotonic() if wall is None else wall
        self.caption.tick(wall)
        if self.flashes.visible_codes:
            self.flashes.tick(wall)
        for burst in list(self.bursts):
            burst.tick(wall)
            if burst.done:
                self.bursts.remove(burst)
                self.removeItem(burst)

    def set_paused(self, paused: bool) -> None:
        if paused != self.banner.isVisible() and not self._exporting:
            self.banner.setVisible(paused)

    @contextmanager
    def for_export(self) -> Iterator[None]:
        """Without the on-screen notices (pause banner, captions, what a click does)
        while rendering a file."""
        shown = self.banner.isVisible(), self.caption.isVisible()
        self._exporting = True
        self.banner.hide()
        self.caption.hide()
        self._set_hints(False)
        try:
            yield
        finally:
            self._exporting = False
            self.banner.setVisible(shown[0])
            self.caption.setVisible(shown[1])
            self._set_hints(True)

    def _set_hints(self, on: bool) -> None:
        for card in self.cards.values():
            card.hints = on
            card.update()

    # --- hit testing ----------------------------------------------------------------------

    def inspect_at(self, pos: QPointF) -> tuple | None:
        """What a click at ``pos`` inspects: ("request", id, user) for a dot, ("user", user)
        for a session chip or a client lane (its latest user), else None."""
        radius = dot_size(self.dots.count) / 2 + 4
        hit = self.tracker.hit(pos.x(), pos.y(), radius)
        if hit is not None:
            request, user = hit
            return ("request", request, user) if request >= 0 else ("user", user)
        nodes = [*self.cards.values()]
        if self.store_node.isVisible():
            nodes.append(self.store_node)
        for node in nodes:
            user = chip_at(node, pos)
            if user is not None:
                return ("user", user)
        lane = self.lanes.lane_at(pos)
        if lane is not None:
            user = self.tracker.latest_in_lane(lane)
            if user is not None:
                return ("user", user)
        return None

    def set_follow(self, user: int | None, server: int | None) -> None:
        """Mark ``user`` (None: nobody) and the server they are pinned to."""
        if user != self.following:
            self.about = None
        self.following = user
        self.following_server = server
        self._mark_followed()

    def _lesson_marks(self, snapshot: Snapshot, wall: float) -> None:
        """The lesson's marked users' dots, and its new notes flashed on their cards."""
        lesson = view_for(snapshot.config)
        marked = lesson.marked_users(snapshot)
        if marked:
            xs, ys = self.tracker.users_shown_among(np.asarray(marked))
            self.user_marks.show(
                [QPointF(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
            )
        else:
            self.user_marks.show([])
        notes = lesson.notes(snapshot)
        seen = self._noted_t
        self._noted_t = snapshot.t
        if seen is None or not notes:
            return
        for note in notes:
            card = self.cards.get(note.server)
            if note.t <= seen or card is None:
                continue
            r = card.rect
            # at the card's entry, as codes are; aged by simulated time as they are too
            when = wall - (snapshot.t - note.t) / max(self.speed, 1e-9)
            self.flashes.add_note(r.x, r.y + r.h * 0.42, note.server, note.text, note.color, when)

    def _mark_followed(self) -> None:
        user = self.following
        if user is None:
            self.follow_marks.show(None, [], None, None)
            return
        xs, ys = self.tracker.users_shown(user)
        points = [QPointF(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)]
        chip = None
        for node in (*self.cards.values(), self.store_node):
            for top_left, _, owner in node.chips:
                if owner == user:
                    chip = QRectF(top_left.x(), top_left.y(), node.chip_size, node.chip_size)
        card = self.cards.get(self.following_server) if self.following_server is not None else None
        rect = None if card is None else QRectF(card.rect.x, card.rect.y, card.rect.w, card.rect.h)
        self.follow_marks.show(user, points, chip, rect)

    def target_at(self, pos: QPointF) -> tuple[str, int] | None:
        """("server", index), ("store", -1), ("node", k) (the k-th tier node, see
        ``node_key``), ("balancer", -1) or None at a scene point."""
        for index, card in self.cards.items():
            if card.sceneBoundingRect().contains(pos):
                return ("server", index)
        for k, node in enumerate(self.topology_.nodes):
            box = self.tiers.get(node.key)
            if box is not None and box.sceneBoundingRect().contains(pos):
                return ("node", k)
        if self.store_node.isVisible() and self.store_node.sceneBoundingRect().contains(pos):
            return ("store", -1)
        if self.balancer.sceneBoundingRect().contains(pos):
            return ("balancer", -1)
        return None

    def node_key(self, k: int) -> str | None:
        """The key of the k-th tier node of the topology drawn now."""
        nodes = self.topology_.nodes
        return nodes[k].key if 0 <= k < len(nodes) else None

    def set_reduced_motion(self, on: bool) -> None:
        """No scattering chips, no trails, no drifting labels; dots jump from hop to hop."""
        self.reduced_motion = on
        self.tracker.jump = on
        self.flashes.rise = not on

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackgroundBrush(QColor(theme.canvas))
        self.connections.set_background(theme.canvas)
        items = (
            self.wires,
            self.lanes,
            self.balancer,
            self.store_node,
            self.banner,
            self.caption,
            self.follow_marks,
            self.headline,
        )
        for item in (*items, *self.cards.values(), *self.tiers.values()):
            item.theme = theme
            item.update()
