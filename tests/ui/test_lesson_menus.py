"""The State menu, F1 and the presenter bar name the toggles in the run's lesson's words."""

from __future__ import annotations

from visualizer.app.actions import TOGGLE_ACTIONS
from visualizer.lessons import controls_for
from visualizer.sim import scenario
from visualizer.ui.present.presenter import overlay_text
from visualizer.ui.window.menus import shortcuts_html


def menu_titles(window) -> dict[str, str]:
    return {i: window.actions_by_id[i].text().replace("&", "") for i in TOGGLE_ACTIONS}


def test_the_state_menu_and_f1_follow_the_lesson(open_window):
    window = open_window("websocket-memory")
    assert menu_titles(window) == {
        "stateful": "WebSocket",
        "sticky": "Sticky",
        "shared": "Long polling",
    }
    assert window.actions_by_id["stateful"].text() == "WebSocke&t"  # T, its key, underlined
    html = shortcuts_html(controls_for(window.driver.config))
    assert "WebSocket on / off (off: clients poll over plain HTTP)" in html
    assert "Stateful" not in html and "tokens" not in html
    # another lesson's file: the menu speaks its words at once
    window.driver.restart(scenario.load("jwt-revocation"))
    assert menu_titles(window)["stateful"] == "Server sessions"
    assert menu_titles(window)["shared"] == "Blocklist"
    assert "Server sessions on / off" in shortcuts_html(controls_for(window.driver.config))
    window.driver.restart(scenario.load("sticky-crash"))
    assert menu_titles(window) == {
        "stateful": "Stateful",
        "sticky": "Sticky",
        "shared": "Shared store",
    }


def test_the_presenter_bar_names_the_lessons_toggles(open_window):
    window = open_window("queue-backlog")
    snap = window.driver.run.snapshot()
    line = overlay_text(snap, False, 1.0, "")
    titles = [t.title for t in controls_for(snap.config).toggles]
    assert titles[0] == "Consumer running"
    assert all(f"{title} (" in line for title in titles), line
    assert "Stateful" not in line
