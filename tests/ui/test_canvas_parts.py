"""Qt-free parts of the window: layout geometry, request tracking, explanations."""

from __future__ import annotations

import numpy as np
import pytest

from tests.sim.helpers import config, simulate
from visualizer.lessons.sessions.view import explain
from visualizer.sim.commands import SetValue
from visualizer.sim.records import ErrorCode, Event, EventKind, RequestKind
from visualizer.sim.snapshot import take_snapshot
from visualizer.ui.canvas.layout import COMPACT_W, SCENE_W, compute_layout, scene_height, wires
from visualizer.ui.canvas.topology import WITH_STORE, Topology
from visualizer.ui.canvas.tracker import FAILED_SPRITE, RequestTracker, lane_of
from visualizer.ui.lesson.explain import measured


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("store", [False, True])
@pytest.mark.parametrize("height", [560.0, 700.0, 900.0, 1300.0])
def test_one_to_sixteen_servers_never_overlap(store, height, compact):
    for n in range(1, 17):
        layout = compute_layout(list(range(n)), Topology(store=store), height, compact=compact)
        assert layout.width == (COMPACT_W if compact else SCENE_W)
        cards = list(layout.servers.values())
        others = [layout.balancer, *layout.lanes] + ([layout.store] if layout.store else [])
        for i, a in enumerate(cards):
            assert a.x >= 0 and a.right <= layout.width and a.y >= 0 and a.bottom <= height
            assert a.h >= 40
            for b in cards[i + 1 :] + others:
                assert not a.intersects(b), (n, a, b)


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("height", [560.0, 900.0, 1300.0])
def test_a_lessons_tiers_stand_right_of_the_cards_and_never_overlap(height, compact):
    from visualizer.lessons.services.view import TOPOLOGY

    for n in (1, 3, 8, 9, 16):
        layout = compute_layout(list(range(n)), TOPOLOGY, height, compact=compact)
        nodes = list(layout.nodes.values())
        assert set(layout.nodes) == {node.key for node in TOPOLOGY.nodes}
        cards_right = max(r.right for r in layout.servers.values())
        for i, a in enumerate(nodes):
            assert a.x > cards_right and a.right <= layout.width and a.bottom <= height
            assert a.h >= 100
            assert not any(a.intersects(b) for b in nodes[i + 1 :]), (n, a)
        assert layout.hops == ("users", "orders", "inventory")
        lines = wires(layout, TOPOLOGY.links)
        fleet = [(b, d) for a, b, d in lines if a[0] in {r.right for r in layout.servers.values()}]
        assert len(fleet) == 3 * n and not any(d for _, d in fleet)  # every card, every service
        queue, consumer = layout.nodes["queue"], layout.nodes["notifications"]
        assert ((queue.cx, queue.bottom), (consumer.cx, consumer.y), True) in lines


def test_the_compact_scene_has_no_lanes_and_room_above_the_balancer():
    layout = compute_layout([0, 1, 2, 3], WITH_STORE, 700.0, compact=True)
    assert all(lane.w == 0 for lane in layout.lanes)
    assert layout.store is not None and layout.store.right <= COMPACT_W
    room = layout.above_balancer
    assert room.w >= 200 and room.right <= min(r.x for r in layout.servers.values())


def test_scene_height_follows_the_view():
    assert scene_height(1600, 900) == 900
    assert scene_height(1600, 450) == 560  # clamped: cards need some height
    assert scene_height(1000, 700) == pytest.approx(1120)


def _tracker():
    layout = compute_layout([0, 1], WITH_STORE)
    tracker = RequestTracker(capacity=4)
    tracker.set_layout(layout)
    return tracker, layout


