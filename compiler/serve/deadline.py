"""The integration timeout (`timeout_ms`, 50-30000, default 30000): past it API Gateway answers
`503 {"message":"Service Unavailable"}` while the function runs on, as an HTTP API does (REST APIs
answer 504)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from compiler.serve.responses import Response, gateway_error

DEFAULT_TIMEOUT_MS = 30_000
SERVICE_UNAVAILABLE = "Service Unavailable"
T = TypeVar("T")


class TimedOut:
    """The integration did not answer within its timeout."""

    def __init__(self, timeout_ms: int) -> None:
        self.timeout_ms = timeout_ms

    @property
    def message(self) -> str:
        return f"the integration did not answer within its timeout ({self.timeout_ms} ms)"


class _Slot(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


def within(call: Callable[[], T], timeout_ms: int | None) -> T | TimedOut:
    """`call()`'s result, or TimedOut when it takes longer than `timeout_ms` (None: the default). The
    call goes on in its thread (a function keeps running on Lambda when API Gateway stops waiting);
    an exception it raises in time is raised here."""
    limit = DEFAULT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    slot: _Slot[T] = _Slot()

    def run() -> None:
        try:
            slot.value = call()
        except BaseException as exc:  # handed to the caller
            slot.error = exc
        finally:
            slot.done.set()

    threading.Thread(target=run, name="integration", daemon=True).start()
    if not slot.done.wait(limit / 1000):
        return TimedOut(limit)
    if slot.error is not None:
        raise slot.error
    return slot.value  # type: ignore[return-value]  # set when no error was raised


def timeout_response() -> Response:
    return gateway_error(503, SERVICE_UNAVAILABLE)
