"""The inspector: click a dot, a session chip or a lane and see why; follow a user; the
event log takes the timeline to what it lists."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from tests.app.test_stories import arrivals, crash_of, sessions_by_last_login
from tests.ui.conftest import card_point
from visualizer.app.run import Run
from visualizer.sim.records import RequestKind
from visualizer.sim.routing.strategies import describe
from visualizer.sim.scenario import load
from visualizer.ui.panels.inspector import story_html


def dot_point(window, index: int = 0) -> tuple[QPoint, int, int]:
    """A drawn dot: its view position, request and user."""
    tracker = window.scene.tracker
    idx, xs, ys = tracker._last
    k = index % idx.size
    pos = window.canvas.mapFromScene(float(xs[k]), float(ys[k]))
    return pos, int(tracker.rid[idx[k]]), int(tracker.user[idx[k]])


def test_clicking_a_dot_opens_the_inspector_on_that_request(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(20.0)
    d.tick(0.0)
    pos, rid, user = dot_point(window)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    inspector = window.inspection.inspector
    assert window.inspection.inspector_dock.isVisible()
    assert inspector.request == rid and inspector.user == user
    assert f"Request #{rid}" in inspector.title.text()
    assert all(s.up for s in window.driver.run.snapshot().servers)  # a dot click crashes nothing
    d.step(2.0)  # the request ends: its trace says why
    window.inspection.refresh(force=True)
    text = inspector.text.toPlainText()
    assert "Route" in text and "Session" in text and "Outcome" in text
    assert f"{user}: arrived" in text and f"an action of user {user}" in text


def test_follow_marks_the_user_and_lists_their_requests(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(20.0)
    d.tick(0.0)
    pos, _, user = dot_point(window, 3)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    inspection = window.inspection
    qtbot.mouseClick(inspection.inspector.follow, Qt.MouseButton.LeftButton)
    assert inspection.following == user and window.scene.following == user
    assert inspection.inspector.follow.text() == "Stop following"
    d.step(10.0)
    inspection.events_dock.show()
    inspection.refresh(force=True)
    lines = [inspection.events.list.item(i).text() for i in range(inspection.events.list.count())]
    assert any(f"user {user}:" in line for line in lines)
    marks = window.scene.follow_marks
    assert marks.user == user and marks.card is not None  # their (sticky) server, outlined
    qtbot.mouseClick(inspection.inspector.follow, Qt.MouseButton.LeftButton)
    assert inspection.following is None and window.scene.follow_marks.user is None


def test_a_session_chip_and_a_client_lane_open_a_users_story(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(30.0)
    d.tick(0.0)
    card = window.scene.cards[0]
    qtbot.waitUntil(lambda: bool(card.chips))  # chips are placed when the card paints
    top_left, _, user = card.chips[0]
    size = card.chip_size
    pos = window.canvas.mapFromScene(top_left.x() + size / 2, top_left.y() + size / 2)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    inspector = window.inspection.inspector
    assert inspector.user == user and inspector.request is None
    assert window.driver.run.snapshot().servers[0].up  # the chip click crashed nothing
    text = inspector.text.toPlainText()
    assert f"{user}: arrived" in text
    # (a user who has left has no cart to tell of; their chip stays until it idles out)
    if window.driver.run.user_story(user).left is None:
        assert "in server-1's memory" in text
    lane = window.scene.lanes.lanes[2]
    pos = window.canvas.mapFromScene(lane.x + lane.w * 0.8, lane.cy)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert inspector.user == window.scene.tracker.latest_in_lane(2) is not None


def test_clicking_an_event_log_entry_seeks_there(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(75.0)
    inspection = window.inspection
    inspection.events_dock.show()
    inspection.refresh(force=True)
    events = inspection.events
    items = [events.list.item(i) for i in range(events.list.count())]
    crash = next(item for item in items if "server-2 crashed" in item.text())
    rect = events.list.visualItemRect(crash)
    qtbot.mouseClick(events.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: abs(d.now - 60.0) < 1e-6)
    assert d.run.rewound
    events.kind.setCurrentText("Store outages")
    assert events.list.count() == 0
    events.kind.setCurrentText("Everything")
    events.search.setText("server-2 crashed")
    assert events.list.count() == 1


def test_in_presenter_mode_a_click_on_a_card_always_crashes_it(qtbot, open_window):
    window = open_window("sticky-crash")
    window.driver.step(20.0)
    window.presenter.enter()
    assert not window.canvas.inspecting
    window.driver.tick(0.0)
    card = window.scene.cards[0]
    qtbot.waitUntil(lambda: bool(card.chips))
    top_left, _, _ = card.chips[0]
    pos = window.canvas.mapFromScene(top_left.x() + 2, top_left.y() + 2)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert not window.driver.run.snapshot().servers[0].up
    window.presenter.leave()
    assert window.canvas.inspecting
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=card_point(window, 0))
    assert window.driver.run.snapshot().servers[0].up  # the name bar restarts it


def test_a_user_whose_session_died_with_the_server_is_told_their_cart_was_lost(qtbot, open_window):
    window = open_window("sticky-crash")
    run = window.driver.run
    crash_t, index = crash_of(run)
    window.driver.step(crash_t + 1.0)
    lost, kept = sessions_by_last_login(run)
    user = max(lost, key=lambda u: run.user_story(u).cart)  # the fullest cart lost
    window.inspection.inspect(("user", user))
    text = window.inspection.inspector.text.toPlainText()
    assert f"server-{index + 1} crashed at {crash_t:,.1f} s" in text
    assert f"lost with {run.user_story(user).cart} items" in text and "holds" not in text
    window.inspection.inspect(("user", kept[0]))
    cart = run.user_story(kept[0]).cart
    assert f"holds {cart} item" in window.inspection.inspector.text.toPlainText()


def test_rewound_before_a_users_arrival_the_inspector_says_not_arrived_yet(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(75.0)
    user = next(u for u, t in arrivals(d.run).items() if 65.0 < t <= 75.0)
    window.inspection.inspect(("user", user))
    d.seek(61.3)
    qtbot.waitUntil(lambda: abs(d.now - 61.3) < 1e-9)
    window.inspection.refresh(force=True)
    text = window.inspection.inspector.text.toPlainText()
    assert f"{user}: not arrived yet at 61.3 s" in text
    assert "arrived arrived" not in text and "online" not in text and "Did" not in text


def test_a_dot_in_flight_shows_the_routing_decision_already_made(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.step(20.0)
    d.tick(0.0)
    dots = [dot_point(window, k) for k in range(window.scene.tracker._last[0].size)]
    # a dot whose request is not answered yet (not one on its way back)
    pos, rid, _ = next(dot for dot in dots if d.run.trace(dot[1]) is None)
    qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    inspector = window.inspection.inspector
    assert inspector.request == rid
    flying = inspector.text.toPlainText()
    assert f"in flight at {d.now:,.1f} s" in flying
    d.step(5.0)  # it ends: the route its trace gives is the one shown in flight
    trace = d.run.trace(rid)
    assert "Route" in flying and describe(trace.route) in flying


def test_a_lesson_whose_users_keep_no_session_tells_of_no_cart():
    run = Run(load("websocket-reconnect-storm"))  # a WebSocket handshake is no login
    run.advance(30.0)
    users = {t.user for t in run.traces if t.ok and t.kind is RequestKind.LOGIN}
    stories = [run.user_story(u) for u in users]
    online = [s for s in stories if s.session is not None]
    assert online and all(s.session.state == "none" for s in online)
    assert not any("cart" in story_html(s).lower() for s in stories)


def test_the_event_log_tells_a_crash_in_the_lessons_words(qtbot, open_window):
    """The same words as the canvas's caption: a gateway's crash loses no session."""
    for preset, expected, absent in (
        ("gateway-services", "gateway server-1 crashed — stateless", "sessions lost"),
        ("sticky-crash", "server-2 crashed — ", "stateless"),
    ):
        window = open_window(preset)
        window.driver.step(61.0)  # (both crash a server at 60 s)
        inspection = window.inspection
        inspection.events_dock.show()
        inspection.refresh(force=True)
        lines = [
            inspection.events.list.item(i).text() for i in range(inspection.events.list.count())
        ]
        crash = next(line for line in lines if "✖" in line)
        assert expected in crash and absent not in crash, lines
        lost = window.driver.run.snapshot().lost
        if preset == "sticky-crash":
            assert crash.endswith(f"{lost:,} sessions lost")
