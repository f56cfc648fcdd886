"""The window on the services lesson: tiers left to right (the gateway instances are the
cards, then the services, the queue and its consumer); the headline, the strip's
arithmetic, the first plot and the toggles speak of orders and the queue."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from tests.ui.test_lesson_window import paused_at
from tests.ui.test_plots import ys
from visualizer.lessons.services.model import FIGURES


def test_the_services_lesson_shows_orders_the_queue_and_its_lag(qtbot, open_window):
    window = open_window("queue-backlog")
    snap = paused_at(window, 80.0)  # the consumers stopped at 60 s
    facts = snap.lesson
    assert not facts.consumer_up and facts.queue_depth > 300
    rows = window.scene.headline._state.rows
    assert rows[0].label == "orders created" and rows[0].number == facts.orders_created
    assert rows[1].label == "s behind (notifications)"
    assert rows[1].number == round(facts.consumer_lag_s) >= 15
    assert rows[2].label.startswith("failed requests")
    words = {card._state.words for card in window.scene.cards.values()}
    assert words == {"checks the token, forwards"}
    text = window.headline.text
    assert "backlog = order rate × outage = 30.0/s × 20 s = 600" in text
    assert "drain = capacity − rate = 80.0 − 30.0 = 50.0/s" in text
    first = window.plots.plots[0]
    assert first.title == "Orders and the notification queue"
    assert window.plots.total.value == facts.queue_depth
    assert ("lesson", "services_queue_depth") in set(first.curves)


def test_the_services_toggles_run_the_consumer_and_the_orders_database(qtbot, open_window):
    window = open_window("gateway-services")
    qtbot.keyClick(window.canvas, Qt.Key.Key_T)
    assert not window.driver.config.services.consumer_up
    qtbot.keyClick(window.canvas, Qt.Key.Key_R)
    assert not window.driver.config.services.orders_db_up
    window.driver.tick(0.0)
    assert window.controls.stateful.text().startswith("Consumer running: OFF")
    snap = paused_at(window, 20.0)
    assert snap.lesson.orders_created == 0 and snap.lesson.orders_failed > 0
    assert snap.lesson.tiers[1].db_up is False
    assert "The notification consumer is down" in window.headline.text
    qtbot.keyClick(window.canvas, Qt.Key.Key_T)  # running again: the database is the news
    paused_at(window, 21.0)
    assert "The orders database is down" in window.headline.text


def test_the_tiers_stand_left_to_right_and_the_queue_fills_with_its_depth(qtbot, open_window):
    window = open_window("queue-backlog")
    snap = paused_at(window, 80.0)
    scene = window.scene
    assert list(scene.tiers) == ["users", "orders", "inventory", "queue", "notifications"]
    rects = {key: box.rect for key, box in scene.tiers.items()}
    cards_right = max(card.rect.right for card in scene.cards.values())
    services = [rects[k] for k in ("users", "orders", "inventory")]
    assert all(r.x > cards_right for r in services)
    assert rects["queue"].x > max(r.right for r in services)
    assert rects["notifications"].y > rects["queue"].bottom
    queue = scene.tiers["queue"].facts
    assert (queue.big, queue.unit) == (f"{snap.lesson.queue_depth:,}", "waiting")
    assert 0.3 < queue.fill <= 1.0  # hundreds of messages in a pipe of a thousand
    consumer = scene.tiers["notifications"].facts
    assert not consumer.up and consumer.big == f"{snap.lesson.consumer_lag_s:,.0f} s"
    assert consumer.unit == "behind"
    orders = scene.tiers["orders"].facts
    assert (orders.big, orders.unit) == (f"{snap.lesson.orders_created:,}", "orders")
    assert orders.up
    # the consumers back: the queue drains, the pipe empties
    snap = paused_at(window, 60.0)  # (at 140 s: drained since about 112 s)
    assert snap.lesson.queue_depth < 20
    assert scene.tiers["queue"].facts.fill < 0.2
    assert scene.tiers["notifications"].facts.up


def test_forwarded_requests_sit_in_their_service_and_come_back_past_a_gateway(qtbot, open_window):
    window = open_window("gateway-services")
    paused_at(window, 20.0)
    tracker = window.scene.tracker
    boxes = [window.scene.tiers[key].rect for key in ("users", "orders", "inventory")]
    cards = [card.rect for card in window.scene.cards.values()]
    seen_in, seen_back = 0, 0
    for _ in range(300):  # a few milliseconds at a time: requests spend ~10 ms there
        paused_at(window, 0.004)
        now = window.driver.run.now
        idx, xs, ys = tracker._last
        for k in np.flatnonzero(tracker.tier[idx] >= 0):
            i = idx[k]
            if tracker.t_fwd[i] + 0.5 * tracker.net[i] <= now < tracker.t_end[i]:
                box = boxes[tracker.tier[i]]  # arrived at its service: inside its box
                assert box.x <= xs[k] <= box.right and box.y <= ys[k] <= box.bottom
                seen_in += 1
            elif tracker.t_end[i] <= now:  # on its way back: through a gateway's card
                gap = min(abs(ys[k] - r.cy) for r in cards)
                seen_back += gap < 1 and xs[k] > min(r.x for r in cards)
    assert seen_in > 5 and seen_back > 2, (seen_in, seen_back)


def test_a_click_on_a_service_takes_its_database_down_and_the_menu_offers_instances(
    qtbot, open_window
):
    window = open_window("gateway-services")
    paused_at(window, 5.0)
    box = window.scene.tiers["inventory"].rect
    pos = window.canvas.mapFromScene(box.cx + box.w * 0.3, box.cy)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.driver.config.services.inventory_db_up is False
    paused_at(window, 1.0)
    facts = window.scene.tiers["inventory"].facts
    assert facts.part_down == "✖ DATABASE DOWN" and facts.up
    kind, index = window.scene.target_at(window.canvas.mapToScene(pos))
    window.show_canvas_menu(kind, index, window.canvas.mapToGlobal(pos))
    words = [a.text() for a in window._menu.actions()]
    assert "Bring the inventory database back" in words
    assert "Stop one inventory instance" in words
    stop = next(a for a in window._menu.actions() if a.text() == "Stop one inventory instance")
    stop.trigger()
    assert window.driver.config.services.inventory_instances == 1
    window._menu.close()
    queue = window.scene.tiers["queue"].rect
    pos = window.canvas.mapFromScene(queue.cx, queue.cy)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.driver.config.services.consumer_up is False


def test_the_plots_show_the_consumer_lag_and_the_time_in_each_tier(qtbot, open_window):
    window = open_window("queue-backlog")
    paused_at(window, 85.0)
    window.refresh_plots()
    plots = window.plots
    assert plots.memory.title == "Notifications behind (s)"  # no memory in this lesson
    lag = ys(plots.memory, ("lesson", "services_consumer_lag_s"))
    assert lag[-1] == window.driver.run.samples[-1].lesson[FIGURES.index("services_consumer_lag_s")]
    assert 20 < lag[-1] <= 26  # the consumers stopped at 60 s
    tiers = {key[1] for key in plots.latency.curves if key[0] == "lesson"}
    assert tiers == {f"services_{t}_ms" for t in ("gateway", "users", "orders", "inventory")}
    orders = ys(plots.latency, ("lesson", "services_orders_ms"))
    assert 5 < np.nanmean(orders) < 40  # 10 ms of work, 5 ms of database, a little queue
    # another lesson: memory again, and no tier lines
    window.open_preset("sticky-crash")
    paused_at(window, 20.0)
    window.refresh_plots()
    assert window.plots.memory.title == "Memory (MB)"
    assert not any(key[0] == "lesson" for key in window.plots.latency.curves)


def test_compared_the_lag_plot_has_a_line_for_each_side(qtbot, open_window):
    window = open_window("compare-drain")
    window.driver.step(95.0)
    window.refresh_plots()
    plots = window.plots
    assert plots.memory.title == "Notifications behind (s)"
    a, b = (ys(plots.memory, (side, "lesson"))[-1] for side in "AB")
    assert a > 3 * max(b, 0.5)  # five seconds after the restart B has nearly caught up
