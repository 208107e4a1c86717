"""A real SMTP server for the tests (aiosmtpd), listening on 127.0.0.1.

Mail is sent to it through the network, as in production; the tests read what arrived."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """What the server took in, in order of arrival."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class MailServer:
    """Started once per test process; ``clear()`` between tests."""

    def __init__(self) -> None:
        self.received = Received()
        self.port = free_port()
        self.controller = Controller(self.received, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.received.lock:
            return list(self.received.messages)

    def clear(self) -> None:
        with self.received.lock:
            self.received.messages.clear()

    def wait_for(self, count: int = 1, *, seconds: float = 10) -> list[EmailMessage]:
        """The messages once at least ``count`` have arrived (a server in another process)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def body_of(message: EmailMessage) -> str:
    """The plain-text body of a received message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
