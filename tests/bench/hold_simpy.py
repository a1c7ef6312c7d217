#!/usr/bin/python3
"""hold_simpy.py - the classic hold model in SimPy, for comparison with bench_evq.

N pending events; each hold operation (one env.step()) pops the earliest event, which schedules
one new event at now + an exponential increment (mean 1,000,000, drawn before timing into a ring
of 4096, as bench_evq's "predrawn" mode). Two SimPy styles are timed:
  process   N processes, each looping `yield env.timeout(increment)` (idiomatic SimPy)
  callback  bare Timeout events whose callback schedules the next one (SimPy's cheapest path)
Per N: fill, warm up with max(N, ops/10) steps, then time ops steps with time.perf_counter(),
--repeat times; the fastest repetition is reported.

Run with Debian's interpreter, which sees python3-simpy3: /usr/bin/python3 hold_simpy.py
Output: tab-separated lines N, style, ops, seconds, Mops_per_s, ns_per_op after a header.
"""
import argparse
import random
import sys
import time

import simpy

RING = 4096
MEAN_INC = 1.0e6


def make_ring(seed):
    rnd = random.Random(seed)
    return [rnd.expovariate(1.0 / MEAN_INC) for _ in range(RING)]


def build_process(env, n, ring):
    state = {"i": 0}

    def holder(start):
        yield env.timeout(start)
        while True:
            i = state["i"]
            state["i"] = i + 1
            yield env.timeout(ring[i & (RING - 1)])

    for k in range(n):
        env.process(holder(ring[(k * 7) & (RING - 1)]))


def build_callback(env, n, ring):
    state = {"i": 0}

    def cb(_event):
        i = state["i"]
        state["i"] = i + 1
        env.timeout(ring[i & (RING - 1)]).callbacks.append(cb)

    for k in range(n):
        env.timeout(ring[(k * 7) & (RING - 1)]).callbacks.append(cb)


def run_one(n, style, ops, repeat, seed):
    env = simpy.Environment()
    ring = make_ring(seed)
    (build_process if style == "process" else build_callback)(env, n, ring)
    step = env.step
    for _ in range(max(n, ops // 10)):
        step()
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(ops):
            step()
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    print(f"{n}\t{style}\t{ops}\t{best:.4f}\t{ops / best / 1e6:.3f}\t{best * 1e9 / ops:.1f}",
          flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ops", type=float, default=1e6)
    ap.add_argument("--sizes", default="10,1000,100000,1000000")
    ap.add_argument("--styles", default="process,callback")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print("N\tstyle\tops\tseconds\tMops_per_s\tns_per_op")
    for n in (int(float(x)) for x in a.sizes.split(",")):
        for style in a.styles.split(","):
            if style not in ("process", "callback"):
                sys.exit(f"hold_simpy.py: --styles: unknown style '{style}'")
            run_one(n, style, int(a.ops), a.repeat, a.seed)


if __name__ == "__main__":
    main()
