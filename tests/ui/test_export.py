"""Exports: pictures, SVG, CSV, JSON, recordings, atomic failures, the export command."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint
from PySide6.QtGui import QContextMenuEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionGraphicsItem

from visualizer.cli import commands as cli
from visualizer.sim.metrics import ERROR_CODES
from visualizer.ui.export import render as export
from visualizer.ui.export.actions import BUNDLE, clock_caption, render_artifact, write_bundle
from visualizer.ui.export.render import ExportError

SVG = "{http://www.w3.org/2000/svg}"


def _not_blank(image: QImage) -> float:
    """Standard deviation of the pixels: a blank picture has none."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    return float(data.reshape(h, image.bytesPerLine())[:, : w * 3].std())


@pytest.fixture
def running(open_window):
    window = open_window("sticky-crash")
    window.driver.step(65.0)  # past the crash of server-2 at 60 s
    return window


@pytest.mark.parametrize("scale", [1, 2, 4])
def test_canvas_png_decodes_at_the_requested_scale(running, tmp_path, scale):
    rect = running.scene.sceneRect()
    path = export.save_png(tmp_path / "canvas.png", export.render_scene(running.scene, scale))
    with Image.open(path) as im:
        assert im.size == (round(rect.width() * scale), round(rect.height() * scale))
        assert im.format == "PNG"
    assert _not_blank(QImage(str(path))) > 10


def test_window_and_plot_pictures(running, tmp_path):
    files = dict(render_artifact(running, "window_png") + render_artifact(running, "plots_png"))
    for name in ("window.png", "plots.png"):
        (tmp_path / name).write_bytes(files[name])
        image = QImage(str(tmp_path / name))
        assert not image.isNull() and _not_blank(image) > 10
    assert QImage(str(tmp_path / "window.png")).size() == running.size()


def test_canvas_svg_parses_and_keeps_labels_as_text(running):
    data = export.scene_svg(running.scene, "test")
    root = ET.fromstring(data)
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for name in ("server-1", "server-2", "server-3", "server-4", "Load balancer", "DOWN"):
        assert name in texts
    assert not list(root.iter(f"{SVG}image"))  # vector, not cached bitmaps


def test_each_plot_exports_as_png_and_svg(running, tmp_path):
    written = write_bundle(running, tmp_path, ("plot_files",))
    assert sorted(p.name for p in written) == sorted(
        f"plot-{n}.{ext}"
        for n in ("lost", "errors", "memory", "latency", "requests")
        for ext in ("png", "svg")
    )
    for path in written:
        if path.suffix == ".svg":
            root = ET.parse(path).getroot()
            assert root.tag == f"{SVG}svg"
            assert "time (s)" in " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
        else:
            assert _not_blank(QImage(str(path))) > 5


def test_csv_has_the_documented_columns_and_a_row_per_second(running, tmp_path):
    (path,) = write_bundle(running, tmp_path, ("metrics_csv",))
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 65
    assert [float(r["t_s"]) for r in rows] == [float(t) for t in range(1, 66)]
    header = set(rows[0])
    assert {"t_s", "sent", "ok", "failed", "p50_ms", "p95_ms", "memory_mb_total"} <= header
    assert {f"err_{c.value.lower()}" for c in ERROR_CODES} <= header
    assert {f"server-2_{f}" for f in ("up", "sessions", "memory_mb", "queue")} <= header
    assert rows[-1]["server-2_up"] == "0" and int(rows[-1]["lost_crash"]) > 0


def test_summary_json_matches_the_command_line_schema(running, tmp_path, capsys):
    (path,) = write_bundle(running, tmp_path, ("summary_json",))
    data = json.loads(path.read_text())
    cli.main(["run", "sticky-crash", "--duration", "65", "--json", "-"])
    headless = json.loads(capsys.readouterr().out)
    assert set(data) == set(headless)
    # the headless run was told --duration 65; the window's scenario still says 120 s
    assert headless["config"]["scenario"].pop("duration_s") == 65.0
    data["config"]["scenario"].pop("duration_s")
    assert data == headless  # same scenario, seed and (no) commands: same numbers


