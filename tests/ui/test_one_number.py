"""One number, one instant: everything on screen that shows the same measure (the
headline counters of each side, the plots' numbers written large, the compare
scoreboard) shows the same value at every frame, playing or paused."""

from __future__ import annotations

import pytest


def measure(label: str) -> str:
    """A measure's name as its places write it: "failed requests (38.7%)" and "Failed
    requests" are one measure."""
    return label.split(" (")[0].strip().lower()


def shown(window) -> dict[str, tuple[int, ...]]:
    """Each measure on screen in more than one place: its values there, place by place
    (A's and B's side by side when comparing). Places that disagree fail the test."""
    comparing = window.driver.comparison is not None
    scenes = [window.scene, window.comparing.scene] if comparing else [window.scene]
    heads = [{measure(r.label): r.number for r in s.headline._state.rows} for s in scenes]
    found: dict[str, tuple[int, ...]] = {}

    def headline(words: str) -> tuple[int, ...] | None:
        """The headline's values of a measure, named the same or shorter ("accepted
        after revoke" for the plot's "requests accepted after revoke")."""
        keys = [
            k
            for k in heads[0]
            if (words == k or words.endswith(" " + k)) and all(k in head for head in heads)
        ]
        return tuple(head[keys[0]] for head in heads) if keys else None

    total = window.plot_dock.panel.total
    noun = measure(total.noun[1])
    big = tuple(total.values) if comparing else (total.value,)
    heading = headline(noun)
    if heading is not None:
        assert big == heading, f"{noun}: plot {big} · headline {heading}"
        found[noun] = big
    if comparing:
        for row in window.comparing.stage.scoreboard.rows:
            key = measure(row.label)
            heading = headline(key)
            if heading is not None:
                assert (row.a, row.b) == heading, f"{key}: scoreboard · headline {heading}"
                found[key] = heading
    return found


#: until when each is played: past a moment its shared measures move (a crash, say)
UNTIL = {"compare-jitter": 212.0}


class WallClock:
    """The window's wall clock, moved by the test as its frames say (0.05 s a frame):
    on a fast machine 40 real frames pass inside one 0.25 s refresh of the numbers, and
    the screen never showed the crash it was played through."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "preset",
    [
        "sticky-crash",
        "counter-diverges",
        "jwt-revocation",
        "compare-sticky",
        "compare-counter",
        "compare-auth",
        "compare-jitter",
    ],
)
def test_every_place_shows_a_measure_at_the_same_instant(open_window, qtbot, monkeypatch, preset):
    from visualizer.ui.window import main_window

    clock = WallClock()
    monkeypatch.setattr(main_window, "time", clock)
    window = open_window(preset)
    d = window.driver
    d.stop()  # frames come from the test's ticks
    d.set_speed(50.0)
    d.play()
    seen: dict[str, set[tuple[int, ...]]] = {}
    while d.run.now < UNTIL.get(preset, 100.0):
        clock.now += 0.05
        d.tick(0.05)  # a frame, playing: plots redraw one at a time, numbers in step
        for key, values in shown(window).items():
            seen.setdefault(key, set()).add(values)
    d.pause()
    d.seek(d.run.now / 2)  # and paused, after a jump back
    for key, values in shown(window).items():
        seen.setdefault(key, set()).add(values)
    # the test saw measures move (a frozen screen would agree with itself)
    assert seen and any(len(values) >= 2 for values in seen.values()), seen


def test_plots_made_after_a_paused_jump_show_the_moment_at_once(qtbot, open_window):
    """The plots are made after the first paint; a run already paused at 62 s must not
    show 0 on the plot beside the canvas's count until something else makes a frame."""
    window = open_window("store-outage")
    if window.plot_dock.single is not None:  # (made already: start over without them)
        window.plot_dock.single = None
    window.driver.stop()
    window.driver.step(62.0)
    window.load_plots()
    assert window.plot_dock.panel.total.value == window.driver.run.snapshot().lost > 0
