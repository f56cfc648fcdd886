"""``visualizer compare``: two designs on the same traffic, headless, side by side.

A is the scenario (with ``--a`` changes), B is A with the scenario's ``[compare]``
changes and ``--b`` ones. Both runs draw from the same named random streams, so the
numbers differ only where the designs do.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from visualizer.app.compare import document, sides, titles
from visualizer.app.scoreboard import sample_readers, scoreboard
from visualizer.atomic import write_atomic
from visualizer.cli import common, outputs
from visualizer.sim.config import CompareSection, Config
from visualizer.sim.schema import (
    ConfigError,
    check_schedule,
    live_sections,
    server_slots,
    show_name,
    with_values,
)
from visualizer.sim.toml_text import parse_override

COMMAND = "compare"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        COMMAND,
        help="run two designs on identical traffic and print them side by side",
        description="Run A (the scenario) and B (A with the scenario's [compare] changes "
        "and --b ones) on the same users and print both with B − A. A file with a "
        "[compare] section needs no --b.",
    )
    common.scenario_options(p)
    p.add_argument(
        "--b",
        dest="b",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="what B changes, e.g. --b state.mode=shared (repeatable)",
    )
    p.add_argument(
        "--a",
        dest="a",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a change for A only (repeatable)",
    )
    p.add_argument("--duration", type=common.seconds, metavar="S", help="simulated seconds")
    p.add_argument(
        "--json",
        metavar="PATH|-",
        help='write {"schema": 1, "a": ..., "b": ..., "diff": B − A} (\'-\': stdout only)',
    )
    p.add_argument(
        "--csv",
        metavar="PATH|-",
        help="write both runs' per-second metrics as one CSV, columns a_* and b_* "
        "('-': stdout only)",
    )


def comparison_config(args: argparse.Namespace) -> Config:
    """The scenario with ``--a`` applied to A only and ``--b`` added to ``[compare]``."""
    config = common.load_config(args)
    a_changes = _changes(args.a, "--a")
    b_changes = _changes(args.b, "--b")
    compare = config.compare or CompareSection()
    # the sides differ by a setting, or by commands given to one side only
    if not (a_changes or b_changes or compare.changes or compare.only_a or compare.only_b):
        raise outputs.UsageError(
            f"visualizer {COMMAND}: A and B would be the same; say what B changes with "
            "--b section.key=value (e.g. --b state.mode=shared) or use a scenario with a "
            "[compare] section"
        )
    a = with_values(config, a_changes, "--a", check_faults=False)
    # B keeps the scenario's own values of what --a changed, unless B changes them too
    kept = {key: _plain(config.get(key)) for key in a_changes}
    b = kept | dict(compare.changes) | b_changes
    with_values(dataclasses.replace(a, compare=None), b, "--b", check_faults=False)
    both = _with_changes(a, b)
    # each side's schedule from its settings, now rather than halfway through the run:
    # A's alone first (B then as A), so that a problem is named by the option it follows
    check_schedule(dataclasses.replace(both, compare=CompareSection(only_a=compare.only_a)), "--a")
    check_schedule(both, "--b")
    return both


def _with_changes(config: Config, changes: dict[str, Any]) -> Config:
    compare = config.compare or CompareSection()
    return dataclasses.replace(
        config, compare=dataclasses.replace(compare, changes=tuple(changes.items()))
    )


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _changes(texts: list[str], option: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for text in texts:
        try:
            key, value = parse_override(text)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace("--set", option, 1)) from None
        if key.split(".", 1)[0] not in live_sections():
            raise ConfigError(
                f"{option} {show_name(text)}: {show_name(key)} cannot differ between A and B "
                "(they share the scenario, its seed and its duration); use --set, --seed or "
                "--duration for both"
            )
        out[key] = _plain(value)
    return out


def run(args: argparse.Namespace) -> int:
    from visualizer.app.headless import HeadlessRun
    from visualizer.sim import table

    if args.json == "-" and args.csv == "-":
        raise outputs.UsageError(
            f"visualizer {COMMAND}: --json - and --csv - would both go to stdout; "
            "write one of them to a file"
        )
    config = comparison_config(args)
    paths = {
        option: outputs.output_path(text, option, COMMAND)
        for option, text in (("--json", args.json), ("--csv", args.csv))
        if text not in (None, "-")
    }
    if len(paths) == 2 and outputs.same_file(paths["--json"], paths["--csv"]):
        raise outputs.UsageError(
            f"visualizer {COMMAND}: --json {args.json} and --csv {args.csv} are the same "
            "file; give each its own"
        )
    a_config, b_config = sides(config)
    slots = (server_slots(a_config), server_slots(b_config))
    pending: tuple[list[list[str]], list[list[str]]] = ([], [])
    with outputs.csv_output(args.csv, paths.get("--csv"), COMMAND) as rows:
        rows.write(table.paired_header(*slots, table.lesson_figures(config)))
        # what the scoreboard reads of the samples
        sampled = sample_readers(config.scenario.lesson)

        def on_sample(s: Any, out: list[list[str]], n: int, seen: Any) -> None:
            out.append(table.row(s, n))
            seen.add(s)

        sims = [
            HeadlessRun(cfg, on_sample=lambda s, o=out, n=n, seen=seen: on_sample(s, o, n, seen))
            for cfg, out, n, seen in zip((a_config, b_config), pending, slots, sampled, strict=True)
        ]

        def flush() -> None:
            for ra, rb in zip(*pending, strict=True):
                rows.write(table.paired_row(ra, rb))
            for out in pending:
                out.clear()

        _advance_both(sims, config.scenario.duration_s, flush)
    a, b = (sim.summary() for sim in sims)
    text = json.dumps(document(a, b), indent=2) + "\n"
    if "--json" in paths:
        common.flush_stdout()
        try:
            write_atomic(paths["--json"], text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise outputs.cannot_write("--json", args.json, exc, COMMAND) from None
    if args.json == "-":
        common.write_out(sys.stdout, text)
    elif args.csv != "-":
        names = titles(a_config, b_config)
        common.write_out(sys.stdout, format_comparison(a, b, names, sampled) + "\n")
    return common.EXIT_OK


def _advance_both(sims: list[Any], duration: float, flush: Any) -> None:
    """Both runs in the same slices (their per-second rows pair up after each one)."""
    common.advance_in_slices(sims, duration, flush, "simulating A and B…")


def format_comparison(
    a: dict[str, Any],
    b: dict[str, Any],
    names: tuple[str, str],
    sampled: tuple[Any, Any] | None = None,
) -> str:
    """The two summaries (and what the samples said) as one table: A, B, B − A and which
    side did better."""
    cfg = a["config"]
    lines = [
        common.printable(f"{a['scenario']}: {cfg['scenario']['title']}"),
        f"seed {a['seed']}, {a['duration_s']:,.0f} s simulated, same users on both sides",
        common.printable(names[0]),
        common.printable(names[1]),
        "",
        f"{'':<22}{'A':>14}{'B':>14}{'B − A':>14}  better",
    ]
    for row in scoreboard(a, b, sampled):
        label = ("  " + row.label) if row.indent else row.label
        better = {None: "", "a": "A", "b": "B"}[row.better and row.better.value]
        lines.append(
            f"{label:<22}{row.text(row.a):>14}{row.text(row.b):>14}"
            f"{row.difference_text():>14}  {better}"
        )
    return "\n".join(lines)
