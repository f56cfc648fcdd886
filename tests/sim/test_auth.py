"""The sign-in lesson against theory: revocation gaps, store lookups, credential bytes.

Definitions are in ``visualizer/sim/lessons/auth.py``. The theory runs keep users signed in
for many token lives (long workflows) so that a revocation falls uniformly in a token's
life; they run long enough for several hundred revocations (the mean gap of n uniform
gaps has a relative error of about 0.58 / sqrt(n))."""

from __future__ import annotations

import json
import pickle
import tomllib
from collections import Counter
from itertools import pairwise

import pytest

from tests.sim.helpers import config, simulate
from visualizer.cli import commands as cli
from visualizer.lessons.auth.model import FIGURES, LOGIN_BYTES, AuthFacts, AuthModel
from visualizer.lessons.auth.words import (
    bytes_text,
    clicks_of,
    gap_text,
    lookups_text,
    predicted_gap,
    predicted_gap_s,
)
from visualizer.sim import scenario
from visualizer.sim.config import Lesson
from visualizer.sim.lessons import model_for
from visualizer.sim.records import ErrorCode, EventKind, RequestKind
from visualizer.sim.schema import parse_config
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

EXPIRED = ErrorCode.INSUFFICIENT_CONTEXT
REVOKED = ErrorCode.REVOKED
STORE_UNAVAILABLE = ErrorCode.STORE_UNAVAILABLE


def auth_config(**changes):
    """Long-lived users on a fleet with room to spare; JWTs by default."""
    base = {
        "scenario__lesson": "auth",
        "scenario__duration_s": 600,
        "traffic__users_per_s": 0.5,
        "traffic__requests_per_user": 200,
        "traffic__think_time_s": 2,
        "traffic__logout_fraction": 0.3,
        "servers__service_ms": 5,
        "balancer__sticky": False,
        "auth__method": "jwt",
        "auth__token_ttl_s": 10,
        "auth__revocations_per_min": 15,
    }
    return config(**{**base, **changes})


def started_lookups(sim, traces, *, logins: bool, expired: bool = True):
    """Requests whose credential check a worker started: finished (traced) ones whose
    lookup is not ``none``, plus those still on a worker at the end."""
    done = [
        t
        for t in traces
        if t.lookup != "none"
        and (logins or t.kind is not RequestKind.LOGIN)
        and (expired or t.lookup != "token-expired")
    ]
    running = [
        r
        for s in sim.servers
        for r in s.active.values()
        if logins or r.kind is not RequestKind.LOGIN
    ]
    return len(done) + len(running)


def run_with_traces(cfg):
    sim = Simulation(cfg, traces=True, trace_buffer=10_000_000)
    sim.advance(cfg.scenario.duration_s)
    return sim, sim.drain_traces()


# --- theory -----------------------------------------------------------------------------------


def test_jwt_revocation_gap_is_half_the_token_life():
    # users stay ~400 s (40 token lives) and are revoked at ~1/400 s each: ~800 revocations
    cfg = auth_config(scenario__duration_s=3_200)
    sim = simulate(cfg)
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    assert model.revocations > 700
    assert model.gap_mean_s == pytest.approx(10 / 2, rel=0.10)
    # users stay ~400 s, 40 token lives: the model's mean is within 0.5% of TTL / 2
    assert predicted_gap_s(cfg.auth, clicks_of(cfg)) == pytest.approx(5.0, rel=0.005)
    assert model.accepted_after_revoke > model.revocations  # they keep clicking meanwhile
    assert sim.totals.by_code[EXPIRED] > 0 and sim.totals.by_code[REVOKED] == 0


