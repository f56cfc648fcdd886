"""The window fits a 1280×720 screen: menus reachable by unique mnemonics, the F1 help
within the screen, the strip's words all shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu

from visualizer.ui.panels.help_dialog import HelpDialog
from visualizer.ui.window.app import first_size
from visualizer.ui.window.fit import FRAME_GUESS, place_inside
from visualizer.ui.window.main_window import MainWindow


def mnemonic(text: str) -> str | None:
    """The letter after a single "&" ("&&" is a literal ampersand), lower case."""
    at = 0
    while (at := text.find("&", at)) >= 0:
        if text[at + 1 : at + 2] == "&":
            at += 2
            continue
        return text[at + 1 : at + 2].lower() or None
    return None


def menus_of(window: MainWindow) -> list[tuple[str, QMenu]]:
    """Every menu of the menu bar and its submenus, with where it is."""
    out: list[tuple[str, QMenu]] = []

    def walk(path: str, menu: QMenu) -> None:
        out.append((path, menu))
        for action in menu.actions():
            if action.menu() is not None:
                walk(f"{path} › {action.text()}", action.menu())

    for action in window.menuBar().actions():
        walk(action.text(), action.menu())
    return out


@pytest.mark.parametrize(
    "preset",  # one a lesson: the State menu names the lesson's toggles
    ["sticky-crash", "counter-client", "jwt-revocation", "polling-waste", "gateway-services"],
)
def test_every_menu_has_its_own_mnemonic_and_every_entry_one_unique_in_its_menu(
    qtbot, open_window, preset
):
    window = open_window(preset)
    top = [a.text() for a in window.menuBar().actions()]
    letters = [mnemonic(t) for t in top]
    assert None not in letters, top
    assert len(set(letters)) == len(letters), top  # Alt+V was both Servers and View
    for path, menu in menus_of(window):
        seen: dict[str, str] = {}
        for action in menu.actions():
            letter = mnemonic(action.text())
            if action.isSeparator() or letter is None:
                continue
            assert letter not in seen, (path, seen[letter], action.text())
            seen[letter] = action.text()


def test_a_new_window_leaves_room_for_the_frame_the_window_manager_adds(qtbot, open_window):
    # the frame is not known before the window shows: the first size leaves room for one
    screen = QRect(0, 0, 1280, 720)
    size = first_size(screen)
    assert screen.contains(QRect(QPoint(0, 0), size.grownBy(FRAME_GUESS)))
    assert first_size(QRect(0, 0, 2560, 1600)) == QSize(1500, 920)
    # once shown (with its frame), a window too large for the screen is made to fit
    window = open_window("sticky-crash")
    window.resize(1400, 900)
    place_inside(window, screen)
    assert screen.contains(window.frameGeometry()), window.frameGeometry()
    assert window.frameGeometry().size() != window.size()  # (a real frame, not the guess)


def test_f1_help_fits_the_screen_its_ok_in_view_and_its_list_scrolls(qtbot, open_window):
    window = open_window("sticky-crash")
    seen: dict[str, object] = {}

    def look() -> None:  # (no assertion here: the dialog's event loop would swallow it)
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(10, look)
            return
        seen["box"] = type(box)
        if isinstance(box, HelpDialog):
            ok = box.buttons.button(QDialogButtonBox.StandardButton.Ok)
            seen["room"] = box.screen().availableGeometry()
            seen["frame"] = box.frameGeometry()
            seen["ok"] = QRect(ok.mapToGlobal(QPoint()), ok.size()) if ok.isVisible() else None
            seen["text"] = box.text.toPlainText()
            # a 1280×720 screen with a tall task bar: the list scrolls, OK stays in view
            box.fit_within(QRect(0, 0, 1280, 400))
            seen["small frame"] = box.frameGeometry()
            seen["scrolls"] = box.text.verticalScrollBar().maximum() > 0
            seen["ok inside"] = box.rect().contains(box.buttons.geometry())
        box.accept()

    QTimer.singleShot(0, look)
    qtbot.keyClick(window.canvas, Qt.Key.Key_F1)
    assert seen["box"] is HelpDialog
    room = seen["room"]
    assert room.contains(seen["frame"]) and room.contains(seen["ok"]), seen
    assert "Space" in seen["text"]
    assert QRect(0, 0, 1280, 400).contains(seen["small frame"]), seen
    assert seen["scrolls"] and seen["ok inside"]
