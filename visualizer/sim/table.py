"""Per-second samples as flat rows: the CSV columns of the CLI and the window's export."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

from visualizer.sim.config import Config
from visualizer.sim.lessons import model_for
from visualizer.sim.metrics import ERROR_CODES, LOSS_CAUSES, Sample

SERVER_FIELDS = ("up", "sessions", "memory_mb", "queue", "busy", "served", "failed", "utilization")


def header(server_slots: int, figures: Sequence[str] = ()) -> list[str]:
    """Column names; per-server columns for server-1 ... server-``server_slots``, then
    the lesson's own ``figures`` (see ``lesson_figures``)."""
    cols = ["t_s", "sent", "ok", "failed"]
    cols += [f"err_{code.value.lower()}" for code in ERROR_CODES]
    cols += [f"lost_{cause.value}" for cause in LOSS_CAUSES]
    cols += ["p50_ms", "p95_ms", "p99_ms", "active_sessions", "in_flight", "memory_mb_total"]
    cols += ["store_up", "store_sessions", "store_memory_mb", "token_sessions"]
    for i in range(server_slots):
        cols += [f"server-{i + 1}_{name}" for name in SERVER_FIELDS]
    return cols + list(figures)


def lesson_figures(config: Config) -> tuple[str, ...]:
    """The per-second figures the scenario's lesson adds (its CSV columns, last)."""
    return model_for(config.scenario.lesson).figures


def _num(x: float) -> str:
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, int):
        return str(x)
    return "" if math.isnan(x) else f"{x:.6g}"


def row(sample: Sample, server_slots: int) -> list[str]:
    """One sample as strings matching ``header(server_slots)``; absent servers are blank."""
    s = sample
    vals: list[float] = [s.t, s.sent, s.ok, s.failed, *s.errors, *s.lost]
    vals += [s.p50_ms, s.p95_ms, s.p99_ms, s.active_sessions, s.in_flight, s.memory_mb]
    vals += [s.store_up, s.store_sessions, s.store_memory_mb, s.token_sessions]
    out = [_num(v) for v in vals]
    for i in range(server_slots):
        if i < len(s.servers) and s.servers[i].live:
            srv = s.servers[i]
            out += [_num(getattr(srv, name)) for name in SERVER_FIELDS]
        else:
            out += [""] * len(SERVER_FIELDS)
    return out + [_num(v) for v in s.lesson]


def rows(samples: Iterable[Sample], server_slots: int) -> Iterator[list[str]]:
    for sample in samples:
        yield row(sample, server_slots)


def paired_header(slots_a: int, slots_b: int, figures: Sequence[str] = ()) -> list[str]:
    """Two runs side by side (compare mode): ``t_s``, then A's columns as ``a_*`` and B's
    as ``b_*`` (both run one lesson: same ``figures``)."""
    return [
        "t_s",
        *(f"a_{c}" for c in header(slots_a, figures)[1:]),
        *(f"b_{c}" for c in header(slots_b, figures)[1:]),
    ]


def paired_row(a: list[str], b: list[str]) -> list[str]:
    """One second of both runs, from their rows (which share the time)."""
    return a + b[1:]


def paired_rows(
    a: Iterable[Sample], b: Iterable[Sample], slots_a: int, slots_b: int
) -> Iterator[list[str]]:
    for sa, sb in zip(a, b, strict=False):  # (a side may have one more second)
        yield paired_row(row(sa, slots_a), row(sb, slots_b))