def test_refresh_tokens_cut_the_gap_to_under_half_the_access_token_life():
    cfg = auth_config(
        scenario__duration_s=2_000,
        traffic__think_time_s=0.5,
        traffic__requests_per_user=800,
        auth__token_ttl_s=100_000,
        auth__refresh=True,
        auth__access_ttl_s=20,
    )
    sim = simulate(cfg)
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    assert model.revocations > 450
    # refreshed at the next request after expiry: A² / 2(A + θ) = 9.76 s for long stays
    assert predicted_gap_s(cfg.auth, clicks_of(cfg)) == pytest.approx(400 / 41, rel=0.01)
    assert model.gap_mean_s == pytest.approx(400 / 41, rel=0.10)
    assert model.refreshes > 5 * model.revocations
    # a revoked user is refused at their first refresh: never by an expired token
    assert sim.totals.by_code[REVOKED] > 0.9 * model.revocations
    assert sim.totals.by_code[EXPIRED] < 0.05 * model.revocations
    # every refresh request that reached a worker asked the store, and nothing else did
    assert 0 < model.lookups <= model.refreshes


def test_every_request_accepted_after_a_revocation_was_checked_within_its_gap():
    sim, traces = run_with_traces(auth_config(scenario__duration_s=900))
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    revoked = {r.user: r for r in model.recent}
    assert len(revoked) == model.revocations > 150
    after = 0
    for t in traces:
        rev = revoked.get(t.user)
        if rev is None or not t.ok:
            continue
        checked = t.t_sent + t.network / 2 + t.queue  # when the worker started on it
        if checked >= rev.t - 1e-9:
            after += 1
            assert checked <= rev.t + rev.gap_s + 1e-9
    running = sum(1 for s in sim.servers for r in s.active.values() if r.user.id in revoked)
    assert model.accepted_after_revoke == after
    assert after > 0 and running <= 1
    # revoked users whose credential was refused (it expired) left and never logged in again
    refusals = {
        t.user: t.t_end
        for t in traces
        if t.user in revoked
        and t.outcome == "INSUFFICIENT_CONTEXT"
        and t.t_end >= revoked[t.user].t
    }
    assert len(refusals) > model.revocations / 2
    assert not [t for t in traces if t.user in refusals and t.t_sent > refusals[t.user]]


@pytest.mark.parametrize(
    ("method", "blocklist", "logins"),
    [("session", False, True), ("jwt", True, False)],
    ids=["session", "jwt-blocklist"],
)
def test_store_checks_accept_nothing_after_a_revocation_for_one_lookup_per_request(
    method, blocklist, logins
):
    cfg = auth_config(
        scenario__duration_s=900,
        auth__method=method,
        auth__blocklist=blocklist,
        state__ttl_s=30,  # some sessions idle out: those requests still made their lookup
        store__latency_ms=5,
    )
    cfg = parse_config(
        {
            **cfg.to_dict(),
            "faults": [
                {"at_s": 300, "action": "crash_store"},
                {"at_s": 310, "action": "restore_store"},
                {"at_s": 500, "action": "crash", "target": "server-2"},
                {"at_s": 520, "action": "restart", "target": "server-2"},
            ],
        }
    )
    sim, traces = run_with_traces(cfg)
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    assert model.revocations > 150
    assert model.accepted_after_revoke == 0
    assert model.gap_mean_s == 0.0
    # refused as revoked on their next request (unless their JWT expired first, or their
    # workflow ended)
    assert sim.totals.by_code[REVOKED] > 0.6 * model.revocations
    assert sim.totals.by_code[STORE_UNAVAILABLE] > 0  # the outage failed requests
    # sessions: every request that reached a worker (the login writes the session);
    # blocklist: every later request whose token had not expired
    assert model.lookups == started_lookups(sim, traces, logins=logins, expired=False)
    if method == "session":
        assert sum(1 for t in traces if t.lookup == "store-revoked") == sim.totals.by_code[REVOKED]


def test_plain_jwts_never_ask_the_store():
    sim, traces = run_with_traces(auth_config(scenario__duration_s=300))
    assert sim.lesson.lookups == 0  # type: ignore[attr-defined]
    assert {t.lookup for t in traces} <= {"login", "token", "token-expired", "none"}


