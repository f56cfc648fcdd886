"""The README's promises that a test can keep: every key F1 lists is in its table."""

from __future__ import annotations

from pathlib import Path

from visualizer.app.actions import help_rows

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_lists_every_key_the_f1_help_does():
    table = [line for line in README.splitlines() if line.startswith("|")]
    for keys, meaning in help_rows():
        assert any(f"| {keys} | {meaning} |" in line for line in table), (keys, meaning)


def test_the_quick_start_commands_are_the_ones_ci_runs():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[dev]"' in README and 'pip install -q -e ".[dev]"' in ci
    assert "python -m pytest" in README and "python -m pytest" in ci


def test_the_readme_names_each_lessons_toggles_as_the_lessons_do():
    from visualizer.lessons import SPECS

    begin = README.index("<!-- toggles table: begin")
    table = README[README.index("\n", begin) + 1 : README.index("<!-- toggles table: end")]
    rows = ["| lesson | T (off: …) | S | R (off: …) |", "|---|---|---|---|"]
    for lesson, spec in SPECS.items():
        t, s, r = spec.controls.toggles
        rows.append(
            f"| {lesson.value} | {t.title} (off: {t.off_text}) | {s.title} "
            f"| {r.title} (off: {r.off_text}) |"
        )
    assert table.strip().splitlines() == rows


def test_the_readme_lists_every_slide_in_the_presets_teaching_order():
    from visualizer.sim.scenario import list_presets

    begin = README.index("<!-- slides: begin")
    table = README[README.index("\n", begin) + 1 : README.index("<!-- slides: end")]
    rows = ["| slide | preset | title |", "|---|---|---|"]
    rows += [f"| {p.slide} | `{p.name}` | {p.title} |" for p in list_presets()]
    assert table.splitlines() == rows


def test_the_quick_start_installs_the_system_libraries_before_it_opens_the_window():
    start = README.index("## Quick start")
    quick = README[start : README.index("\n## ", start + 1)]
    apt = quick.index("sudo apt-get install")
    # (without them the first command aborts: "xcb-cursor0 ... is needed")
    assert apt < quick.index("python3 -m venv") < quick.index(".venv/bin/visualizer")
    for package in ("python3-venv", "libxcb-cursor0", "libxkbcommon-x11-0", "libegl1"):
        assert package in quick[apt : quick.index("```", apt)], package
