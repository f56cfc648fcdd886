"""The control panel follows the run's lesson: its question, its toggles, its settings."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.sim.helpers import config
from visualizer.lessons import SPECS, controls_for
from visualizer.sim.config import Lesson
from visualizer.sim.schema import key_specs, with_values
from visualizer.ui.colors import LIGHT
from visualizer.ui.panels.controls import ControlPanel, field_by_key


def lesson(name: str, **changes):
    base = with_values(config(), {"scenario.lesson": name}, "test")
    return with_values(base, {k.replace("__", "."): v for k, v in changes.items()}, "test")


def shown_rows(panel: ControlPanel) -> set[str]:
    return {key for key, w in panel.fields.items() if panel.form.isRowVisible(w)}


def test_every_lesson_offers_keys_that_exist_and_the_panel_can_type():
    specs = key_specs()
    for controls in (spec.controls for spec in SPECS.values()):
        for key in (*controls.fields, *controls.design):
            assert key in specs
            assert key in field_by_key() or key in ("state.mode", "balancer.sticky")
        assert [t.letter for t in controls.toggles] == ["T", "S", "R"]


def test_the_panel_shows_the_counter_lessons_question_toggles_and_settings(qtbot):
    panel = ControlPanel(LIGHT)
    qtbot.addWidget(panel)
    panel.sync(lesson("counter", counter__placement="store"), False, 1.0)
    assert panel.state_box.title() == "Where does the count live?"
    assert shown_rows(panel) == set(controls_for(lesson("counter")).fields)
    assert "state.ttl_s" not in shown_rows(panel)  # no session TTL in this lesson
    assert panel.shared.isChecked() and panel.stateful.isChecked()
    assert "the servers ask the store" in panel.stateful.text()
    # and back: the sessions lesson shows its own rows again
    panel.sync(config("sticky-crash"), False, 1.0)
    assert panel.state_box.title() == "Where does state live?"
    assert "state.ttl_s" in shown_rows(panel) and "counter.scope" not in shown_rows(panel)


def test_the_auth_lessons_toggles_say_what_they_set(qtbot):
    panel = ControlPanel(LIGHT)
    qtbot.addWidget(panel)
    cfg = lesson("auth", auth__method="jwt")
    panel.sync(cfg, False, 1.0)
    assert panel.stateful.text().startswith("Server sessions: OFF")
    assert not panel.shared.isChecked() and panel.shared.text().startswith("Blocklist: OFF")
    asked = []
    panel.toggleChosen.connect(lambda letter, on: asked.append((letter, on)))
    qtbot.mouseClick(panel.shared, Qt.MouseButton.LeftButton)
    assert asked == [("R", True)]
    assert controls_for(cfg).toggle("R").changes(cfg, True) == {"auth.blocklist": True}
    assert controls_for(cfg).flip("T", cfg) == {"auth.method": "session"}


def test_a_choice_or_a_check_box_reports_its_value(qtbot):
    panel = ControlPanel(LIGHT)
    qtbot.addWidget(panel)
    panel.sync(lesson("counter"), False, 1.0)
    chosen = []
    panel.valueChosen.connect(lambda key, value: chosen.append((key, value)))
    scope = panel.fields["counter.scope"]
    scope.setCurrentIndex(scope.findData("global"))
    panel.fields["counter.signed"].click()
    assert chosen == [("counter.scope", "global"), ("counter.signed", True)]


def test_the_counter_toggles_move_the_count():
    cfg = lesson("counter")
    controls = controls_for(cfg)
    assert controls is SPECS[Lesson("counter")].controls
    assert controls.flip("R", cfg) == {"counter.placement": "store"}
    assert controls.flip("T", cfg) == {"counter.placement": "client"}
    on_store = lesson("counter", counter__placement="store")
    assert controls.flip("R", on_store) == {"counter.placement": "server"}


def test_the_realtime_toggles_pick_the_transport(qtbot):
    controls = SPECS[Lesson("realtime")].controls
    short = lesson("realtime")
    assert controls.flip("T", short) == {"realtime.transport": "websocket"}
    assert controls.flip("R", short) == {"realtime.transport": "long_poll"}
    ws = lesson("realtime", realtime__transport="websocket")
    assert controls.flip("T", ws) == {"realtime.transport": "short_poll"}
    panel = ControlPanel(LIGHT)
    qtbot.addWidget(panel)
    panel.sync(ws, False, 1.0)
    assert panel.state_box.title() == "How do messages arrive?"
    assert shown_rows(panel) == set(controls.fields)
    assert panel.stateful.isChecked() and not panel.shared.isChecked()


def test_the_keys_hint_names_the_lessons_own_toggles(qtbot):
    panel = ControlPanel(LIGHT)
    qtbot.addWidget(panel)
    panel.set_hint_head("Keys: Space play")
    for name in ("sessions", "services"):
        panel.sync(lesson(name), running=False, speed=1.0)
        words = " · ".join(f"{t.letter} {t.title.lower()}" for t in panel.lesson.toggles)
        assert panel.hint.text() == f"Keys: Space play\n{words} on/off"
    assert "R orders database" in panel.hint.text()  # not "R shared store"


def test_the_panels_boxes_take_each_settings_range_label_and_words_from_its_spec(qtbot):
    from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

    panel = ControlPanel(LIGHT)
    qtbot.addWidget(panel)
    for key, widget in panel.fields.items():
        spec = key_specs()[key]
        assert widget.accessibleName() == spec.label and widget.toolTip() == spec.doc
        if spec.kind == "bool":
            assert isinstance(widget, QCheckBox)
        elif spec.kind == "choice":
            assert isinstance(widget, QComboBox)
            shown = [(widget.itemData(i), widget.itemText(i)) for i in range(widget.count())]
            assert shown == [(v, spec.words_for(v)) for v in spec.choices]
        else:
            step = 10.0 ** -max(0, spec.decimals)
            assert isinstance(widget, QSpinBox if spec.decimals < 0 else QDoubleSpinBox)
            # the spec's range, rounded in to the digits the box types
            assert spec.lo <= widget.minimum() < spec.lo + step
            assert spec.hi - step < widget.maximum() <= spec.hi
            assert widget.suffix() == (f" {spec.unit}" if spec.unit else "")


def test_a_new_panel_shows_the_sessions_lessons_rows_only(qtbot):
    # (it listed every lesson's rows until a run of another lesson came and went)
    panel = ControlPanel(LIGHT)
    qtbot.addWidget(panel)
    panel.sync(config("sticky-crash"), False, 1.0)
    assert shown_rows(panel) == set(SPECS[Lesson("sessions")].controls.fields)