@pytest.mark.parametrize(
    ("method", "refresh", "size_key"),
    [
        ("jwt", False, "token_bytes"),
        ("jwt", True, "token_bytes"),
        ("session", False, "cookie_bytes"),
    ],
)
def test_credential_bytes_are_sizes_times_requests_exactly(method, refresh, size_key):
    cfg = auth_config(
        scenario__duration_s=400,
        auth__method=method,
        auth__refresh=refresh,
        auth__access_ttl_s=5,
        auth__token_bytes=812,
        auth__cookie_bytes=37,
    )
    sim = Simulation(cfg, record_events=True, event_buffer=10_000_000)
    sim.advance(cfg.scenario.duration_s)
    sent = Counter(e.detail for e in sim.drain_events() if e.kind is EventKind.SENT)
    logins = sent[RequestKind.LOGIN]
    others = sent[RequestKind.ACTION] + sent[RequestKind.LOGOUT]
    assert logins + others == sim.totals.sent
    size = getattr(cfg.auth, size_key)
    expected = LOGIN_BYTES * logins + size * others
    summary = summarize(sim)
    assert summary["auth"]["request_bytes_total"] == expected
    # and per second: the figure adds up to the total
    column = FIGURES.index("auth_credential_bytes")
    assert sum(s.lesson[column] for s in sim.samples) == expected
    if refresh:
        assert summary["auth"]["refreshes"] > 0


def test_per_second_figures_add_up_to_the_totals():
    cfg = auth_config(scenario__duration_s=300, auth__refresh=True, auth__access_ttl_s=4)
    sim = simulate(cfg)
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    sums = {name: sum(s.lesson[i] for s in sim.samples) for i, name in enumerate(FIGURES)}
    assert sums["auth_revocations"] == model.revocations > 0
    assert sums["auth_accepted_after_revoke"] == model.accepted_after_revoke > 0
    assert sums["auth_store_lookups"] == model.lookups > 0
    assert sums["auth_refreshes"] == model.refreshes > 0
    assert sim.samples[-1].lesson[FIGURES.index("auth_revoked_active")] == len(model.revoked_at)
    assert len(sim.samples[-1].lesson) == len(FIGURES)


def test_jwts_count_from_issue_to_their_fixed_expiry():
    cfg = auth_config(scenario__duration_s=200, auth__revocations_per_min=0, state__ttl_s=2)
    sim = simulate(cfg)
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    now = sim.now
    held = [s for s in sim.tokens._by_id.values()]
    assert held and all(now - s.last_access <= 10 for s in held)  # not the idle TTL of 2 s
    # users still present hold the token the table shows, its expiry 10 s after issue
    for s in held:
        if s.user in model.expires:
            assert model.expires[s.user] == pytest.approx(s.last_access + 10)


# --- streams, determinism, replay --------------------------------------------------------------


def test_revocations_do_not_change_who_arrives_or_when():
    quiet = simulate(auth_config(scenario__duration_s=300, auth__revocations_per_min=0))
    busy = simulate(auth_config(scenario__duration_s=300, auth__revocations_per_min=60))
    sessions = simulate(
        config(
            scenario__duration_s=300,
            traffic__users_per_s=0.5,
            traffic__requests_per_user=200,
            traffic__think_time_s=2,
        )
    )
    assert busy.lesson.revocations > 100  # type: ignore[attr-defined]
    assert quiet.totals.arrived == busy.totals.arrived == sessions.totals.arrived
    assert quiet.traffic._next_user == busy.traffic._next_user


def test_same_config_same_numbers_and_a_saved_run_replays():
    cfg = scenario.load("jwt-blocklist")
    first = summarize(simulate(cfg))
    again = summarize(simulate(cfg))
    assert first == again
    reloaded = parse_config(tomllib.loads(scenario.to_toml(cfg)))
    assert reloaded == cfg
    assert summarize(simulate(reloaded)) == first
    assert first["lesson"] == "auth" and first["auth"]["revocations"] > 0


