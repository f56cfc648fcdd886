"""Exports a writer can publish: wide plots, stamps, crosses in SVG, a fresh status
line, and dialogs that block the window (so its pause on modal dialogs sees them)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog

from tests.ui.conftest import step_until_failed_dots
from visualizer.ui.export import actions as exporter
from visualizer.ui.export.actions import (
    PLOT_PICTURE_WIDTH,
    STAMP_PX,
    render_artifact,
    stamp_caption,
    write_bundle,
)

SVG = "{http://www.w3.org/2000/svg}"


def _png(data: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(data, "PNG")
    return image


def _rows_std(image: QImage, top: int, bottom: int) -> float:
    """How much the rows top..bottom vary: 0 for a plain band, more with text in it."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    pixels = data.reshape(h, image.bytesPerLine())[:, : w * 3]
    return float(pixels[top:bottom].std())


def _svg_texts(data: bytes | str) -> str:
    root = ET.fromstring(data)
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.fixture
def running(open_window):
    window = open_window("sticky-crash")
    window.driver.step(65.0)  # past the crash of server-2 at 60 s
    return window


def _stamp_text(window) -> str:
    snap = window.driver.run.snapshot()
    return f"sticky-crash · seed {snap.config.scenario.seed} · t = {snap.t:,.1f} s"


# --- plots at least 1,600 px wide -------------------------------------------------------------


@pytest.mark.parametrize("scale", [1, 2])
def test_plot_pictures_are_wide_whatever_the_window_size(running, scale):
    running.resize(1000, 700)
    running.refresh_plots()  # laid out at the new size, the plots that fit it shown
    panel = running.plots
    assert panel.width() < PLOT_PICTURE_WIDTH  # a small window: the panel is narrow
    sizes = [plot.size() for plot in panel.plots]
    files = dict(
        render_artifact(running, "plots_png", scale) + render_artifact(running, "plot_files", scale)
    )
    assert _png(files["plots.png"]).width() >= PLOT_PICTURE_WIDTH * scale
    for name in panel.NAMES:
        assert _png(files[f"plot-{name}.png"]).width() >= PLOT_PICTURE_WIDTH * scale
    # the window got its own sizes back, and shows them (the plots it hides, pictured
    # too, leave its layout to redo at the next event)
    QApplication.processEvents()
    assert [plot.size() for plot in panel.plots] == sizes


def test_the_plots_are_laid_out_wide_not_magnified(running):
    """plots.png at 1× is the panel laid out 1,600 px wide: its text keeps its size."""
    running.resize(1000, 700)
    QApplication.processEvents()
    image = exporter.plots_picture(running, 1, stamp=False)
    assert image.width() == PLOT_PICTURE_WIDTH
    assert image.height() == max(running.plots.height(), exporter.PLOT_PANEL_HEIGHT)


# --- the stamp --------------------------------------------------------------------------------


def test_plots_are_stamped_by_default_and_the_canvas_and_window_are_not(running):
    text = _stamp_text(running)
    assert text == "sticky-crash · seed 1 · t = 65.0 s"
    files = dict(render_artifact(running, "plot_files") + render_artifact(running, "canvas_svg"))
    for name in running.plots.NAMES:
        assert text in _svg_texts(files[f"plot-{name}.svg"])
    assert text not in _svg_texts(files["canvas.svg"])
    band = stamp_caption(running, STAMP_PX, "#FFFFFF").height
    rect = running.scene.sceneRect()
    canvas = _png(render_artifact(running, "canvas_png")[0][1])
    assert canvas.height() == round(rect.height())  # no band
    window = _png(render_artifact(running, "window_png")[0][1])
    assert window.size() == running.size()
    plots = _png(render_artifact(running, "plots_png")[0][1])
    unstamped = exporter.plots_picture(running, 1, stamp=False)
    assert plots.height() == unstamped.height() + band
    assert _rows_std(plots, unstamped.height(), plots.height()) > 5  # text in the band


@pytest.mark.parametrize("scale", [1, 2])
def test_stamp_on_adds_a_band_under_the_canvas_and_the_window(running, scale):
    text = _stamp_text(running)
    rect = running.scene.sceneRect()
    canvas = _png(render_artifact(running, "canvas_png", scale, stamp=True)[0][1])
    picture_h = round(rect.height() * scale)
    band = stamp_caption(running, STAMP_PX * scale, "#FFFFFF").height
    assert canvas.width() == round(rect.width() * scale)
    assert canvas.height() == picture_h + band  # below the picture: never over its data
    assert _rows_std(canvas, picture_h, canvas.height()) > 5
    window = _png(render_artifact(running, "window_png", scale, stamp=True)[0][1])
    assert window.height() == running.height() + stamp_caption(running, STAMP_PX, "#fff").height
    svg = render_artifact(running, "canvas_svg", scale, stamp=True)[0][1]
    assert text in _svg_texts(svg)


