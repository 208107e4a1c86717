"""Wall time of `vertebra assess` on a complete answer file, start-up included.

Target (issue: foundation): under 1 second. Run: .venv/bin/python bench/bench_assess.py
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
STATUSES = ["not_started", "in_progress", "achieved", "not_applicable"]


def main(runs: int = 20) -> None:
    model = yaml.safe_load((ROOT / "vertebra/frameworks/data/smr-rmm.yaml").read_text())
    codes = [o["code"] for d in model["dimensions"] for p in d["policies"] for o in p["objectives"]]
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.csv"
        lines = ["objective,status,progress,evidence,notes,na_justification"]
        lines += [
            f"{c},{rng.choice(STATUSES)},,Evidence for {c},Note,Why {c} does not apply"
            for c in codes
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [str(Path(sys.executable).parent / "vertebra"), "assess", str(path)]
        for fmt in ("json", "table"):
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run([*command, "--format", fmt], check=True, capture_output=True)
                times.append(time.perf_counter() - start)
            print(
                f"vertebra assess --format {fmt} ({len(codes)} answers, {runs} runs): "
                f"median {statistics.median(times) * 1000:.0f} ms, "
                f"max {max(times) * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