def test_a_checkpoint_resumes_exactly():
    cfg = auth_config(scenario__duration_s=200, auth__refresh=True, auth__access_ttl_s=4)
    sim = Simulation(cfg)
    sim.advance(100)
    copy = pickle.loads(pickle.dumps(sim))
    sim.advance(200)
    copy.advance(200)
    assert summarize(copy) == summarize(sim)
    assert copy.lesson.revoked_at == sim.lesson.revoked_at  # type: ignore[attr-defined]


def test_live_changes_apply_to_new_logins_and_the_next_check():
    from visualizer.sim.commands import SetValue

    sim = Simulation(auth_config(scenario__duration_s=400))
    sim.advance(150)
    assert sim.lesson.accepted_after_revoke > 0  # type: ignore[attr-defined]
    sim.apply(SetValue("auth.blocklist", True))
    before = sim.lesson.accepted_after_revoke  # type: ignore[attr-defined]
    lookups = sim.lesson.lookups  # type: ignore[attr-defined]
    sim.advance(250)
    # a request already checked when the blocklist came on may still finish: at most one
    assert sim.lesson.accepted_after_revoke - before <= 1  # type: ignore[attr-defined]
    assert sim.lesson.lookups > lookups  # type: ignore[attr-defined]
    sim.apply(SetValue("auth.method", "session"))
    sim.apply(SetValue("auth.revocations_per_min", 0))
    revocations = sim.lesson.revocations  # type: ignore[attr-defined]
    sim.advance(400)
    assert sim.lesson.revocations == revocations  # type: ignore[attr-defined]
    assert len(sim.store.sessions) > 0  # new logins got server sessions


# --- views and outputs -------------------------------------------------------------------------


# --- the printed gap against the engine, away from the presets ---------------------------------
#
# ``gap_text`` prints the model's mean gap (``auth_words``). Two measures of the engine:
# the time average, every 0.5 s, of the gap a revocation would record for each signed-in
# user (max(0, expiry − now) over those ``holds_credential`` says are signed in: what a
# revocation at a Poisson moment picks from), precise to a fraction of a percent; and
# the revocations themselves (``Revocation.gap_s``), whose mean is checked within 4
# standard errors of the gaps' own spread. Revocations are kept rare among the
# signed-in users (a revocation also ends a stay: it makes tokens younger, about
# ν·μ relative with ν = revocations/s per signed-in user, ≤ 1% here).


def signed_in_gaps(sim, start: float, every: float = 0.5) -> tuple[float, float]:
    """Advance to the end sampling every ``every`` s from ``start``: the mean gap over
    signed-in user-moments, and the mean number of signed-in users."""
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    total = count = samples = 0
    t = start
    sim.advance(t)
    while t < sim.config.scenario.duration_s:
        t += every
        sim.advance(t)
        now = sim.now
        for user in model._signed:
            if model.holds_credential(user, now):
                total += max(0.0, model.expires[user.id] - now)
                count += 1
        samples += 1
    return total / count, count / samples


def revocation_gaps(model: AuthModel, after: float) -> tuple[float, float, int]:
    """Mean, standard error and count of the gaps of revocations after ``after`` s."""
    gaps = [r.gap_s for r in model.recent if r.t >= after]
    n = len(gaps)
    mean = sum(gaps) / n
    sd = (sum((g - mean) ** 2 for g in gaps) / (n - 1)) ** 0.5
    return mean, sd / n**0.5, n


