"""Compare mode in the window: two canvases on one clock, the scoreboard, Alt+click."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt

from visualizer.app.scoreboard import scoreboard
from visualizer.sim import commands as ev
from visualizer.sim import scenario
from visualizer.ui.compare.dialog import CompareDialog


def card_point(canvas, scene, index: int) -> QPoint:
    r = scene.cards[index].sceneBoundingRect()
    return canvas.mapFromScene(r.center().x() + r.width() * 0.2, r.y() + r.height() * 0.14)


def click_card(qtbot, canvas, scene, index: int, alt: bool = False) -> None:
    modifier = Qt.KeyboardModifier.AltModifier if alt else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(
        canvas.viewport(), Qt.MouseButton.LeftButton, modifier, card_point(canvas, scene, index)
    )


def answer(window, result, **settings):
    """Replace the Compare… dialog's exec: set ``settings`` and press a button."""
    seen = []

    def ask(dialog: CompareDialog) -> int:
        seen.append(dialog)
        for key, value in settings.items():
            key = key.replace("__", ".")
            if key == "state.mode":
                dialog.mode.setCurrentIndex(dialog.mode.findData(value))
            elif key == "balancer.sticky":
                dialog.sticky.setChecked(value)
            else:
                dialog.fields[key].setValue(value)
        if result == "accept":
            dialog._accept()
            return dialog.result() if dialog.result() else 0
        return result

    window.comparing.ask = ask
    return seen


@pytest.fixture
def comparing(open_window):
    window = open_window("sticky-crash")
    window.driver.step(20.0)
    answer(window, "accept", state__mode="shared")
    window.comparing.open_dialog()
    assert window.driver.comparison is not None
    return window


def test_compare_dialog_starts_b_at_the_moment_shown(comparing):
    window = comparing
    both = window.driver.comparison
    assert both.a.now == both.b.now == 20.0
    assert both.b.config.state.mode.value == "shared"
    assert window.comparing.stage.comparing and window.comparing.canvas.isVisible()
    assert window.scene.compact and window.comparing.scene.compact  # half a window each
    assert window.comparing.stage.title_a.text() == "A: sticky, server memory"
    assert window.comparing.stage.title_b.text() == "B: shared store"
    assert "comparing" in window.windowTitle()


def test_the_scoreboard_shows_the_summaries_numbers(qtbot, comparing):
    window = comparing
    window.driver.step(50.0)  # past the crash at 60 s
    qtbot.waitUntil(lambda: "−" in window.comparing.stage.scoreboard.text())
    rows = scoreboard(*window.driver.comparison.summaries())
    text = window.comparing.stage.scoreboard.text()
    lost = rows[0]
    assert lost.label == "Sessions lost" and lost.a > 0 and lost.b == 0
    assert f"{lost.a:,}" in text and lost.difference_text() in text
    cell = window.comparing.stage.scoreboard.cells[("B", "Sessions lost")]
    assert cell.text().startswith("✓") and cell.property("better")  # ticked, not colour alone


def test_a_click_crashes_the_server_on_both_sides(qtbot, comparing):
    window = comparing
    click_card(qtbot, window.canvas, window.scene, 2)
    both = window.driver.comparison
    assert both.a.commands == both.b.commands == [(20.0, ev.CrashServer(2))]
    click_card(qtbot, window.comparing.canvas, window.comparing.scene, 2)  # from B: restart
    assert both.a.commands[-1] == both.b.commands[-1] == (20.0, ev.RestartServer(2))


def test_alt_click_reaches_one_side_and_its_title_says_so(qtbot, comparing):
    window = comparing
    click_card(qtbot, window.comparing.canvas, window.comparing.scene, 1, alt=True)
    both = window.driver.comparison
    assert both.a.commands == [] and both.b.commands == [(20.0, ev.CrashServer(1))]
    window.driver.step(0.5)
    window.comparing.update_text()
    assert "B only: crash server-2 at 20 s" in window.comparing.stage.title_b.text()
    assert "only" not in window.comparing.stage.title_a.text()


def test_seek_moves_both_sides(qtbot, comparing):
    window = comparing
    window.driver.step(40.0)
    window.timeline.seekRequested.emit(30.0)
    both = window.driver.comparison
    qtbot.waitUntil(lambda: both.a.now == 30.0)
    assert both.b.now == 30.0
    assert window.driver.end == 60.0


def test_stop_comparing_keeps_side_a(qtbot, comparing):
    window = comparing
    window.driver.apply(ev.CrashServer(3))
    window.driver.step(5.0)
    a = window.driver.comparison.a
    answer(window, CompareDialog.STOP)
    window.comparing.open_dialog()
    assert window.driver.comparison is None and window.driver.run is a
    assert not window.comparing.stage.comparing and not window.comparing.canvas.isVisible()
    assert not window.scene.compact  # canvas A has the whole width again
    assert a.commands == [(20.0, ev.CrashServer(3))] and a.now == 25.0


def test_a_dialog_without_a_change_says_so_and_stays(qtbot, open_window):
    window = open_window("sticky-crash")
    seen = answer(window, "accept")
    window.comparing.open_dialog()
    assert window.driver.comparison is None
    assert "B is the same as A" in seen[0].problem.text()