def test_a_request_travels_lane_balancer_server_store_and_back():
    tracker, layout = _tracker()
    net, rtt = 0.1, 0.02
    events = [Event(0.0, EventKind.SENT, 7, 3, 1, RequestKind.ACTION)]
    assert tracker.feed(events, net) == []
    lx, ly = layout.lane_anchor(lane_of(3))
    x, y, _ = tracker.positions(0.0)
    assert (x[0], y[0]) == pytest.approx((lx, ly))
    x, y, _ = tracker.positions(net - 1e-9)  # reaching the card's entry point
    card = layout.servers[1]
    assert (x[0], y[0]) == pytest.approx((card.x, card.cy), abs=1e-3)
    x, y, _ = tracker.positions(net + 0.01)  # queued: inside the card
    assert card.x <= x[0] <= card.right and card.y <= y[0] <= card.bottom
    tracker.feed([Event(0.2, EventKind.STARTED, 7, 3, 1, rtt)], net)
    x, y, _ = tracker.positions(0.2 + rtt / 2)  # at the store, halfway through the round trip
    assert (x[0], y[0]) == pytest.approx((layout.store.x, layout.store.cy))
    tracker.feed([Event(0.3, EventKind.SERVED, 7, 3, 1, 0.3)], net)
    x, y, _ = tracker.positions(0.3 + net - 1e-9)  # back at the lane
    assert (x[0], y[0]) == pytest.approx((lx, ly), abs=1e-3)
    assert len(tracker) == 0
    x, _, _ = tracker.positions(0.3 + net + 1e-6)
    assert x.size == 0  # slot freed


def test_failures_turn_red_and_are_reported_where_they_happened():
    tracker, layout = _tracker()
    tracker.feed([Event(1.0, EventKind.SENT, 1, 5, 0, RequestKind.ACTION)], 0.05)
    failures = tracker.feed(
        [Event(1.05, EventKind.FAILED, 1, 5, 0, ErrorCode.SESSION_MISSING)], 0.05
    )
    assert len(failures) == 1
    f = failures[0]
    assert f.code is ErrorCode.SESSION_MISSING and f.server == 0
    assert (f.x, f.y) == (layout.servers[0].x, layout.servers[0].cy)
    _, _, sprite = tracker.positions(1.06)
    assert sprite.tolist() == [FAILED_SPRITE]


def test_tracker_grows_and_reuses_slots():
    tracker, _ = _tracker()
    sent = [Event(0.0, EventKind.SENT, r, r, 0, RequestKind.LOGIN) for r in range(1, 101)]
    tracker.feed(sent, 0.01)
    assert len(tracker) == 100
    done = [Event(0.1, EventKind.SERVED, r, r, 0, 0.1) for r in range(1, 101)]
    tracker.feed(done, 0.01)
    x, _, _ = tracker.positions(1.0)
    assert x.size == 0
    tracker.feed(sent[:3], 0.01)
    x, _, _ = tracker.positions(1.0)
    assert x.size == 3


def test_tracker_matches_a_real_run():
    sim = simulate(config("sticky-crash", scenario__duration_s=20.0), record_events=True)
    tracker = RequestTracker()
    tracker.set_layout(compute_layout([s.index for s in sim.servers]))
    tracker.feed(sim.drain_events(), sim.config.network.latency_ms / 1000.0)
    assert len(tracker) == sim.totals.in_flight
    x, y, _ = tracker.positions(sim.now)
    assert np.isfinite(x).all() and np.isfinite(y).all()


@pytest.mark.parametrize(
    ("preset", "headline", "formula"),
    [
        ("sticky-crash", "sticky balancer", "M_total = "),
        ("local-no-sticky", "no stickiness", "M_total = "),
        ("shared-store", "shared store", "M_store = "),
        ("stateless-tokens", "Stateless", "M_servers = 0"),
        ("sticky-hotspot", "sticky balancer", "M_total = "),
    ],
)
def test_explanations_name_the_design_and_show_live_arithmetic(preset, headline, formula):
    sim = simulate(config(preset, scenario__duration_s=30.0))
    e = explain(take_snapshot(sim))
    assert headline in e.headline
    memory, latency = e.formulas
    assert memory.startswith(formula)
    assert latency.startswith("T = 80 ms network + 40 ms processing")
    assert measured(take_snapshot(sim)).startswith("measured: p50 ")
    if preset == "local-no-sticky":
        assert "75%" in e.body
    if preset == "shared-store":
        assert "+ 15 ms store = 135 ms" in latency
    if preset == "sticky-hotspot":
        assert "50%" in e.body and "proxy" in e.body


def test_memory_formula_uses_current_numbers():
    sim = simulate(config("memory-growth", scenario__duration_s=60.0))
    snap = take_snapshot(sim)
    held = sum(s.sessions for s in snap.servers)
    memory = explain(snap).formulas[0]
    assert memory == f"M_total = {held:,} sessions × 50 KB = {held * 0.05:,.0f} MB"