def test_stamp_off_leaves_the_plots_bare(running):
    text = _stamp_text(running)
    files = dict(render_artifact(running, "plot_files", stamp=False))
    for name in running.plots.NAMES:
        assert text not in _svg_texts(files[f"plot-{name}.svg"])
    plots = _png(render_artifact(running, "plots_png", stamp=False)[0][1])
    assert plots.height() == exporter.plots_picture(running, 1, stamp=False).height()


def test_the_export_dialog_offers_the_stamp_and_remembers_it_for_the_session(
    running, tmp_path, monkeypatch
):
    seen = []

    class Answering(exporter.ExportDialog):
        def exec(self):
            seen.append(self.stamp.isChecked())
            assert self.stamp.text() == "Stamp pictures with scenario, seed and time"
            for key, box in self.boxes.items():
                box.setChecked(key == "canvas_svg")
            self.folder.setText(str(tmp_path))
            self.stamp.setChecked(True)
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(exporter, "ExportDialog", Answering)
    (path,) = running.exporter.export_dialog()
    assert _stamp_text(running) in _svg_texts(path.read_bytes())
    running.exporter.export_dialog()
    assert seen == [False, True]  # off at first, then as left


# --- SVG: the crosses, the fonts ---------------------------------------------------------------


def test_the_canvas_svg_of_a_run_with_failures_keeps_the_crosses(open_window, tmp_path):
    window = open_window("local-no-sticky")
    step_until_failed_dots(window)
    (path,) = write_bundle(window, tmp_path, ("canvas_svg",))
    svg = path.read_text()
    red = re.findall(r'<g fill="#d62728"[^>]*>(.*?)</g>', svg, re.S)
    assert any("<circle" in g for g in red)  # failed dots are in the picture
    crossed = re.findall(r'<g fill="#d62728"[^>]*stroke="#ffffff"[^>]*>(.*?)</g>', svg, re.S)
    strokes = sum(g.count("<polyline") + g.count("<line") + g.count("<path") for g in crossed)
    assert strokes >= 2  # two white strokes over a red dot: the cross


def test_svg_fonts_end_with_a_generic_family(running):
    """A reader without our font gets a sans-serif face, not the browser's serif."""
    for data in (
        render_artifact(running, "canvas_svg")[0][1],
        exporter.plot_svg(running, 0),
    ):
        families = set(re.findall(r'font-family="([^"]+)"', data.decode()))
        assert families
        for family in families:
            assert family.endswith(("sans-serif", "monospace", "serif")), family
        assert "Sans Serif" not in families


# --- window.png: a fresh frame, no stale frame rate ------------------------------------------


def test_a_paused_windows_picture_has_no_stale_frame_rate(running, monkeypatch):
    label = running.status_labels["fps"]
    running.driver.pause()
    # the status line as it was last drawn while playing (the paused frame not drawn yet)
    label.setText("1 fps")
    at_render = []
    real = type(running).window_image

    def window_image(self):
        at_render.append(label.text())
        return real(self)

    monkeypatch.setattr(type(running), "window_image", window_image)
    render_artifact(running, "window_png")
    assert at_render and "1 fps" not in at_render[0]


# --- dialogs are modal children of the window --------------------------------------------------


class _Blocked(QObject):
    """Counts the window's WindowBlocked events (what its pause on modal dialogs sees)."""

    def __init__(self, window):
        super().__init__()
        self.count = 0
        window.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.WindowBlocked:
            self.count += 1
        return False


def _close_when_shown(found: list) -> None:
    """When a modal dialog opens: note whether it is modal and whose, then cancel it."""

    def close():
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # not open yet: look again at the next turn of the event loop
            QTimer.singleShot(0, close)
            return
        found.append((dialog.isModal(), dialog.parentWidget().window()))
        dialog.reject()

    QTimer.singleShot(0, close)


@pytest.mark.parametrize("which", ["export", "record", "save"])
def test_each_dialog_blocks_the_window_while_open(running, which):
    blocked = _Blocked(running)
    found: list = []
    _close_when_shown(found)
    ex = running.exporter
    if which == "export":
        assert ex.export_dialog() == []
    elif which == "record":
        ex.toggle_recording()
    else:
        assert ex.ask_save("Export", "x.png", "PNG image (*.png)") is None
    assert found == [(True, running)]  # a modal child of the window
    assert blocked.count >= 1  # what the window's pause on modal dialogs sees
    assert not ex.is_recording


def test_encoding_a_recording_leaves_the_run_playing(open_window, qtbot, tmp_path):
    """The encoding progress is not modal: the run is not paused while a clip encodes."""
    window = open_window("sticky-crash")
    window.exporter.start_recording("canvas", 10.0)
    window.driver.play()
    for _ in range(8):
        window.driver.tick(0.05)
    job = window.exporter.stop_recording(tmp_path / "clip.gif")
    assert job is not None
    assert window.driver.running  # no WindowBlocked pause
    progress = [w for w in window.findChildren(QProgressDialog)]
    assert progress and all(not p.isModal() for p in progress)
    job.wait()
    qtbot.waitUntil(lambda: (tmp_path / "clip.gif").exists())