def test_presenter_mode_in_compare_shows_both_with_large_type(qtbot, comparing):
    window = comparing
    before = window.comparing.stage.scoreboard.font().pointSizeF()
    window.presenter.enter()
    stage = window.comparing.stage
    assert stage.scoreboard.isVisible() and window.comparing.canvas.isVisible()
    cell = stage.scoreboard.cells[("A", "Sessions lost")]
    assert cell.font().pointSizeF() > before
    assert window.comparing.scene.bold_cards
    assert not window.headline.isVisible()  # the scoreboard and titles tell the story
    assert "in the store" not in stage.scoreboard.text()  # totals only, for the room
    window.presenter.leave()
    assert not window.comparing.scene.bold_cards and window.headline.isVisible()
    assert "in the store" in stage.scoreboard.text()


def test_saving_a_comparison_reopens_into_compare_mode(qtbot, comparing, tmp_path):
    window = comparing
    click_card(qtbot, window.comparing.canvas, window.comparing.scene, 1, alt=True)
    window.driver.step(10.0)
    path = tmp_path / "both.toml"
    window.files.ask_save = lambda name: path
    window.files.save_dialog()
    text = path.read_text()
    assert "[compare]" in text and 'state.mode = "shared"' in text
    assert "[[compare.only_b]]" in text
    expected = [json.dumps(s) for s in window.driver.comparison.summaries()]
    window.open_preset("shared-store")
    assert window.driver.comparison is None and not window.comparing.stage.comparing
    window.files.open_path(path)
    both = window.driver.comparison
    assert both is not None and window.comparing.stage.comparing
    window.driver.step(30.0)
    assert [json.dumps(s) for s in both.summaries()] == expected


def test_the_compare_presets_open_into_compare_mode(open_window):
    names = [p.name for p in scenario.list_presets() if p.name.startswith("compare-")]
    assert len(names) >= 3
    window = open_window(names[0])
    assert window.driver.comparison is not None and window.comparing.stage.comparing


def test_reset_keeps_comparing_from_zero(comparing):
    window = comparing
    window.driver.restart()
    both = window.driver.comparison
    assert both is not None and both.a.now == 0.0
    assert both.b.config.state.mode.value == "shared"


def test_ctrl_k_opens_the_compare_dialog(qtbot, open_window):
    window = open_window("sticky-crash")
    seen = answer(window, 0)
    qtbot.keyClick(window.canvas, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert len(seen) == 1 and window.driver.comparison is None
    window.controls.compare.click()
    assert len(seen) == 2


def test_side_only_click_without_comparison_is_an_ordinary_click(qtbot, open_window):
    window = open_window("sticky-crash")
    click_card(qtbot, window.canvas, window.scene, 1, alt=True)
    assert window.driver.run.commands == [(0.0, ev.CrashServer(1))]


def test_exports_in_compare_mode_show_and_count_both_sides(qtbot, open_window, tmp_path):
    from PIL import Image

    from visualizer.sim.table import paired_header
    from visualizer.ui.export.actions import write_bundle

    window = open_window("compare-crash")
    window.driver.step(70.0)
    written = {p.name: p for p in write_bundle(window, tmp_path)}
    stage = window.comparing.stage
    with Image.open(written["canvas.png"]) as image:  # the scoreboard and both canvases
        assert image.size == (stage.width(), stage.height())
    svg = written["canvas.svg"].read_text()
    for text in ("A: sticky, server memory", "B: shared store", "Sessions lost", "server-2"):
        assert text in svg
    rows = written["metrics.csv"].read_text().splitlines()
    assert rows[0].split(",") == paired_header(4, 4)
    assert len(rows) == 71
    doc = json.loads(written["summary.json"].read_text())
    a, b = window.driver.comparison.summaries()
    assert doc["a"] == json.loads(json.dumps(a)) and doc["b"] == json.loads(json.dumps(b))
    assert doc["diff"]["sessions"]["lost"] == b["sessions"]["lost"] - a["sessions"]["lost"]
    frame = window.grab_canvas()  # what a recording captures: both sides
    assert (frame.width(), frame.height()) == (
        round(stage.width() * frame.devicePixelRatio()),
        round(stage.height() * frame.devicePixelRatio()),
    )


def test_the_dialog_offers_the_lessons_design_and_settings(qtbot, open_window):
    window = open_window("jwt-revocation")
    window.driver.step(30.0)
    seen = []

    def ask(dialog: CompareDialog) -> int:
        seen.append(dialog)
        dialog.design["auth.blocklist"].setChecked(True)
        dialog._accept()
        return dialog.result()

    window.comparing.ask = ask
    window.comparing.open_dialog()
    dialog = seen[0]
    assert set(dialog.design) == {"auth.method", "auth.blocklist"}
    assert "state.ttl_s" not in dialog.fields and "auth.token_ttl_s" in dialog.fields
    assert "state.mode" not in dialog.values()
    both = window.driver.comparison
    assert both is not None and both.b.config.auth.blocklist and not both.a.config.auth.blocklist
    assert window.comparing.stage.title_b.text() == "B: JWT + blocklist"


def test_a_scoreboard_rebuilt_with_new_columns_leaves_no_old_label_behind(qtbot, open_window):
    """compare-polling gains columns as B's connections appear; an export renders before
    the event loop deletes the old labels, so they must be off the board at once."""
    from PySide6.QtWidgets import QLabel

    window = open_window("compare-polling")
    board = window.comparing.stage.scoreboard
    first = list(board._labels)
    window.driver.step(60.0)
    window.driver.tick(0.0)
    assert board._labels != first  # (rebuilt with other columns)
    grid = board._grid
    on_board = {grid.itemAt(i).widget() for i in range(grid.count())}
    shown = {w for w in board.findChildren(QLabel) if w.isVisibleTo(board)}
    assert shown <= on_board
