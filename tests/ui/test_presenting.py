"""What the window owes the person at the front of the room: keys that always work,
paused always visible and never on a card, a run that waits behind dialogs, and
presenter mode readable at 1280×720."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from visualizer.sim.scenario import list_presets


def test_space_in_a_field_plays_and_enter_returns_focus_to_the_canvas(qtbot, open_window):
    window = open_window("sticky-crash")
    c, d = window.controls, window.driver
    c.users.setFocus()
    qtbot.waitUntil(c.users.hasFocus)
    qtbot.keyClicks(c.users.lineEdit(), "3")  # digits are the field's
    qtbot.keyClick(c.users, Qt.Key.Key_Space)
    assert d.running
    qtbot.keyClick(c.users, Qt.Key.Key_T)
    assert window.driver.config.state.mode.value == "token"
    qtbot.keyClick(c.users, Qt.Key.Key_Return)
    qtbot.waitUntil(window.canvas.hasFocus)
    c.servers.setFocus()
    qtbot.waitUntil(c.servers.hasFocus)
    qtbot.keyClick(c.servers, Qt.Key.Key_Escape)
    assert window.canvas.hasFocus()


def test_pausing_shows_a_badge_clear_of_every_card_and_says_paused(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.play()
    d.tick(0.1)
    assert not window.scene.banner.isVisible()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Space)
    d.tick(0.0)
    assert window.scene.banner.isVisible()
    badge = window.scene.banner.sceneBoundingRect()
    for card in window.scene.cards.values():
        assert not badge.intersects(card.sceneBoundingRect())
    assert window.status_labels["speed"].text().startswith("paused")
    assert window.status_labels["fps"].text() == ""  # no "1 fps" while paused


def test_a_modal_dialog_pauses_the_run_and_closing_it_resumes(qtbot, open_window):
    window = open_window("sticky-crash")
    d = window.driver
    d.play()
    seen = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        seen.append(d.running)
        if isinstance(box, QDialog):  # F1's help
            box.accept()
        else:
            QTimer.singleShot(10, close_box)

    QTimer.singleShot(0, close_box)
    window.show_shortcuts()
    assert seen and seen[-1] is False  # paused while F1 was open
    qtbot.waitUntil(lambda: d.running)


def test_page_down_follows_the_teaching_order(qtbot, open_window):
    window = open_window("sticky-crash")
    window.presenter.enter()
    order = [p.name for p in list_presets() if p.slide]
    assert order[:3] == ["sticky-crash", "shared-store", "store-outage"]
    seen = []
    for _ in range(len(order)):
        seen.append(window.driver.config.scenario.name)
        qtbot.keyClick(window.canvas, Qt.Key.Key_PageDown)
    assert seen == order
    window.presenter.leave()


def test_speaker_notes_show_on_n_in_presenter_mode(qtbot, open_window):
    window = open_window("sticky-crash")
    window.presenter.enter()
    qtbot.keyClick(window.canvas, Qt.Key.Key_N)
    assert window.speaker_notes.isVisible()
    assert window.driver.config.scenario.notes in window.speaker_notes.text()
    qtbot.keyClick(window.canvas, Qt.Key.Key_N)
    assert not window.speaker_notes.isVisible()
    window.presenter.leave()
    assert not window.speaker_notes.isVisible()


def test_switching_preset_after_a_crash_leaves_nothing_of_the_old_run(qtbot, open_window):
    window = open_window("sticky-crash")
    window.presenter.enter()
    window.driver.step(61.0)
    assert window.scene.caption.showing
    qtbot.keyClick(window.canvas, Qt.Key.Key_PageDown)
    window.driver.tick(0.0)
    assert not window.scene.caption.showing
    assert window.driver.now == 0.0
    assert [row.number for row in window.scene.headline._state.rows] == [0, 0, 0]
    window.presenter.leave()


def test_the_stateful_toggle_says_where_sessions_are(qtbot, open_window):
    window = open_window("sticky-crash")
    assert "sessions on the servers" in window.controls.stateful.text()
    qtbot.keyClick(window.canvas, Qt.Key.Key_R)
    window.driver.tick(0.0)  # the next frame shows the new settings
    assert "sessions in the store" in window.controls.stateful.text()


def test_the_window_fits_a_1280_by_720_screen(qtbot, open_window):
    window = open_window("sticky-crash")
    frame = window.frameGeometry().size() - window.size()
    need = window.minimumSizeHint() + frame
    assert need.width() <= 1280 and need.height() <= 720
    room = window.screen().availableGeometry()
    window.resize(room.width() + 300, room.height() + 300)
    window.fit_to_screen()
    assert window.frameGeometry().height() <= room.height()


@pytest.mark.parametrize("preset", ["sticky-crash", "queue-backlog"])
def test_presenter_mode_at_1280_by_720_has_names_and_numbers_of_20_px(qtbot, open_window, preset):
    window = open_window(preset)
    window.driver.step(20.0)
    window.presenter.enter()
    window.showNormal()  # the offscreen screen is not 1280×720: size the window as one
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280)
    share = window.presenter.PLOTS_SHARE
    qtbot.waitUntil(lambda: window.plots_dock.height() <= round(720 * share))  # (follows)
    window.redraw()
    qtbot.waitUntil(lambda: window.scene.cards[0].name_px > 0)
    window.canvas.viewport().repaint()
    scale = window.scene.view_scale
    card = window.scene.cards[0]
    assert card.name_px * scale >= 20.0, (card.name_px, scale)
    assert window.scene.bold_cards
    for box in window.scene.tiers.values():  # a lesson's tiers: their numbers too
        assert box.bold and box.big_px * scale >= 20.0, (box.node.key, box.big_px, scale)
    shown = [p for p in window.plots.plots if p.isVisible()] if window.plots else []
    assert 1 <= len(shown) <= 2  # the preset's plots, not all five
    window.presenter.leave()


def test_saved_command_times_are_whole_milliseconds(qtbot, open_window, tmp_path):
    window = open_window("sticky-crash")
    window.driver.step(19.5179)
    qtbot.keyClick(window.canvas, Qt.Key.Key_S)  # sticky off at 19.518 s, not 19.5179…
    path = window.files.save_path(tmp_path / "s.toml")
    text = path.read_text()
    assert "at_s = 19.518\n" in text


def test_high_contrast_check_boxes_have_a_visible_box(qtbot, open_window):
    from PySide6.QtWidgets import QCheckBox

    from visualizer.ui.colors import CONTRAST

    window = open_window("sticky-crash", theme=CONTRAST)
    box = QCheckBox("stamp")
    qtbot.addWidget(box)
    box.resize(120, 30)
    image = box.grab().toImage()
    bright = sum(
        1 for x in range(0, 24) for y in range(0, 30) if image.pixelColor(x, y).lightness() > 200
    )
    assert bright > 20  # the white outline of the indicator on black
    assert window.theme is CONTRAST


def test_captions_fit_their_box_whole_at_720p_in_every_lesson(open_window):
    """The lessons' longest captions (a WebSocket storm, a store outage) shrink their type
    to fit the room above the balancer, never below 16 px: they were cut top and bottom."""
    for preset in ("websocket-reconnect-storm", "session-revocation", "gateway-services"):
        window = open_window(preset)
        window.presenter.enter()
        window.resize(1280, 720)
        window.driver.step(5.0)
        for act in (lambda w: w.steer.toggle_server(0), lambda w: w.steer.toggle_store()):
            act(window)
            window.driver.step(0.2)
            caption = window.scene.caption
            assert caption.showing, preset
            assert caption.fits(), (preset, caption.text)
            assert caption._font.pixelSize() >= 16
        window.presenter.leave()


def test_failure_labels_keep_to_their_cards_zone_and_never_pile(open_window):
    """A card's error codes and notes fit its queue-and-workers zone (STORE_UNAVAILABLE
    covered 'sessions live in the shared store'), one under another, not on top."""
    window = open_window("store-outage")
    window.presenter.enter()
    window.resize(1280, 720)
    window.driver.step(59.0)
    window.driver.play()
    seen = 0
    for _ in range(30):  # the store goes down at 60 s: every request fails at a card
        window.driver.tick(0.05)
        placed = window.scene.flashes.placed()
        cards = window.scene.cards
        for rect, *_ in placed:
            card = next(
                (c for c in cards.values() if c.sceneBoundingRect().contains(rect.topLeft())), None
            )
            if card is None:
                continue
            seen += 1
            assert rect.right() <= card.rect.x + card.label_room() + 0.5
        boxes = [rect for rect, *_ in placed]
        for a, b in itertools.combinations(boxes, 2):
            assert not a.intersected(b).height() > 1, (a, b)
    window.driver.pause()
    window.presenter.leave()
    assert seen
