"""Benchmark the maturity engine: full profiles per second for the shipped SMR model.

Run from the repository root: python -m bench.bench_engine [seconds]

It times vertebra.maturity.profile() over 1000 seeded random assessments, without and with
targets, and prints the mean and the best round. A full profile has every stage, progress figure,
gap, ahead-of-order list, cell and (with targets) to-target list; the English explanations are
built on first read, so a third run also reads them all (to_json). A pure-Python loop is timed too,
so figures from different machines can be compared; the load average is printed because shared or
throttled machines are noisy (the best round is the figure least disturbed by other work).
"""

from __future__ import annotations

import os
import random
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import yaml

from vertebra.maturity import STATUSES, Shape, profile

MODEL = Path(__file__).resolve().parent.parent / "vertebra/frameworks/data/smr-rmm.yaml"
CASES = 1000


def smr_shape() -> Shape:
    data = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    return Shape.from_lists(
        stages=[(s["code"], s["name"]) for s in data["stages"]],
        dimensions=[
            (d["code"], d["name"], [(p["code"], p["name"]) for p in d["policies"]])
            for d in data["dimensions"]
        ],
        objectives=[
            (o["code"], p["code"], o["stage"])
            for d in data["dimensions"]
            for p in d["policies"]
            for o in p["objectives"]
        ],
    )


def random_statuses(shape: Shape, rng: random.Random) -> dict[str, str]:
    """An assessment with a random share of objectives answered, each with a random status."""
    answered = rng.random()
    return {code: rng.choice(STATUSES) for code in shape.objective_codes if rng.random() < answered}


def run(label: str, seconds: float, call: Callable[[], object]) -> float:
    """Time ``call`` in rounds for ``seconds``; print the figures and return the best rate."""
    rounds: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or not rounds:
        start = time.perf_counter()
        call()
        rounds.append(time.perf_counter() - start)
    mean = sum(rounds) / (len(rounds) * CASES)
    best = min(rounds) / CASES
    print(
        f"{label}: {1 / mean:,.0f} profiles/s ({mean * 1e6:.1f} µs per profile), "
        f"best round {1 / best:,.0f} profiles/s ({best * 1e6:.1f} µs); "
        f"{len(rounds) * CASES} profiles"
    )
    return 1 / best


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    shape = smr_shape()
    rng = random.Random(20240601)
    cases = [random_statuses(shape, rng) for _ in range(CASES)]
    targets = {code: rng.choice(shape.stage_codes) for code in shape.policy_codes}
    loop = min(timeit.repeat("for i in range(1000): pass", number=1000, repeat=5)) / 1000
    print(
        f"SMR model: {len(shape.objective_codes)} objectives; Python "
        f"{sys.version.split()[0]}; calibration: empty 1000-step loop {loop * 1e6:.1f} µs"
    )
    load = " / ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"load average (1 / 5 / 15 min) before: {load} on {os.cpu_count()} CPUs")

    # Each profile is dropped once computed, as a request or command does with it.
    def plain() -> None:
        for s in cases:
            profile(shape, s)

    def targeted() -> None:
        for s in cases:
            profile(shape, s, targets=targets)

    def as_json() -> None:
        for s in cases:
            profile(shape, s, targets=targets).to_json(framework="smr-rmm", version=1)

    best = run("without targets", seconds, plain)
    run("with targets", seconds, targeted)
    run("with targets, explanations read (to_json)", seconds, as_json)
    load = " / ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"load average (1 / 5 / 15 min) after: {load}")
    print(
        f"RESULT: {best:,.0f} full profiles/s on one core ({1e6 / best:.1f} µs per profile), "
        "best round without targets"
    )


if __name__ == "__main__":
    main()