def test_store_outage_explanation():
    sim = simulate(config("store-outage", scenario__duration_s=70.0))
    e = explain(take_snapshot(sim))
    assert "DOWN" in e.headline and "STORE_UNAVAILABLE" in e.body and "gone" in e.body


def test_a_preset_speaks_for_itself_until_its_settings_change():
    cfg = config("memory-growth", scenario__duration_s=20.0)
    sim = simulate(cfg)
    e = explain(take_snapshot(sim), cfg)
    assert e.body == cfg.scenario.explanation and "500 MB" in e.body  # memory, not crashes
    sim.apply(SetValue("balancer.sticky", False))
    assert "SESSION_MISSING" in explain(take_snapshot(sim), cfg).body


def test_after_switching_to_the_store_the_strip_counts_sessions_left_in_servers():
    sim = simulate(config("sticky-crash", scenario__duration_s=30.0))
    sim.apply(SetValue("state.mode", "shared"))
    sim.advance(40.0)
    snap = take_snapshot(sim)
    in_servers = sum(s.sessions for s in snap.servers)
    e = explain(snap)
    assert in_servers > 100 and f"{in_servers:,} older sessions are still in server memory" in (
        e.body
    )
    assert f"{snap.store.sessions:,} there now" in e.body
    assert "still in servers" in e.formulas[0]


def test_the_latency_formula_counts_queueing_when_queues_form():
    sim = simulate(config("sticky-hotspot", scenario__duration_s=90.0))
    snap = take_snapshot(sim)
    latency = explain(snap).formulas[1]
    assert "queueing" in latency
    total = int(latency.rsplit("= ", 1)[1].split(" ms")[0].replace(",", ""))
    assert abs(total - snap.p50_ms) < 2


@pytest.mark.parametrize("tiers", [False, True])
def test_a_forwarded_request_moves_on_to_its_tier_only_where_the_topology_has_one(tiers):
    from visualizer.lessons.services.view import TOPOLOGY

    layout = compute_layout([0, 1], TOPOLOGY if tiers else Topology())
    tracker = RequestTracker(capacity=4)
    tracker.set_layout(layout)
    net = 0.1
    tracker.feed(
        [
            Event(0.0, EventKind.SENT, 7, 3, 1, RequestKind.ACTION),
            Event(0.1, EventKind.STARTED, 7, 3, 1, 0.0),
            Event(0.2, EventKind.FORWARDED, 7, 3, 1, 1),  # to the orders service
        ],
        net,
    )
    x, y, _ = tracker.positions(0.3)  # well after the hop (half a network delay)
    if tiers:
        box = layout.nodes["orders"]
        assert box.x <= x[0] <= box.right and box.y <= y[0] <= box.bottom
    else:
        card = layout.servers[1]
        assert card.x <= x[0] <= card.right and card.y <= y[0] <= card.bottom
    tracker.feed([Event(0.4, EventKind.SERVED, 7, 3, 1, 0.4)], net)
    x, y, _ = tracker.positions(0.4 + net * 0.05)
    card = layout.servers[1]
    if tiers:  # on the way back from its service: past its card first
        assert x[0] > card.x
    else:  # from the card straight to the balancer
        assert layout.balancer.right < x[0] <= card.x


def test_a_headline_numbers_words_take_the_room_beside_it(qapp):
    """Short words beside a headline number grow to three quarters of its size (they
    were half: "sessions lost" read 10 px on a 1280x720 projector); long ones shrink to
    fit one line, down to half, and only then wrap."""
    from PySide6.QtGui import QFontMetricsF

    from visualizer.ui.canvas.nodes import font
    from visualizer.ui.canvas.overlays import label_px

    assert label_px("reconnects", 30.0, 400.0) == 22.5
    long = "messages delivered, p95 40 ms"
    px = label_px(long, 30.0, 260.0)
    assert 15.0 <= px < 22.5
    assert QFontMetricsF(font(px)).horizontalAdvance(long) <= 258.0
    assert label_px(long * 3, 30.0, 260.0) == 15.0  # no room even at half: it wraps
