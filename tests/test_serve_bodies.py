"""Through a real server (`vertebra serve`, gunicorn), with raw sockets: an oversized or
malformed body is answered at once, without being read, with nothing written and the
worker's memory unchanged."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.test_serve import free_port

BIN = Path(sys.executable).parent
ASSESSMENT = f"/cities/porto/assessments/{uuid.uuid4()}"
API = f"/api/v1{ASSESSMENT}"
MB = 1024 * 1024


class Server:
    def __init__(self, tmp_path: Path) -> None:
        self.data = tmp_path / "data"
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir()
        self.port = free_port()
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env |= {"VERTEBRA_DATA_DIR": str(self.data), "VERTEBRA_DEBUG": "", "TMPDIR": str(self.tmp)}
        self.process = subprocess.Popen(
            [str(BIN / "vertebra"), "serve", "--port", str(self.port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            if self.worker() and self._answers():
                return
            time.sleep(0.1)
        raise AssertionError("the server did not answer within 30 seconds")

    def _answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def worker(self) -> int | None:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        return int(pids[0]) if pids else None

    def peak_memory_kb(self) -> int:
        status = Path(f"/proc/{self.worker()}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]

    def written(self) -> list[str]:
        uploads = self.data / "uploads"
        found = list(uploads.rglob("*")) if uploads.exists() else []
        return [str(p) for p in [*found, *self.tmp.rglob("*")] if p.is_file()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    yield running
    running.stop()


def send(server: Server, head: str, body: Iterable[bytes] = ()) -> tuple[str, str, float]:
    """Send the head, then the body's pieces while they are wanted; return the status line,
    the response's body and the seconds until the answer came."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    answer = bytearray()
    answered = threading.Event()

    def read() -> None:
        try:
            while chunk := connection.recv(65536):
                answer.extend(chunk)
                answered.set()
        except OSError:
            pass
        answered.set()

    reader = threading.Thread(target=read)
    reader.start()
    started = time.monotonic()
    connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
    for piece in body:
        if answered.is_set():
            break
        try:
            connection.sendall(piece)
        except OSError:
            break
    answered.wait(timeout=10)
    seconds = time.monotonic() - started
    reader.join(timeout=10)
    connection.close()
    head_part, _, content = bytes(answer).partition(b"\r\n\r\n")
    return head_part.decode("latin-1").split("\r\n")[0], content.decode(errors="replace"), seconds


def request_head(method: str, path: str, *headers: str) -> str:
    return "\n".join([f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]) + "\n"


def test_served_bodies_are_bounded_before_they_are_read(server: Server) -> None:
    # Warmed up by a request with a body, so that the peak below is the requests' own.
    status, _html, _ = send(
        server,
        request_head("POST", "/login/", "Content-Type: text/plain", "Content-Length: 5"),
        [b"hello"],
    )
    assert status == "HTTP/1.1 403 Forbidden"  # no CSRF token: the body was taken, then refused
    memory_before = server.peak_memory_kb()

    # A gigabyte announced to an evidence upload: refused at once, after its first bytes.
    status, html, seconds = send(
        server,
        request_head(
            "POST",
            f"{ASSESSMENT}/objectives/L1S1/attachments/",
            "Content-Type: multipart/form-data; boundary=b",
            f"Content-Length: {1024 * MB}",
        ),
        iter([b"--b\r\n" + b"x" * 4000]),
    )
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert "this address takes at most 10.1\xa0MB, the file included." in html
    assert seconds < 30  # an answer, not a timeout: most of the body was never sent

    # 50 MB announced to an API endpoint that takes small bodies: the API's error shape.
    status, body, _ = send(
        server,
        request_head(
            "POST",
            f"{API}/answers/L1S1/comments",
            "Content-Type: application/json",
            f"Content-Length: {50 * MB}",
        ),
    )
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert "The request is too large: this address takes at most 1.0\\u00a0MB." in body

    # A body sent in chunks, with no length: read up to the page's limit, then refused,
    # though the client would go on sending.
    piece = b"y" * 65536
    chunks = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n" for _ in range(1000))
    status, html, seconds = send(
        server,
        request_head(
            "POST",
            "/login/",
            "Content-Type: application/x-www-form-urlencoded",
            "Transfer-Encoding: chunked",
        ),
        chunks,
    )
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert "this address takes at most 1.0\xa0MB." in html
    assert seconds < 30

    assert server.peak_memory_kb() - memory_before < 16 * 1024
    assert server.written() == []


def test_served_malformed_forms_are_400_not_500(server: Server) -> None:
    form = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc'
    for path in ("/login/", f"{API}/answers/L1S1/attachments"):
        status, body, _ = send(
            server,
            request_head(
                "POST", path, "Content-Type: multipart/form-data", f"Content-Length: {len(form)}"
            ),
            iter([form]),
        )
        assert status == "HTTP/1.1 400 Bad Request", path
        assert "The form could not be read: its multipart body is malformed" in body, path

    # A file sent to a page that takes none is refused before it is stored anywhere.
    status, html, _ = send(
        server,
        request_head(
            "POST",
            "/login/",
            "Content-Type: multipart/form-data; boundary=b",
            f"Content-Length: {len(form) + 8}",
        ),
        iter([form + b"\r\n--b--\r\n"]),
    )
    assert status == "HTTP/1.1 400 Bad Request"
    assert "This address takes no files, but the form sent one (a.txt)." in html

    # A chunked body whose chunk sizes are not numbers.
    status, html, _ = send(
        server,
        request_head("POST", "/login/", "Content-Type: text/plain", "Transfer-Encoding: chunked"),
        iter([b"zz\r\nabc\r\n0\r\n\r\n"]),
    )
    assert status == "HTTP/1.1 400 Bad Request"
    assert "The body sent in chunks is malformed or ended early." in html
    assert server.written() == []