def _record(window, qtbot, path, target="canvas", seconds=1.0, fps=10.0):
    exporter = window.exporter
    exporter.start_recording(target, fps)
    assert window.rec_label.isVisible() and window.windowTitle().startswith("● REC")
    window.driver.play()
    end = window.driver.run.engine.now + seconds
    for _ in range(int(seconds / 0.05) * 4 + 10):  # bounded: a stall fails, not hangs
        if window.driver.run.engine.now >= end:
            break
        window.driver.tick(0.05)
    assert window.driver.run.engine.now >= end
    job = exporter.stop_recording(path)
    assert not window.rec_label.isVisible()
    return job.wait()


def test_recording_a_gif_gives_frames_of_the_canvas_size(running, qtbot, tmp_path):
    path = _record(running, qtbot, tmp_path / "clip.gif", seconds=1.0, fps=10.0)
    viewport = running.canvas.viewport().size()
    band = clock_caption(running, viewport.width()).height  # the clock under each frame
    # full size (a GIF is no longer scaled to 1,000 px wide unless asked)
    with Image.open(path) as gif:
        assert gif.n_frames >= 10  # one per 0.1 simulated seconds at 1×
        assert gif.size == (viewport.width(), viewport.height() + band)
    assert not list(tmp_path.glob(".*tmp*"))


def test_recording_an_mp4_of_the_window(running, qtbot, tmp_path):
    path = _record(running, qtbot, tmp_path / "clip.mp4", target="window", seconds=0.6)
    data = path.read_bytes()
    assert len(data) > 1_000
    assert data[4:8] == b"ftyp"  # an ISO base media (MP4) file starts with its ftyp box


def test_frames_come_from_simulated_time(running, qtbot):
    times = []
    running.driver.start_recording(20.0, times.append)
    running.driver.play()
    start = running.driver.run.engine.now
    for dt in (0.3, 0.01, 0.2, 0.05, 0.1):  # an uneven, slow machine
        running.driver.tick(dt)
    running.driver.stop_recording()
    steps = np.diff(times)
    assert times[0] == pytest.approx(start)
    assert np.allclose(steps, 1 / 20)  # exact simulated-time spacing whatever the frames did


def test_export_into_a_read_only_folder_fails_cleanly(running, readonly_folder, monkeypatch):
    with pytest.raises(ExportError, match="cannot write"):
        export.save(readonly_folder / "canvas.png", b"x")
    with pytest.raises(ExportError):
        write_bundle(running, readonly_folder)
    errors = []
    monkeypatch.setattr(running, "show_error", lambda title, msg: errors.append(msg))
    monkeypatch.setattr(running.exporter, "ask_save", lambda *a: readonly_folder / "c.png")
    assert running.exporter.export_one("canvas_png") == []
    assert errors and "cannot write" in errors[0]
    assert sorted(p.name for p in readonly_folder.iterdir()) == []


def test_a_recording_into_a_read_only_folder_leaves_nothing(
    running, qtbot, readonly_folder, monkeypatch
):
    errors = []
    monkeypatch.setattr(running, "show_error", lambda title, msg: errors.append(msg))
    assert _record(running, qtbot, readonly_folder / "clip.gif", seconds=0.3) is None
    assert errors and "cannot write" in errors[0]
    assert list(readonly_folder.iterdir()) == []


def test_export_dialog_and_menu_actions_write_where_asked(running, tmp_path, monkeypatch):
    from visualizer.ui.export import actions as module

    class Accepting(module.ExportDialog):
        def exec(self):
            self.folder.setText(str(tmp_path / "out"))
            self.scale.setCurrentIndex(1)  # 2×
            return module.QDialog.DialogCode.Accepted

    monkeypatch.setattr(module, "ExportDialog", Accepting)
    written = running.exporter.export_dialog()
    assert sorted(p.name for p in written) == sorted(
        a.name for a in BUNDLE if a.key != "plot_files"
    )
    with Image.open(tmp_path / "out" / "canvas.png") as im:
        assert im.size[0] == 3200
    assert running.settings.export_folder == str(tmp_path / "out")
    assert "Exported 6 files" in running.statusBar().currentMessage()
    monkeypatch.setattr(running.exporter, "ask_save", lambda *a: tmp_path / "mine")
    (path,) = running.exporter.export_one("summary_json")
    assert path.name == "mine.json"  # the right extension is added


