"""Sign-in protection on a real server: `vertebra serve` with several worker processes on the
suite's database (PostgreSQL when ``DATABASE_URL`` is set, else SQLite). The failures are
counted in the database, so each worker sees the others' and the lock holds whichever
worker answers; `vertebra user unlock` lifts it at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_soak
from serving import BIN, server_process

DATABASE_URL = os.environ.get("DATABASE_URL") or None
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "served-horse-battery-7"
LOCKED = "Too many failed attempts to sign in with this email address."


def vertebra(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "vertebra"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def sign_in(base: str, email: str, password: str) -> tuple[int, bool, bool]:
    """(status, signed in, the lock's words shown) from a new browser."""
    browser = requests.Session()
    page = browser.get(f"{base}/login/", timeout=30)
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the sign-in page"
    response = browser.post(
        f"{base}/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    return response.status_code, "sessionid" in browser.cookies, LOCKED in response.text


def test_ten_failures_lock_the_address_on_every_worker_until_unlocked() -> None:
    with bench_soak.fresh_instance(DATABASE_URL) as (data_dir, url):
        env = bench_soak.instance_env(data_dir, url)
        assert vertebra(env, "init").returncode == 0
        assert vertebra(env, "city", "create", "porto", "--name", "Porto").returncode == 0
        created = vertebra(
            env,
            *("user", "create", "bea@porto.example", "--city", "porto", "--role", "editor"),
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        assert created.returncode == 0, created.stderr
        with server_process(data_dir, ready_path="/login/", env=env, args=["--workers", "3"]) as (
            base,
            _server,
        ):
            answers = [sign_in(base, "bea@porto.example", f"wrong {n}") for n in range(10)]
            assert answers == [(200, False, False)] * 9 + [(429, False, True)]
            # Every worker holds the lock, for the right password too.
            assert [sign_in(base, "bea@porto.example", PASSWORD) for _ in range(4)] == [
                (429, False, True)
            ] * 4

            unlocked = vertebra(env, "user", "unlock", "bea@porto.example")
            assert (unlocked.returncode, unlocked.stderr) == (0, "")
            assert unlocked.stdout == "Unlocked bea@porto.example: 10 failed sign-ins forgotten\n"

            assert sign_in(base, "bea@porto.example", PASSWORD) == (302, True, False)
