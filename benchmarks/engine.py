"""Engine throughput: simulated requests per CPU-second, against a minimal simpy model.

Runs 200,000 requests through 8 servers x 4 workers at 80% utilisation in local mode
with sticky sessions; the same fleet and load in the counter lesson (per-user counts in
server memory, sticky: every request a click); and the textbook simpy model of the same
queueing (one process per request, ``simpy.Resource`` per server, random routing).
Prints each and the ratios.

    python benchmarks/engine.py [--requests N] [--repeat K]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import simpy

from visualizer.sim.config import Config
from visualizer.sim.schema import with_values
from visualizer.sim.simulation import Simulation

SERVERS, WORKERS, SERVICE_MS, UTILISATION = 8, 4, 40.0, 0.8
RATE = UTILISATION * SERVERS * WORKERS / (SERVICE_MS / 1000.0)  # requests per second


#: The counter lesson on the same fleet and load (every request is a click).
COUNTER = {"scenario.lesson": "counter", "counter.scope": "user", "counter.placement": "server"}

#: The auth lesson on the same fleet and load: a JWT, and a session in the store, with
#: revocations. No token check and a zero-latency store keep the load at 80%.
AUTH = {
    "scenario.lesson": "auth",
    "auth.revocations_per_min": 60,
    "state.token_verify_ms": 0,
    "store.latency_ms": 0,
}
AUTH_JWT = AUTH | {"auth.method": "jwt", "auth.token_ttl_s": 10}
AUTH_SESSION = AUTH | {"auth.method": "session"}

#: The realtime lesson on the same fleet and load: short polling every 5 s by users online
#: for 60 s on average; each sends a poll at arrival and then one every 5 s, so
#: polls/s = users/s × (1 + online / interval) = RATE.
REALTIME_POLL_S, REALTIME_ONLINE_S = 5.0, 60.0
REALTIME = {
    "scenario.lesson": "realtime",
    "realtime.transport": "short_poll",
    "realtime.poll_interval_s": REALTIME_POLL_S,
    "realtime.online_s": REALTIME_ONLINE_S,
    "realtime.messages_per_min": 3,
}
REALTIME_USERS_PER_S = RATE / (1 + REALTIME_ONLINE_S / REALTIME_POLL_S)

#: The services lesson on the same fleet and load: the fleet is the gateway (its 40 ms is
#: the token check), then each request calls a service with room to spare, and every
#: order goes through the queue (eight consumers keep up with it). Three tiers cost about
#: 3.3 simpy events a request against 2 for one tier: its target is half the sessions rate.
SERVICES = {"scenario.lesson": "services", "services.queue_consumers": 8}


def engine_config(
    requests: int, record_events: bool = False, lesson: dict | None = None
) -> tuple[Config, float]:
    per_user = 6.0
    duration = requests / RATE
    config = with_values(
        Config(),
        (lesson or {})
        | {
            "scenario.seed": 7,
            "scenario.duration_s": duration,
            "servers.count": SERVERS,
            "servers.workers": WORKERS,
            "servers.service_ms": SERVICE_MS,
            "state.mode": "local",
            "balancer.sticky": True,
            "traffic.requests_per_user": per_user,
            "traffic.users_per_s": RATE / per_user,
            "traffic.think_time_s": 2.0,
        },
        "benchmark",
    )
    return config, duration


def run_engine(
    requests: int, record_events: bool = False, traces: bool = False, lesson: dict | None = None
) -> tuple[int, float, float]:
    config, duration = engine_config(requests, lesson=lesson)
    if lesson is REALTIME:  # users arrive as often as the polls need
        config = with_values(config, {"traffic.users_per_s": REALTIME_USERS_PER_S}, "benchmark")
    sim = Simulation(
        config, record_events=record_events, event_buffer=1_000, traces=traces, trace_buffer=1_000
    )
    t0 = time.process_time()
    sim.advance(duration)
    cpu = time.process_time() - t0
    busy = sum(s.busy_area_at(sim.now) for s in sim.servers)
    return sim.totals.ok + sim.totals.failed, cpu, busy / (SERVERS * WORKERS * duration)


def run_minimal(requests: int, seed: int = 7) -> tuple[int, float]:
    """The plain simpy model: Poisson arrivals, random server, M/M/k at each."""
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = [simpy.Resource(env, WORKERS) for _ in range(SERVERS)]
    mean = SERVICE_MS / 1000.0
    done = 0

    def request(server: simpy.Resource):  # type: ignore[no-untyped-def]
        nonlocal done
        with server.request() as slot:
            yield slot
            yield env.timeout(rng.expovariate(1.0 / mean))
        done += 1

    def source():  # type: ignore[no-untyped-def]
        for _ in range(requests):
            yield env.timeout(rng.expovariate(RATE))
            env.process(request(servers[int(rng.random() * SERVERS)]))

    env.process(source())
    t0 = time.process_time()
    env.run()
    return done, time.process_time() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    args = parser.parse_args()
    eng, eng_ev, eng_tr, mini, counter, realtime, services = [], [], [], [], [], [], []
    auth: dict[str, list[float]] = {"JWT": [], "session": []}
    for _ in range(args.repeat):
        n, cpu, util = run_engine(args.requests)
        eng.append(n / cpu)
        n_ev, cpu_ev, _ = run_engine(args.requests, record_events=True)
        eng_ev.append(n_ev / cpu_ev)
        n_tr, cpu_tr, _ = run_engine(args.requests, traces=True)
        eng_tr.append(n_tr / cpu_tr)
        n_c, cpu_c, _ = run_engine(args.requests, lesson=COUNTER)
        counter.append(n_c / cpu_c)
        for name, lesson in (("JWT", AUTH_JWT), ("session", AUTH_SESSION)):
            n_a, cpu_a, _ = run_engine(args.requests, lesson=lesson)
            auth[name].append(n_a / cpu_a)
        n_r, cpu_r, util_r = run_engine(args.requests, lesson=REALTIME)
        realtime.append(n_r / cpu_r)
        n_s, cpu_s, _ = run_engine(args.requests, lesson=SERVICES)
        services.append(n_s / cpu_s)
        m, mcpu = run_minimal(args.requests)
        mini.append(m / mcpu)
    best_e, best_ev, best_tr, best_m = max(eng), max(eng_ev), max(eng_tr), max(mini)
    print(
        f"workload: {args.requests:,} requests, {SERVERS} servers x {WORKERS} workers, "
        f"{SERVICE_MS:g} ms exponential service, local + sticky, measured utilisation {util:.2f}"
    )
    print(
        f"engine                    : {best_e:>10,.0f} requests/CPU-s "
        f"(median {statistics.median(eng):,.0f})"
    )
    print(f"engine + event records    : {best_ev:>10,.0f} requests/CPU-s")
    print(
        f"engine + request traces   : {best_tr:>10,.0f} requests/CPU-s "
        f"({1 - best_tr / best_e:.0%} slower; target: at most 30%)"
    )
    best_c = max(counter)
    print(
        f"counter lesson            : {best_c:>10,.0f} requests/CPU-s "
        f"({best_c / best_e:.0%} of the sessions lesson; target: at least 60%)"
    )
    for name, rates in auth.items():
        best_a = max(rates)
        print(
            f"auth lesson, {name:<13}: {best_a:>10,.0f} requests/CPU-s "
            f"({best_a / best_e:.0%} of the sessions lesson; target: at least 60%)"
        )
    best_r = max(realtime)
    print(
        f"realtime, short polling   : {best_r:>10,.0f} requests/CPU-s "
        f"({best_r / best_e:.0%} of the sessions lesson; utilisation {util_r:.2f})"
    )
    best_s = max(services)
    print(
        f"services, gateway + queue : {best_s:>10,.0f} requests/CPU-s "
        f"({best_s / best_e:.0%} of the sessions lesson; target: at least 50%)"
    )
    print(
        f"minimal simpy model       : {best_m:>10,.0f} requests/CPU-s "
        f"(median {statistics.median(mini):,.0f})"
    )
    print(
        f"engine / minimal          : {best_e / best_m:>10.2f}x   (target: >= 0.67x, "
        "i.e. at most 1.5x slower; and >= 60,000 requests/CPU-s)"
    )


if __name__ == "__main__":
    main()
