"""The window on a lesson other than sessions: its headline numbers, card words, strip,
first plot and toggles all speak of that lesson."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt

from visualizer.lessons.realtime.facts import connections_text
from visualizer.ui.present.presenter import overlay_text


def paused_at(window, t: float):
    window.driver.step(t)
    window.driver.tick(0.0)
    return window.driver.run.snapshot()


def test_the_sign_in_lesson_shows_revoked_users_getting_in(qtbot, open_window):
    window = open_window("jwt-revocation")
    snap = paused_at(window, 200.0)
    facts = snap.lesson
    assert facts.accepted_after_revoke > 0  # (a run where revoked users did get in)
    rows = window.scene.headline._state.rows
    assert [r.label for r in rows[:2]] == ["accepted after revoke", "users revoked"]
    assert [r.number for r in rows[:2]] == [facts.accepted_after_revoke, facts.revocations]
    words = {card._state.words for card in window.scene.cards.values()}
    assert words == {"checks each JWT alone (1 ms): nothing to look up"}
    assert "revocation gap = TTL − age = 60 − 29.1 = 30.9 s" in window.headline.text
    # the measured mean with the printed one's digits, so the two can be compared
    assert f"measured: gap {facts.gap_mean_s:.1f} s over" in window.headline.text
    first = window.plots.plots[0]
    assert first.title == "Revoked users getting in"
    assert window.plots.total.value == facts.accepted_after_revoke
    lines = {("lesson", "auth_accepted_after_revoke"), ("lesson", "auth_revoked_active")}
    assert set(first.curves) == lines


def test_the_sign_in_toggles_set_the_sign_in_settings(qtbot, open_window):
    window = open_window("jwt-revocation")
    qtbot.keyClick(window.canvas, Qt.Key.Key_R)
    assert window.driver.config.auth.blocklist
    window.driver.tick(0.0)
    assert window.controls.shared.text().startswith("Blocklist: ON")
    qtbot.keyClick(window.canvas, Qt.Key.Key_T)
    assert window.driver.config.auth.method.value == "session"
    snap = paused_at(window, 5.0)
    card = next(iter(window.scene.cards.values()))
    assert card._state.words.startswith("sessions live in the store")
    assert snap.config.auth.method.value == "session"


def test_a_sessions_preset_after_a_lesson_brings_the_sessions_picture_back(qtbot, open_window):
    window = open_window("jwt-revocation")
    paused_at(window, 30.0)
    window.open_preset("sticky-crash")
    paused_at(window, 5.0)
    assert window.plots.plots[0].title == "Sessions lost"
    assert window.scene.headline._state.rows[0].label == "sessions lost"
    assert window.controls.state_box.title() == "Where does state live?"


def test_the_counter_lesson_shows_wrong_answers_and_what_each_server_believes(qtbot, open_window):
    window = open_window("counter-diverges")
    snap = paused_at(window, 40.0)
    facts = snap.lesson
    assert facts.wrong_answers > 0
    rows = window.scene.headline._state.rows
    assert (rows[0].label, rows[0].number) == ("wrong answers", facts.wrong_answers)
    assert window.plots.plots[0].title == "Wrong counts"
    assert window.plots.total.value == facts.wrong_answers
    assert window.plots.total.short == "wrong"  # (the word when the number is wide)
    assert "k-th click right only if all k hit one server" in window.headline.text
    # a global count on the servers: each card says the count it believes
    qtbot.keyClick(window.canvas, Qt.Key.Key_S)  # (sticky: any toggle keeps the lesson)
    window.controls.fields["counter.scope"].setCurrentIndex(1)
    assert window.driver.config.counter.scope.value == "global"
    snap = paused_at(window, 20.0)
    believed = dict(snap.lesson.server_counts)
    for index, card in window.scene.cards.items():
        assert card._state.words.startswith(f"believes the count is {believed.get(index, 0):,}")


def test_a_wrong_count_flashes_what_the_user_saw_and_the_truth(qtbot, open_window):
    window = open_window("counter-diverges")
    paused_at(window, 30.0)
    window.driver.play()
    for _ in range(10):
        window.driver.tick(0.1)
    notes = window.scene.flashes.visible_notes
    assert notes and all(n.startswith("saw ") and " · true " in n for n in notes)


def test_revoked_users_dots_carry_a_mark(qtbot, open_window):
    window = open_window("jwt-revocation")
    window.driver.step(180.0)  # (nine revoked users still getting in)
    window.driver.play()
    marked = 0
    for _ in range(20):  # a revoked user's request is in flight now and then
        window.driver.tick(0.1)
        marked = max(marked, len(window.scene.user_marks.points))
    assert marked > 0
    revoked = set(window.driver.run.snapshot().lesson.revoked_active)
    xs, _ = window.scene.tracker.users_shown_among(np.asarray(sorted(revoked)))
    assert len(window.scene.user_marks.points) == xs.size


def test_following_a_user_shows_what_each_server_says_they_clicked(qtbot, open_window):
    window = open_window("counter-diverges")
    paused_at(window, 30.0)
    run = window.driver.run
    user = next(u for u in range(1, 400) if run.about_user(u) is not None)
    window.inspection.follow(user)
    window.driver.redraw()
    counts = run.about_user(user)
    for index, card in window.scene.cards.items():
        held = dict(counts.servers).get(index)
        expected = (
            f"has never counted user {user}"
            if held is None
            else f"says user {user} clicked {held:,} times (true: {counts.true:,})"
        )
        assert card._state.words.startswith(expected)
    window.inspection.follow(-1)
    window.driver.redraw()
    assert all(c._state.words.startswith("keeps its own") for c in window.scene.cards.values())


def test_lessons_plots_and_dead_cards_in_compare_mode(qtbot, open_window):
    window = open_window("compare-counter")
    snap = paused_at(window, 65.0)  # server-2 crashed at 60 s on both sides
    first = window.plots.plots[0]
    assert first.title == "Wrong counts"
    a, b = window.driver.comparison.runs
    assert window.plots.total.values == (
        a.snapshot().lesson.wrong_answers,
        b.snapshot().lesson.wrong_answers,
    )
    assert window.plots.total.values[0] > 0 == window.plots.total.values[1]
    dead_a = next(c for c in window.scene.cards.values() if not c.view.up)
    dead_b = next(c for c in window.comparing.scene.cards.values() if not c.view.up)
    assert dead_a._state.down == "✖ DOWN · its counts are gone"
    assert dead_b._state.down == "✖ DOWN · no count lost"
    assert snap.config.counter.placement.value == "server"


def test_presenter_mode_names_the_lessons_toggles_and_shows_its_plot(qtbot, open_window):
    window = open_window("jwt-revocation")
    qtbot.keyClick(window.canvas, Qt.Key.Key_F5)
    snap = paused_at(window, 10.0)
    bar = overlay_text(snap, False, 1.0, "")
    assert bar.startswith("○ Server sessions (T)  ○ Sticky (S)  ○ Blocklist (R)")
    shown = [p.title for p in window.plots.plots if p.isVisible()]
    assert shown[0] == "Revoked users getting in"  # the preset's plots start with the lesson's
    window.presenter.leave()


def test_the_realtime_lesson_shows_empty_polls_and_then_connections(qtbot, open_window):
    window = open_window("polling-waste")
    snap = paused_at(window, 60.0)
    facts = snap.lesson
    assert facts.empty_polls > 0 and facts.connections == 0
    rows = window.scene.headline._state.rows
    assert rows[1].label.startswith("empty polls (") and rows[1].number == facts.empty_polls
    assert rows[2].label == "reconnects"
    words = {card._state.words for card in window.scene.cards.values()}
    assert len(words) == 1 and words.pop().startswith("answers polls: ")
    assert "empty polls = e^(−λT)" in window.headline.text
    assert "delay ≈ T/2 + network" in window.headline.text
    first = window.plots.plots[0]
    assert first.title == "Polls, reconnects and connections"
    assert window.plots.total.value == facts.empty_polls
    assert ("lesson", "realtime_empty_polls") in set(first.curves)
    qtbot.keyClick(window.canvas, Qt.Key.Key_T)  # WebSocket for new users
    assert window.driver.config.realtime.transport.value == "websocket"
    window.driver.tick(0.0)
    assert window.controls.stateful.text().startswith("WebSocket: ON")
    snap = paused_at(window, 80.0)
    assert snap.lesson.connections > 0
    card = window.scene.cards[0]
    row = next(r for r in snap.lesson.by_server if r.server == 0)
    assert card._state.words == f"holds {row.connections:,} connections · {row.memory_mb:,.1f} MB"
    # (the formula for the moment shown: 80 s is before the long run of a 300 s online time)
    rt, users = window.driver.config.realtime, window.driver.config.traffic.users_per_s
    assert html.escape(connections_text(rt, users, snap.t)) in window.headline.text
    assert "memory = connections × KB" in window.headline.text
    # nothing polls now: the plot counts reconnects (the memory plot holds the connections)
    assert window.plots.plots[0].title == "Reconnects (each second)"
    assert window.plots.total.value == snap.lesson.reconnects
    qtbot.keyClick(window.canvas, Qt.Key.Key_R)  # long polling
    assert window.driver.config.realtime.transport.value == "long_poll"


def test_a_storm_at_once_and_a_jittered_one_look_different_on_the_plot(open_window):
    """Reconnects are drawn per second as counted: N at once is a spike, N spread by a
    5 s jitter a plateau a fifth as high (as 5 s means both read N / 5)."""
    window = open_window("compare-jitter")
    window.driver.step(212.0)  # the crash was at 200 s
    window.driver.tick(0.0)
    window.plot_dock.refresh(window.driver.run)
    plot = window.plot_dock.panel.plots[0]
    assert plot.title == "Reconnects (each second)"
    peaks = {}
    for side in "AB":
        _, y = plot.curves[(side, "lesson")].getData()
        peaks[side] = float(max(y[y == y], default=0.0))
    runs = window.driver.comparison
    a, b = (r.snapshot().lesson.peak_reconnects_per_s for r in (runs.a, runs.b))
    assert peaks == {"A": a, "B": b}  # the busiest second of each, as the scoreboard has it
    assert peaks["A"] > 3 * peaks["B"] > 0
