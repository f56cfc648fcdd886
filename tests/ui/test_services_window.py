"""The window on the services lesson: the gateway instances are the cards; the headline,
the strip's arithmetic, the first plot and the toggles speak of orders and the queue."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_lesson_window import paused_at


def test_the_services_lesson_shows_orders_the_queue_and_its_lag(qtbot, open_window):
    window = open_window("queue-backlog")
    snap = paused_at(window, 80.0)  # the consumers stopped at 60 s
    facts = snap.lesson
    assert not facts.consumer_up and facts.queue_depth > 300
    rows = window.scene.headline._state.rows
    assert rows[0].label == "orders created" and rows[0].number == facts.orders_created
    assert rows[1].label == f"notifications {facts.consumer_lag_s:,.0f} s behind"
    assert rows[2].label.startswith("failed requests")
    words = {card._state.words for card in window.scene.cards.values()}
    assert words == {"checks the token, forwards to users / orders / inventory"}
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
