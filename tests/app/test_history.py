"""A run's memory of its past stays within its budget and keeps the rewind promise."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visualizer.app import history as history_module
from visualizer.app import run as run_module
from visualizer.app.history import History, thin
from visualizer.app.run import Run
from visualizer.sim import commands as ev
from visualizer.sim.scenario import load
from visualizer.sim.schema import with_values

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 10**6)),
        st.tuples(st.just("rewind"), st.integers(0, 60)),
        st.tuples(st.just("drop_ahead"), st.just(0)),
        st.tuples(st.just("extend"), st.integers(0, 20)),
        st.tuples(st.just("truncate"), st.integers(0, 60)),
    ),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_history_reads_as_the_list_it_stands_for(ops):
    # tiny blocks, so packing, unpacking and cuts inside packed blocks all happen
    old = history_module.BLOCK, history_module.KEEP_RECENT
    history_module.BLOCK, history_module.KEEP_RECENT = 4, 5
    try:
        h, model, upto = History(), [], 0
        for op, n in ops:
            if op == "add":
                if upto == len(model):
                    model.append(n)
                upto += 1
                h.add(n)
            elif op == "rewind":
                upto = h.upto = min(n, len(model))
            elif op == "drop_ahead":
                assert h.drop_ahead() == model[upto:]
                del model[upto:]
            elif op == "extend":
                model.extend(range(n))
                h.extend(list(range(n)))
            else:
                cut = min(n, len(model))
                model, upto = model[:cut], min(upto, cut)
                h.truncate(cut)
                h.upto = upto
            assert len(h) == len(model) and list(h) == model
            shown = h.shown()
            assert list(shown) == model[:upto] and len(shown) == upto
            assert shown[-3:] == model[:upto][-3:] and h[2:7] == model[2:7]
            if upto:
                assert shown[-1] == model[upto - 1] and shown[0] == model[0]
            assert h.ahead() == model[upto:]
            assert h.copy() == model
        assert len(h._items) < 5 + 4 or h.upto < len(h)  # old items were packed
    finally:
        history_module.BLOCK, history_module.KEEP_RECENT = old


def test_thinning_keeps_the_first_the_recent_and_spaces_the_old_out():
    checkpoints = list(range(200))
    kept = thin(checkpoints, lambda c: 10, budget=10 * 80)
    assert len(kept) <= 80 and kept[0] == 0
    assert kept[-history_module.RECENT_CHECKPOINTS :] == checkpoints[-30:]
    gaps = [b - a for a, b in itertools.pairwise(kept)]
    assert gaps == sorted(gaps, reverse=True)  # the further back, the wider apart
    assert thin([0, 1, 2], lambda c: 10**9, budget=1) == [0, 2]  # first and last stay


def long_run(checkpoint_budget: int, monkeypatch) -> Run:
    """sticky-crash with many crashes over 600 s, under a small checkpoint budget."""
    monkeypatch.setattr(run_module, "CHECKPOINT_BUDGET", checkpoint_budget)
    # a checkpoint every 10 s however slow pickling is on a busy machine (past HITCH_S
    # they come less often: fewer than the 61 counted below)
    monkeypatch.setattr(run_module, "HITCH_S", float("inf"))
    monkeypatch.setattr(history_module, "KEEP_RECENT", 120)
    monkeypatch.setattr(history_module, "BLOCK", 50)
    config = with_values(load("sticky-crash"), {"traffic.users_per_s": 5.0}, "test")
    run = Run(config)
    for t in range(1, 601):  # a second a frame: a checkpoint every 10 s
        run.advance(float(t))
        if t % 80 == 40:
            run.apply(ev.CrashServer(t // 80 % 4))
        elif t % 80 == 60:
            run.apply(ev.RestartServer(t // 80 % 4))
    return run


def test_a_long_run_keeps_its_checkpoints_within_the_budget_and_seeks_exactly(monkeypatch):
    run = long_run(checkpoint_budget=10**9, monkeypatch=monkeypatch)
    each = run.checkpoint_bytes() / len(run._checkpoints)
    assert len(run._checkpoints) == 61
    budget = int(each * 40)  # room for about 40 of the 61 checkpoints
    thinned = long_run(budget, monkeypatch)
    assert thinned.checkpoint_bytes() <= budget < run.checkpoint_bytes()
    assert thinned._samples.packed_bytes() > 0  # old samples were packed
    assert list(thinned.samples) == list(run.samples)
    for t in (7.5, 95.0, 333.3, 590.0):  # into the thinned past: a longer replay, same moment
        run.seek(t)
        thinned.seek(t)
        assert thinned.now == t
        assert json.dumps(thinned.summary()) == json.dumps(run.summary())
        assert thinned.samples == run.samples and thinned.snapshot() == run.snapshot()
    run.seek(600.0)
    thinned.seek(600.0)
    assert [m.label for m in thinned.markers] == [m.label for m in run.markers]


def test_undo_futures_count_in_the_budget_and_the_oldest_go_first(monkeypatch):
    monkeypatch.setattr(run_module, "CHECKPOINT_BUDGET", 10**9)
    # checkpoints every 10 s however slow pickling is on a busy machine (past HITCH_S
    # they come less often, and the one at 130 s this test needs would not come)
    monkeypatch.setattr(run_module, "HITCH_S", float("inf"))
    run = Run(load("sticky-crash"))
    run.advance(120.0)
    for t in (100.0, 80.0, 60.0):  # three commands in the past: three futures for undo
        run.seek(t)
        run.apply(ev.CrashServer(0))
        run.advance(120.0)
    assert len(run._futures) == 3
    total = run.checkpoint_bytes()
    monkeypatch.setattr(run_module, "CHECKPOINT_BUDGET", total - 1)
    run.advance(131.0)  # the next checkpoint is over the budget: the oldest future goes
    assert run.checkpoint_bytes() <= total - 1
    assert len(run._futures) < 3
    assert run.undo()  # the newest future is still there
    assert run.now == 60.0


@pytest.mark.parametrize("n", [0, 3, 5_000])
def test_a_history_copy_is_independent(n):
    h = History(list(range(n)))
    twin = h.copy()
    twin.add("x")
    assert len(h) == n and twin[-1] == "x"
