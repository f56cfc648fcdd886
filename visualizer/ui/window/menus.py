"""Menus and shortcuts built from the one actions table (``visualizer.app.actions``)."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from visualizer.app.actions import ACTIONS, MENUS, help_rows, toggle_words
from visualizer.lessons.spec import LessonControls

Handler = Callable[[], object]


def build_actions(
    window: QMainWindow,
    handlers: dict[str, Handler],
    after: dict[str, Callable[[QMenu], None]] | None = None,
) -> dict[str, QAction]:
    """One QAction per table row, in its menu (if any), bound to ``handlers[id]``;
    ``after[id]`` adds submenus right after that row (presets, recent files, themes)."""
    after = after or {}
    menus = {name: window.menuBar().addMenu(name) for name in MENUS}
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.title.replace("&", "") if spec.menu is None else spec.title, window)
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        # window-wide: the presenter's keys work whatever widget has the focus
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        handler = handlers[spec.id]
        if spec.checkable:
            action.toggled.connect(handler)
        else:
            action.triggered.connect(lambda _=False, h=handler: h())
        if spec.help:
            action.setStatusTip(spec.help)
        window.addAction(action)
        if spec.menu is not None:
            menu = menus[spec.menu]
            if spec.separator_before:
                menu.addSeparator()
            menu.addAction(action)
            if spec.id in after:
                after[spec.id](menu)
        actions[spec.id] = action
    return actions


def word_toggles(actions: dict[str, QAction], controls: LessonControls) -> None:
    """The State menu's three toggles titled in the lesson's words (T is "WebSocket" in
    the realtime lesson, "Server sessions" in sign-in), their status tips too."""
    for action_id, (title, help_line) in toggle_words(controls).items():
        actions[action_id].setText(title)
        actions[action_id].setStatusTip(help_line)


def shortcuts_html(controls: LessonControls | None = None) -> str:
    """The F1 help: every key, the toggles in the words of the lesson ``controls``."""
    rows = "".join(
        f"<tr><td><b>{html.escape(k)}</b></td><td>&nbsp;{html.escape(v)}</td></tr>"
        for k, v in help_rows(controls)
    )
    return (
        f"<table>{rows}</table><p>Click a server card's name bar to crash it and again to "
        "restart it; click the store to crash or restore it; click a moving dot, a session "
        "chip or a client lane to inspect it; right-click for more.</p>"
    )
