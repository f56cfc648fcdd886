"""``visualizer settings``: every setting of every section, from its one spec.

The same spec validates files, ``--set`` and live changes, types the control panel's
boxes and the Compare dialog, and writes the README's table (``--markdown``; a test
checks the README against it).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from visualizer.sim.schema import KeySpec, key_specs


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "settings",
        help="list every setting: key, lesson, type, default, range or choices, unit, meaning",
        description="List every setting of every section (the [scenario] texts included), "
        "as scenario files, --set and the window know them.",
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print a JSON list of the settings")
    form.add_argument(
        "--markdown", action="store_true", help="print the README's table of the settings"
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    specs = list(key_specs().values())
    if args.json:
        out.write(json.dumps([spec.as_json() for spec in specs], indent=1) + "\n")
    elif args.markdown:
        out.write(markdown(specs))
    else:
        out.write(text(specs))
    return 0


def allowed(spec: KeySpec) -> str:
    """The values a setting takes, briefly: ``1 – 64``, ``local / shared / token``."""
    if spec.kind in ("int", "float"):
        unit = f" {spec.unit}" if spec.unit else ""
        return f"{_number(spec.lo)} – {_number(spec.hi)}{unit}"
    if spec.kind == "bool":
        return "true / false"
    if spec.choices:
        many = " (one or more)" if spec.kind == "text" else ""
        return " / ".join(spec.choices) + many
    return "text"


def default(spec: KeySpec) -> str:
    value = getattr(spec.default, "value", spec.default)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _number(value)


def _number(x: float | None) -> str:
    if x is None:
        return "?"
    if isinstance(x, int) or float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:g}"


def text(specs: list[KeySpec]) -> str:
    lines: list[str] = []
    section = None
    for spec in specs:
        if spec.section != section:
            section = spec.section
            lesson = f" (the {spec.lesson} lesson)" if spec.lesson else ""
            lines += ["" if lines else None, f"[{section}]{lesson}"]  # type: ignore[list-item]
        lines.append(f"  {spec.name} = {default(spec)}    {allowed(spec)}")
        lines.append(f"      {spec.label}: {spec.doc}")
    return "\n".join(line for line in lines if line is not None) + "\n"


def markdown(specs: list[KeySpec]) -> str:
    rows = ["| key | default | allowed | label: meaning |", "|---|---|---|---|"]
    for spec in specs:
        cells = (
            f"`{spec.dotted}`",
            f"`{default(spec)}`",
            allowed(spec),
            f"{spec.label}: {spec.doc}",
        )
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"
