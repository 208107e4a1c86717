"""`vertebra serve` starts a production server (gunicorn) that serves pages and static files."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local server
        return response.status, response.headers.get("Server", ""), response.read().decode()


def test_serve_runs_gunicorn_with_init_and_static_files(tmp_path):
    port = free_port()
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(tmp_path), "VERTEBRA_DEBUG": ""}
    env.pop("DATABASE_URL", None)  # this test is about a fresh SQLite data directory
    env.pop("VERTEBRA_SECRET_KEY", None)  # and the key file it makes
    vertebra = str(Path(sys.executable).parent / "vertebra")
    server = subprocess.Popen(
        [vertebra, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        for _ in range(150):
            try:
                status, server_header, body = get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer within 15 seconds")
        assert status == 200
        assert server_header.startswith("gunicorn")
        assert 'name="csrfmiddlewaretoken"' in body
        stylesheet = re.search(r'href="(/static/web/css/app\.([0-9a-f]{12})\.css)"', body)
        assert stylesheet, "the page names its stylesheet by a hashed name"
        url = f"http://127.0.0.1:{port}{stylesheet.group(1)}"
        with urllib.request.urlopen(url, timeout=5) as response:
            css = response.read().decode()
            assert response.status == 200
            assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert len(css) > 1000
        assert (tmp_path / "vertebra.sqlite3").exists()
        assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "smr-rmm version 1: loaded" in output
    assert f"Vertebra is serving on http://127.0.0.1:{port}/" in output
