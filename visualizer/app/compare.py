"""Two designs on identical traffic: runs A and B that share one clock.

B is A with a few settings changed (a scenario's ``[compare]`` section). Both draw from
the same named random streams, so the same users arrive at the same moments with the
same intentions; only the design differs. Time, seeks, undo and live commands act on
both at the same simulated moment, unless a command is meant for one side only.
Nothing here imports Qt.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from visualizer.app.group import RunGroup
from visualizer.app.run import Run
from visualizer.app.words import short
from visualizer.lessons import spec_for
from visualizer.lessons.score import Side
from visualizer.sim.commands import Command, to_command, to_fault
from visualizer.sim.config import CompareSection, Config, Fault
from visualizer.sim.schema import check_schedule, key_specs, live_sections, with_values

SIDES = (Side.A, Side.B)


def sides(config: Config) -> tuple[Config, Config]:
    """The configs of A and B for a scenario (B = A when it has no ``[compare]``).

    Neither keeps the ``[compare]`` section: each is an ordinary scenario that
    ``visualizer run`` runs to the same numbers."""
    compare = config.compare or CompareSection()
    base = dataclasses.replace(config, compare=None)
    a = _with_faults(base, compare.only_a)
    # B's own faults join before its changes are checked: they may add the servers a
    # shared fault names
    b = with_values(_with_faults(base, compare.only_b), dict(compare.changes), "[compare]")
    return a, b


def _with_faults(config: Config, extra: Iterable[Fault]) -> Config:
    extra = tuple(extra)
    if not extra:
        return config
    faults = sorted([*config.faults, *extra], key=lambda f: f.at_s)
    return dataclasses.replace(config, faults=tuple(faults))


def with_b_changes(config: Config, changes: Mapping[str, Any]) -> Config:
    """``config`` (side A) with ``changes`` as its ``[compare]`` section, validated."""
    plain = {k: getattr(v, "value", v) for k, v in changes.items()}
    with_values(config, plain, "B", check_faults=False)  # a bad value, before anything is built
    old = config.compare or CompareSection()
    merged = dict(old.changes) | plain
    section = dataclasses.replace(old, changes=tuple(merged.items()))
    result = dataclasses.replace(config, compare=section)
    check_schedule(result, "B")  # B exactly: its earlier changes and its own commands too
    return result


# --- what differs, in words ---------------------------------------------------------------


def design_words(config: Config) -> str:
    """The design a run has, in its lesson's words: "sticky, server memory", "JWT"."""
    return ", ".join(spec_for(config).design_words(config))


def differing_keys(a: Config, b: Config) -> list[str]:
    return [
        key
        for key, spec in key_specs().items()
        if spec.section in live_sections() and a.get(key) != b.get(key)
    ]


class CompareTitle(str):
    """A side's title as it reads ("A: sticky, server memory"), holding its parts too:
    the side's letter and its words, so views pick words without splitting the text."""

    side: str
    words: tuple[str, ...]

    def __new__(cls, side: str, words: Iterable[str]) -> CompareTitle:
        words = tuple(words)
        title = super().__new__(cls, f"{side}: " + ", ".join(words))
        title.side, title.words = side, words
        return title

    def __reduce__(self) -> tuple[Any, ...]:
        return (CompareTitle, (self.side, self.words))


def titles(a: Config, b: Config) -> tuple[CompareTitle, CompareTitle]:
    """Each side titled by what differs: ("A: sticky, server memory", "B: shared store")."""
    keys = differing_keys(a, b)
    out = []
    for label, config in (("A", a), ("B", b)):
        words = list(spec_for(config).design_words(config))
        for key in keys:
            if key in spec_for(config).design_keys:
                continue
            words.append(short(key, config.get(key)))
        out.append(CompareTitle(label, words))
    return out[0], out[1]


# --- the two runs -------------------------------------------------------------------------