def test_a_plots_context_menu_exports_that_plot(running, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(running.exporter, "ask_save", lambda *a: tmp_path / "latency.svg")
    plot = running.plots.latency
    pos = QPoint(40, 40)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, plot.viewport().mapToGlobal(pos))
    QApplication.sendEvent(plot.viewport(), event)
    menu = running.plots.last_menu
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Export this plot as PNG…",
        "Export this plot as SVG…",
        "Export all plots as PNG…",
    ]
    menu.actions()[1].trigger()
    menu.close()
    root = ET.parse(tmp_path / "latency.svg").getroot()
    assert "p95" in " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def test_the_export_command_writes_every_file(tmp_path, capsys, qapp):
    out = tmp_path / "exports"
    code = cli.main(["export", "sticky-crash", "--at", "62", "--out", str(out), "--gif", "1"])
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "window.png",
            "canvas.png",
            "canvas.svg",
            "plots.png",
            "metrics.csv",
            "summary.json",
            "clip.gif",
        ]
    )
    printed = capsys.readouterr().out.split()
    assert len(printed) == 7
    with Image.open(out / "window.png") as im:
        assert im.size == (1600, 1000)
    with Image.open(out / "clip.gif") as gif:
        assert gif.n_frames >= 10
    summary = json.loads((out / "summary.json").read_text())
    assert summary["duration_s"] == 62.0 and summary["sessions"]["lost_by_cause"]["crash"] > 0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["export", "sticky-crash", "--out", "x"], "--at"),
        (["export", "nope", "--at", "5", "--out", "x"], "unknown scenario"),
        (["export", "sticky-crash", "--at", "5", "--out", "/proc/nope"], "--out /proc/nope"),
        (["export", "sticky-crash", "--at", "5", "--out", "x", "--scale", "3"], "--scale"),
    ],
)
def test_export_command_bad_input_exits_2(capsys, argv, expected):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


def test_a_recording_goes_on_into_the_next_scenario(running, qtbot, tmp_path):
    exporter = running.exporter
    exporter.start_recording("canvas", 10.0)
    running.driver.play()
    running.driver.tick(0.05)
    running.driver.tick(0.1)
    before = exporter.recording.frames
    running.open_preset("shared-store")
    assert exporter.is_recording and running.driver.run.engine.now == 0.0
    running.driver.play()
    for _ in range(5):
        running.driver.tick(0.1)
    assert exporter.recording.frames > before
    assert exporter.stop_recording(tmp_path / "both.gif").wait().is_file()


def test_an_overlong_gif_is_refused_with_advice_and_mp4_still_works(qapp, tmp_path, monkeypatch):
    from PySide6.QtGui import QColor

    from visualizer.ui.export.recording import Recording

    monkeypatch.setattr(Recording, "MAX_GIF_FRAMES", 3)
    recording = Recording(10, QColor("white"))
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    for k in range(4):
        image.fill(QColor(40 * k, 90, 160))
        recording.add(image)
    with pytest.raises(ExportError, match=r"too long for a GIF .* save it as \.mp4"):
        recording.encode(tmp_path / "long.gif")
    assert not list(tmp_path.iterdir())
    assert recording.encode(tmp_path / "long.mp4").read_bytes()[4:8] == b"ftyp"
    recording.discard()


def test_windows_in_tests_get_a_desktop_sized_screen(qapp):
    """Even when the caller asks for plain "offscreen" (CI does), whose 800×800 screen
    would clamp a 1600×1000 window and make the export's sizes depend on test order."""
    size = qapp.primaryScreen().size()
    assert (size.width(), size.height()) >= (1600, 1000)


def test_exported_canvases_carry_no_click_hints_and_the_counters_sit_above_the_dots(
    open_window,
):
    """A file is no window: "click to restart" is left off a down card while a picture
    is rendered (and comes back after); the headline counters are drawn over the dots
    that pass them."""
    window = open_window("sticky-crash")
    window.driver.step(75.0)  # server-2 down since 60 s, out of rotation after its check
    window.driver.tick(0.0)
    scene = window.scene
    card = scene.cards[1]
    assert not card.view.up and not card.view.in_rotation

    def picture() -> QImage:
        image = QImage(int(card.rect.w), int(card.rect.h), QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        painter.translate(-card.rect.x, -card.rect.y)
        card.paint(painter, QStyleOptionGraphicsItem(), None)
        painter.end()
        return image

    on_screen = picture()
    with scene.for_export():
        assert not any(c.hints for c in scene.cards.values())
        in_file = picture()
    assert all(c.hints for c in scene.cards.values())
    assert in_file != on_screen  # the hint's words are gone from the file's picture
    assert scene.headline.zValue() > scene.dots.zValue()