def test_short_stays_keep_tokens_young_so_the_gap_is_nearer_the_whole_ttl():
    # users stay ~16 s after their login (8 requests, 2 s apart) against a 37 s token
    cfg = auth_config(
        scenario__duration_s=500,
        traffic__users_per_s=40,
        traffic__requests_per_user=8,
        auth__token_ttl_s=37,
        auth__revocations_per_min=40,
    )
    clicks = clicks_of(cfg)
    predicted = predicted_gap_s(cfg.auth, clicks)
    assert predicted == pytest.approx(25.05, abs=0.01)  # not TTL / 2 = 18.5
    sim = Simulation(cfg)
    average, signed = signed_in_gaps(sim, start=100)
    assert signed > 400 and cfg.auth.revocations_per_min / 60 / signed * clicks.stay_s < 0.05
    assert average == pytest.approx(predicted, rel=0.015)
    mean, se, n = revocation_gaps(sim.lesson, after=100)  # type: ignore[arg-type]
    assert n > 200 and abs(mean - predicted) < 4 * se + 0.01 * predicted
    assert abs(mean - 37 / 2) > 8 * se
    assert gap_text(cfg.auth, clicks) == ("revocation gap = TTL − age = 37 − 12.0 = 25.0 s")


def test_refresh_at_the_next_request_makes_the_gap_a_squared_over_2_a_plus_think():
    # access tokens of 12 s, a request every ~2 s: a user who stays refreshes every ~14 s
    cfg = auth_config(
        scenario__duration_s=400,
        traffic__users_per_s=20,
        traffic__requests_per_user=40,
        auth__token_ttl_s=3_600,
        auth__refresh=True,
        auth__access_ttl_s=12,
        auth__revocations_per_min=30,
    )
    clicks = clicks_of(cfg)
    gap = predicted_gap(cfg.auth, clicks)
    # users stay ~80 s; A² / 2(A + θ) = 5.14 s for users who stay for ever, A / 2 = 6 s
    assert gap.mean_s == pytest.approx(5.32, abs=0.01)
    sim = Simulation(cfg)
    average, signed = signed_in_gaps(sim, start=100)
    assert signed > 1_000
    assert average == pytest.approx(gap.mean_s, rel=0.015)
    mean, se, n = revocation_gaps(sim.lesson, after=100)  # type: ignore[arg-type]
    assert n > 120 and abs(mean - gap.mean_s) < 4 * se + 0.01 * gap.mean_s
    assert gap_text(cfg.auth, clicks) == ("revocation gap = 87% valid × 6.15 left = 5.32 s")
    # the time from one refresh of a user to their next: A + a think + a round trip
    assert lookups_text(cfg.auth, 0, clicks).endswith("every A + θ ≈ 14.0 s")


def test_a_user_who_stays_refreshes_every_access_life_plus_a_think():
    cfg = auth_config(
        scenario__duration_s=300,
        traffic__users_per_s=2,
        traffic__requests_per_user=400,
        auth__token_ttl_s=3_600,
        auth__refresh=True,
        auth__access_ttl_s=12,
        auth__revocations_per_min=0,
    )
    _, traces = run_with_traces(cfg)
    sent: dict[int, list[float]] = {}
    for t in traces:
        if t.lookup == "refresh":
            sent.setdefault(t.user, []).append(t.t_sent)
    gaps = [b - a for times in sent.values() for a, b in pairwise(times)]
    n = len(gaps)
    mean = sum(gaps) / n
    se = (sum((g - mean) ** 2 for g in gaps) / (n - 1) / n) ** 0.5
    printed = 12 + clicks_of(cfg).step_s  # "every A + θ ≈ 14.0 s", not every A
    assert n > 1_000 and abs(mean - printed) < 4 * se + 0.05


def test_facts_list_revoked_users_still_present():
    sim = simulate(auth_config(scenario__duration_s=200, auth__token_ttl_s=600))
    facts = sim.lesson.facts()
    assert isinstance(facts, AuthFacts)
    assert facts.method == "jwt" and facts.token_ttl_s == 600
    assert facts.revoked_active and len(facts.revoked_active) <= 200
    assert facts.revoked_active_count == len(sim.lesson.revoked_at)  # type: ignore[attr-defined]
    assert set(facts.revoked_active) <= set(sim.lesson.revoked_at)  # type: ignore[attr-defined]
    assert facts.accepted_after_revoke == sim.lesson.accepted_after_revoke  # type: ignore[attr-defined]


