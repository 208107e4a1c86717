"""Benchmark the maturity engine: full profiles per second for the shipped SMR model.

Run from the repository root: python -m bench.bench_engine [seconds]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import yaml

from vertebra.maturity import STATUSES, Shape, profile

MODEL = Path(__file__).resolve().parent.parent / "vertebra/frameworks/data/smr-rmm.yaml"


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
    # Mostly-answered assessments, skewed towards the lower stages being done, with some gaps.
    answered = rng.random()
    statuses = {}
    for code in shape.objective_codes:
        if rng.random() < answered:
            statuses[code] = rng.choice(STATUSES)
    return statuses


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    shape = smr_shape()
    rng = random.Random(20240601)
    cases = [random_statuses(shape, rng) for _ in range(1000)]
    targets = {code: "A" for code in shape.policy_codes}
    for label, kwargs in (("without targets", {}), ("with targets", {"targets": targets})):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            for statuses in cases:
                profile(shape, statuses, **kwargs)
            count += len(cases)
        elapsed = time.perf_counter() - start
        print(
            f"{label}: {count / elapsed:,.0f} profiles/s, "
            f"{elapsed / count * 1e6:.1f} µs per profile ({count} profiles, "
            f"{len(shape.objective_codes)} objectives)"
        )


if __name__ == "__main__":
    main()
