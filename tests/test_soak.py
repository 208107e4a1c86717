"""`vertebra serve` with several worker processes under many people of several cities at once.

The short form of ``bench/bench_soak.py``, on the suite's database (PostgreSQL when
``DATABASE_URL`` is set, else SQLite): every response is the right person's, no request
fails, every accepted write is in the history, and each worker has its own connection.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_soak
from serving import server_process

DATABASE_URL = os.environ.get("DATABASE_URL") or None


def test_many_people_of_several_cities_get_their_own_data_and_lose_nothing():
    outcome = bench_soak.soak(
        seconds=15, clients=20, cities=5, database_url=DATABASE_URL, workers=3
    )

    assert dict(outcome.errors) == {}
    assert outcome.wrong_person == 0
    assert outcome.problems == []
    assert outcome.accepted > 100
    assert outcome.conflicts > 0  # the shared objectives were really written at once
    # Sampled every second while the load ran: the parent held none (else a problem above).
    assert outcome.connections.endswith(
        "3 of 3 workers seen with their own connection, at most 1 per holder"
    )


def test_server_killed_during_saves_keeps_every_accepted_write_and_serves_again():
    with bench_soak.fresh_instance(DATABASE_URL) as (data_dir, url):
        env = bench_soak.instance_env(data_dir, url)
        world = bench_soak.prepare(env, cities=2, clients=8)
        outcome = bench_soak.Outcome()
        with server_process(data_dir, ready_path="/login/", env=env) as (base, server):
            started, stop = threading.Event(), threading.Event()
            load = threading.Thread(
                target=bench_soak.run_load,
                args=(base, world, 60, outcome),
                kwargs={"started": started, "stop": stop},
                daemon=True,
            )
            load.start()
            assert started.wait(timeout=60)
            time.sleep(3)
            os.killpg(server.pid, signal.SIGKILL)  # the parent and every worker, mid-request
            time.sleep(0.5)  # requests in flight meet the kill
            stop.set()
            load.join()
        # Requests cut off by the kill got no answer, or half of one; nothing else failed.
        cut_off = {"NewConnectionError", "ProtocolError"}
        assert {error.split(": ")[1] for error in outcome.errors} <= cut_off
        assert outcome.accepted > 20
        bench_soak.check_history(env, outcome, unanswered_ok=True)
        assert outcome.problems == []

        again = bench_soak.Outcome()
        with server_process(data_dir, ready_path="/login/", env=env) as (base, _server):
            bench_soak.run_load(base, world, 3, again)
        assert dict(again.errors) == {}
        assert again.accepted > 5
        again.writes = outcome.writes + again.writes
        bench_soak.check_history(env, again, unanswered_ok=True)
        assert again.problems == []
