"""The `vertebra` command ends every run with one clear line or none: the real command, run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

VERTEBRA = str(Path(sys.executable).parent / "vertebra")


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir), "VERTEBRA_DEBUG": ""}
    env.pop("DATABASE_URL", None)
    return env


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VERTEBRA, *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [("framework", "export", "smr-rmm"), ("framework", "list")],
)
def test_a_closed_pipe_ends_the_command_quietly(tmp_path, args):
    process = subprocess.Popen(
        [VERTEBRA, *args],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head` does once it has read enough
    error = process.stderr.read()
    process.stderr.close()

    assert (process.wait(timeout=60), error) == (141, b"")


def test_serve_on_a_port_in_use_stops_with_one_line_before_doing_anything(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = _run("serve", "--port", str(port), data_dir=tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"vertebra: port {port} on 127.0.0.1 is already in use; stop the program using it "
        "or choose another --port\n",
    )
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


def test_serve_on_an_address_of_another_machine_stops_with_one_line(tmp_path):
    result = _run("serve", "--host", "203.0.113.7", "--port", "8000", data_dir=tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "vertebra: --host 203.0.113.7: not an address of this machine\n",
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--workers", "0", "argument --workers: 0: give 1 or more"),
        ("--workers", "-2", "argument --workers: -2: give 1 or more"),
        ("--workers", "many", "argument --workers: 'many' is not a whole number"),
        ("--threads", "0", "argument --threads: 0: give 1 or more"),
        ("--port", "70000", "argument --port: 70000: a port is a number from 1 to 65535"),
    ],
)
def test_serve_refuses_a_bad_number_while_reading_its_arguments(tmp_path, option, value, message):
    result = _run("serve", option, value, data_dir=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"vertebra serve: error: {message}"
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []
