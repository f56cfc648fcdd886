"""Text from a scenario file is shown as text everywhere, never as HTML: a shared file
whose notes are ``<img … width=30000 height=30000>`` took gigabytes and froze the window,
and an error quoting an unknown key could carry a working external link."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from visualizer.sim import scenario
from visualizer.sim.schema import ConfigError
from visualizer.ui.export import render as export
from visualizer.ui.export.actions import STAMP_PX, stamp_caption
from visualizer.ui.window import plain

#: A Qt built-in picture, so no file is needed; drawn, it takes 36 MB and 3,000 px.
IMG = "<img src=':/qt-project.org/logos/pysidelogo.png' width=3000 height=3000>"
BOLD = "<b>x</b>"
LINK = "<a href='http://x'>click</a>"


def shown(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What a label or tooltip with ``text`` in ``fmt`` puts on screen, as plain text
    (Qt's own choice for AutoText: HTML when ``Qt.mightBeRichText`` says so)."""
    doc = QTextDocument()
    rich = fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    if rich:
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    return doc.toPlainText().replace("\u2028", "\n").replace("\xa0", " ")


def label_shows(label: QLabel, literal: str) -> bool:
    return literal in shown(label.text(), label.textFormat())


@pytest.fixture
def marked_up(tmp_path):
    """A scenario file whose every text is markup."""
    path = tmp_path / "marked-up.toml"
    path.write_text(
        "[scenario]\n"
        f'name = "{IMG}"\n'
        f'title = "{BOLD} {IMG}"\n'
        f'description = "{IMG}"\n'
        f'notes = "{IMG}"\n'
        f'explanation = "{IMG} {BOLD}"\n'
    )
    return path


def _bad_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(f'[scenario]\n"{LINK}" = 1\n')
    return path


def test_the_helpers_show_markup_literally(qapp, tmp_path):
    for text in (IMG, f"{BOLD}\nsecond line", "a &lt; b", "plain & simple", "no markup"):
        assert shown(plain.tooltip(text)) == text
    assert plain.tooltip("no markup") == "no markup"  # left as it was
    with pytest.raises(ConfigError) as caught:  # the message quotes the unknown key
        scenario.load_file(_bad_file(tmp_path))
    message = str(caught.value)
    assert LINK in message
    box = plain.message_box(None, "Cannot open the scenario", message)
    try:
        assert box.textFormat() == Qt.TextFormat.PlainText
        assert shown(box.text(), box.textFormat()) == message
    finally:
        box.deleteLater()


def test_every_text_of_the_file_shows_literally(qtbot, open_window, marked_up):
    window = open_window("sticky-crash")
    assert window.files.open_path(marked_up)
    window.driver.step(2.0)
    window.redraw()

    # the window's title (titles are never HTML, but say so for good)
    assert f"{BOLD} {IMG}" in window.windowTitle()

    # the explanation strip (HTML of its own, the file's words escaped in it)
    words = window.headline.words
    qtbot.waitUntil(lambda: label_shows(words, f"{IMG} {BOLD}"))
    assert words.sizeHint().height() < 500

    # presenter mode: the bar names the scenario, N shows its notes
    window.presenter.enter()
    window.driver.tick(0.0)
    bar = window.presenter_bar
    qtbot.waitUntil(lambda: IMG in bar.text())
    assert bar.textFormat() == Qt.TextFormat.PlainText and label_shows(bar, IMG)
    qtbot.keyClick(window.canvas, Qt.Key.Key_N)
    notes = window.speaker_notes
    assert notes.isVisible() and notes.textFormat() == Qt.TextFormat.PlainText
    assert label_shows(notes, f"Notes: {IMG}")
    assert notes.sizeHint().height() < 500 and notes.sizeHint().width() < 3000
    window.presenter.leave()

    # the stamp on exported pictures, and the SVG's title
    caption = stamp_caption(window, STAMP_PX, "#FFFFFF")
    svg = export.scene_svg(window.scene, window.windowTitle(), caption)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == window.windowTitle()
    assert any(IMG in "".join(t.itertext()) for t in root.iter(f"{ns}text"))


def test_the_recent_files_menu_shows_the_path_literally(open_window, tmp_path):
    """A folder named ``<b>shared`` and a file named ``a&b.toml``: the menu entry and
    its tooltip say just that."""
    window = open_window("sticky-crash")
    folder = tmp_path / "<b>shared"
    folder.mkdir()
    path = folder / "a&b.toml"
    path.write_text('[scenario]\nname = "a-and-b"\n')
    assert window.files.open_path(path)
    (action,) = [a for a in window.files.recent_menu.actions() if a.toolTip()][:1]
    assert action.text() == "a&&b.toml"  # && shows one &, a lone & underlines the b
    assert shown(action.toolTip()) == str(path)


def test_the_cannot_open_dialog_shows_the_key_as_text(qtbot, open_window, tmp_path):
    window = open_window("sticky-crash")
    seen: dict[str, object] = {}

    def inspect() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        try:
            box = next(b for b in boxes if b.isVisible())
            seen["format"] = box.textFormat()
            seen["text"] = box.text()
        finally:
            for b in boxes:
                b.done(0)

    QTimer.singleShot(0, inspect)
    assert not window.files.open_path(_bad_file(tmp_path))
    assert LINK in str(seen["text"])
    assert seen["format"] == Qt.TextFormat.PlainText
