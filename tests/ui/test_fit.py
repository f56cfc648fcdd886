"""The window fits a 1280×720 screen: menus reachable by unique mnemonics, the F1 help
within the screen, the strip's words all shown."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from visualizer.ui.main_window import MainWindow


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


def test_every_menu_has_its_own_mnemonic_and_every_entry_one_unique_in_its_menu(qtbot, open_window):
    window = open_window("sticky-crash")
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