class Comparison(RunGroup):
    """Runs A and B on one clock: a group of two. Views read ``a`` and ``b`` as they
    read one run."""

    def __init__(self, config: Config, **run_options: Any) -> None:
        a, b = sides(config)
        super().__init__((a, b), **run_options)
        self.config = config  # the scenario as given (with its [compare] section)
        self.titles = titles(a, b)

    @property
    def a(self) -> Run:
        return self.runs[0]

    @property
    def b(self) -> Run:
        return self.runs[1]

    def run(self, side: Side) -> Run:
        return self.runs[SIDES.index(side)]

    def apply(self, command: Command, side: Side | None = None) -> bool:  # type: ignore[override]
        """Apply ``command`` now to both runs (or one ``side``). A value either run would
        refuse raises ``ConfigError`` before any run changes."""
        return super().apply(command, None if side is None else (SIDES.index(side),))

    def only(self, side: Side) -> list[tuple[float, Command]]:
        """Commands one side took and the other did not (scheduled by the file, or given
        to that side alone), in time order."""
        other = Side.B if side is Side.A else Side.A
        mine = Counter(self.run(side).commands) - Counter(self.run(other).commands)
        compare = self.config.compare or CompareSection()
        faults = compare.only_a if side is Side.A else compare.only_b
        listed = [(f.at_s, to_command(f)) for f in faults] + list(mine.elements())
        return sorted(listed, key=lambda item: item[0])

    def summaries(self) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[override]
        return self.a.summary(), self.b.summary()

    def reproducible_config(self) -> Config:
        """One scenario with a ``[compare]`` section that reopens this comparison: the
        commands both runs took become shared faults, the others one side's faults.

        A run's faults at one instant fire in order: the shared ones first, then the
        side's own. So at each instant only the commands both sides took *first* are
        shared; from the first difference on, each side keeps its own in its order."""
        base = self.config
        compare = base.compare or CompareSection()
        scheduled = {f.at_s for f in (*compare.only_a, *compare.only_b)}
        shared: list[Fault] = []
        added: dict[Side, list[Fault]] = {Side.A: [], Side.B: []}
        a_at, b_at = _by_instant(self.a.commands), _by_instant(self.b.commands)
        for t in sorted(a_at.keys() | b_at.keys()):
            mine, theirs = a_at.get(t, []), b_at.get(t, [])
            k = 0
            if t not in scheduled:  # one-sided faults from the file fire before any command
                while k < min(len(mine), len(theirs)) and mine[k] == theirs[k]:
                    k += 1
            shared += [to_fault(t, c) for c in mine[:k]]
            added[Side.A] += [to_fault(t, c) for c in mine[k:]]
            added[Side.B] += [to_fault(t, c) for c in theirs[k:]]
        only = {
            name: tuple(sorted([*old, *added[side]], key=lambda f: f.at_s))
            for name, side, old in (
                ("only_a", Side.A, compare.only_a),
                ("only_b", Side.B, compare.only_b),
            )
        }
        faults = tuple(sorted([*base.faults, *shared], key=lambda f: f.at_s))
        return dataclasses.replace(
            base, faults=faults, compare=dataclasses.replace(compare, **only)
        )


def _by_instant(commands: Iterable[tuple[float, Command]]) -> dict[float, list[Command]]:
    out: dict[float, list[Command]] = {}
    for t, command in commands:
        out.setdefault(t, []).append(command)
    return out


# --- the numbers side by side -------------------------------------------------------------

#: The parts of a summary ``diff`` covers (B − A for every number, same nesting).
DIFF_PARTS = ("requests", "latency_ms", "sessions", "memory_mb")


def document(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """The compare JSON: both summaries, exactly as ``visualizer run`` gives them, and
    B − A."""
    return {"schema": 1, "a": a, "b": b, "diff": diff(a, b)}


def diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """B − A for every number in the summaries' requests, latency, sessions and memory:
    ``None`` where either side measured nothing (no latency yet); a server only one
    side has counts as holding nothing on the other."""
    return {part: _diff(a[part], b[part]) for part in DIFF_PARTS}


def _diff(a: Any, b: Any) -> Any:
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        a, b = a or {}, b or {}
        keys = list(a) + [k for k in b if k not in a]
        return {k: _diff(a.get(k, 0), b.get(k, 0)) for k in keys}
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return b - a
    return round(b - a, 3)