def test_strip_arithmetic():
    jwt = config(scenario__lesson="auth", auth__method="jwt", auth__token_ttl_s=900)
    # users stay ~12 s (6 requests ~2 s apart): tokens are young, the gap near the whole TTL
    assert gap_text(jwt.auth, clicks_of(jwt)) == ("revocation gap = TTL − age = 900 − 12.2 = 888 s")
    assert bytes_text(jwt.auth, 170) == "header bytes = 800 B × 170 req/s = 136 KB/s"
    refresh = config(scenario__lesson="auth", auth__method="jwt", auth__refresh=True)
    assert gap_text(refresh.auth, clicks_of(refresh)).startswith("revocation gap = ")
    session = config(scenario__lesson="auth")
    assert gap_text(session.auth, clicks_of(session)).startswith("revocation gap = 0 s")
    assert bytes_text(session.auth, 170) == "header bytes = 40 B × 170 req/s = 6.8 KB/s"
    long_stays = config("jwt-revocation")  # users stay ~340 s, 60 s tokens: ≈ TTL / 2
    assert gap_text(long_stays.auth, clicks_of(long_stays)) == (
        "revocation gap = TTL − age = 60 − 29.1 = 30.9 s"
    )


def test_cli_run_json_has_the_auth_part(capsys):
    code = cli.main(["run", "jwt-revocation", "--duration", "120", "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["lesson"] == "auth"
    assert set(data["auth"]) == {
        "revocations",
        "accepted_after_revoke",
        "revocation_gap_s_mean",
        "store_lookups",
        "refreshes",
        "request_bytes_total",
    }
    assert data["auth"]["accepted_after_revoke"] > 0
    assert data["config"]["auth"]["method"] == "jwt"
    assert "counter" not in data["config"]


def test_cli_readable_summary_and_csv_columns(capsys, tmp_path):
    path = tmp_path / "run.csv"
    code = cli.main(["run", "session-revocation", "--duration", "90", "--csv", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "server sessions in the store" in out and "store lookups" in out
    assert "header bytes = 40 B ×" in out
    rows = path.read_text().splitlines()
    header = rows[0].split(",")
    assert header[-len(FIGURES) :] == list(FIGURES)
    assert len(rows) == 91 and all(len(r.split(",")) == len(header) for r in rows[1:])


def test_cli_compare_auth(capsys):
    code = cli.main(["compare", "compare-auth", "--duration", "120", "--json", "-"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    a, b = data["a"]["auth"], data["b"]["auth"]
    assert a["revocations"] == b["revocations"] > 0  # the same moments on both sides
    assert a["accepted_after_revoke"] > 0 == b["accepted_after_revoke"]
    assert a["store_lookups"] == 0 < b["store_lookups"]


def test_the_auth_model_is_registered():
    assert model_for(Lesson("auth")) is AuthModel


def test_about_a_user_says_what_they_hold_and_when_it_expires():
    cfg = auth_config(
        scenario__duration_s=120, auth__token_ttl_s=600, auth__refresh=True, auth__access_ttl_s=60
    )
    sim = simulate(cfg)
    model: AuthModel = sim.lesson  # type: ignore[assignment]
    revoked = next(iter(model.revoked_at))
    about = model.about_user(revoked)
    assert about is not None and about.revoked_at == model.revoked_at[revoked]
    assert not about.signed_in and about.method == "jwt"
    present = next(u.id for u in model._signed if u.id not in model.revoked_at)
    about = model.about_user(present)
    assert about is not None and about.revoked_at is None
    assert about.expires_at == model.expires[present]
    assert about.refresh_expires_at == model.refresh_expires[present]
    assert about.signed_in == (sim.now <= model.refresh_expires[present])
    assert model.about_user(10**9) is None
