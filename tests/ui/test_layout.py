"""The layout of every slide: each preset at its story's moment, in presenter mode at
1280x720 (a comparison as a comparison) and in the normal window at 1280x720 and
1600x1000: no text cut by its box or outside its view or the window, no two texts over
each other, and in presenter mode no word under 16 px and no name or key number under
20 px, nor left out (what is left out under the floor is detail the speaker says).

The texts are the ones the canvas, the plots and the timeline paint (recorded by
``visualizer.ui.canvas.painted``) and the window's labels and buttons; see ``layout``."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView

from tests.ui.layout import Rule, layout_faults
from visualizer.ui.canvas import painted
from visualizer.ui.export.slides import deck, render_slide, settle, story_moment

SLIDES = [info for info in deck()]
#: A room at 1280x720: words, and names and key numbers (device pixels).
PRESENTER = Rule(least_px=16.0, names_px=20.0)


def _normal(window, name: str, size: QSize) -> None:
    if window.presenter.active:
        window.presenter.leave()
    window.open_preset(name)
    window.driver.stop()
    settle(window, size)
    window.driver.step(story_moment(window.driver.config))
    window.refresh_plots()
    settle(window, size)


@pytest.mark.parametrize("info", SLIDES, ids=[s.name for s in SLIDES])
def test_every_slide_is_laid_out_for_its_room(open_window, info):
    window = open_window()
    faults = []
    render_slide(window, info, QSize(1280, 720))
    assert window.presenter.active and window.size() == QSize(1280, 720)
    faults += [f"presenter 1280x720: {f}" for f in layout_faults(window, PRESENTER)]
    for size in (QSize(1280, 720), QSize(1600, 1000)):
        _normal(window, info.name, size)
        shown = f"{size.width()}x{size.height()}"
        faults += [f"window {shown}: {f}" for f in layout_faults(window)]
    assert not faults, "\n".join(faults)


# --- the check itself finds what it is for ---------------------------------------------


class _Words(QGraphicsItem):
    """Texts drawn as the canvas draws them, at given boxes and sizes."""

    def __init__(self, texts: list[tuple[QRectF, str, int, str]]) -> None:
        super().__init__()
        self.texts = texts

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 400, 300)

    def paint(self, p: QPainter, *args) -> None:
        p.setPen(QColor("black"))
        with painted.floor(getattr(self.scene(), "least", 0.0), painted.device_scale(p)):
            for box, text, px, role in self.texts:
                font = p.font()
                font.setPixelSize(px)
                p.setFont(font)
                painted.draw_text(p, box, Qt.AlignmentFlag.AlignLeft, text, role)


def _view(qtbot, texts, least: float = 0.0) -> QGraphicsView:
    scene = QGraphicsScene(0, 0, 400, 300)
    scene.least = least
    scene.addItem(_Words(texts))
    view = QGraphicsView(scene)
    view.kept = scene  # (the view does not own its scene)
    view.resize(420, 320)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_check_finds_cut_overlapping_and_small_text(qtbot):
    view = _view(
        qtbot,
        [
            (QRectF(10, 10, 40, 20), "a sentence far wider than its box", 14, ""),
            (QRectF(10, 100, 200, 20), "one label", 14, ""),
            (QRectF(12, 102, 200, 20), "another label", 14, ""),
            (QRectF(10, 200, 200, 20), "tiny words", 9, ""),
        ],
    )
    faults = layout_faults(view, Rule(least_px=12.0))
    assert any("far wider" in f and "cut by its box" in f for f in faults), faults
    assert any("'one label' over 'another label'" in f for f in faults), faults
    assert any("'tiny words' in 9.0 px" in f for f in faults), faults
    assert not any("'one label' in" in f for f in faults)  # (14 px is large enough)


def test_under_a_floor_small_words_grow_and_what_no_longer_fits_is_left_out(qtbot):
    texts = [
        (QRectF(10, 10, 300, 40), "grows", 9, ""),
        (QRectF(10, 60, 45, 40), "too long to grow", 9, ""),
        (QRectF(10, 120, 45, 40), "server-1", 9, "name"),
    ]
    view = _view(qtbot, texts, least=16.0)
    faults = layout_faults(view, Rule(least_px=16.0, names_px=20.0))
    assert faults == [f"{type(view).__name__}: the name 'server-1' left out"], faults
    from tests.ui.layout import painted_in

    shown = {t.text: t for t in painted_in(view)}
    assert shown["grows"].px >= 16 and not shown["grows"].dropped
    assert shown["too long to grow"].dropped
