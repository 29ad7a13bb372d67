"""Local Lambda: a pool of worker processes per function, one request per worker at a time.

Each worker is `python _worker.py` started lazily with the function's own environment and its `source`
directory as working directory and first import path, so nothing leaks between functions. A pool grows
up to `MAX_WORKERS` when every worker is busy (more requests wait for a free one), reuses warm workers,
kills a worker that runs past the function's timeout, and replaces all its workers when a module they
imported from `source` changes (see `Pool` for how that is watched).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NotRequired, TypedDict

from compiler.serve.config import FunctionConfig

MAX_WORKERS = 10  # per function
INIT_LIMIT = 10.0  # seconds; Lambda's limit for the init phase (importing the handler's module)
# File times come from a coarse kernel clock that can lag `time.time_ns()` by a tick (1-10 ms).
CLOCK_SLACK_NS = 20_000_000
_WORKER_SCRIPT = Path(__file__).with_name("_worker.py")

Emit = Callable[[str], None]


class PoolClosedError(Exception):
    """The pool is closed (the server is stopping): it takes no more requests."""


class Invocation(TypedDict):
    """One request to a worker, as `_worker.py` reads it."""

    event: Any  # the event: payload format 2.0 or 1.0 from serve, any JSON value from `invoke`
    requestId: str  # the Lambda request id, `context.aws_request_id`
    timeoutMs: int
    invokedFunctionArn: str
    traceId: str


class LambdaError(TypedDict):
    """An invocation's error, in the shape the Lambda runtime reports it."""

    errorType: str
    errorMessage: str
    stackTrace: NotRequired[list[str]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one invocation ended: exactly one of `result` (JSON text) and `error` is set."""

    result: str | None = None
    error: LambdaError | None = None
    timed_out: bool = False
    keep: bool = True  # whether the worker can take another request
    imported: tuple[str, ...] = ()  # module files the worker imported from `source` during this request
    since_ns: int = 0  # when the worker began the request (wall clock): those imports came after


FileState = tuple[int, int] | None  # (mtime in ns, size), None when the file cannot be read


def file_state(path: str) -> FileState:
    """What hot reload compares for one file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class Worker:
    """One worker process (one Lambda execution environment)."""

    def __init__(self, fn: FunctionConfig, environment: dict[str, str], emit: Emit, generation: int) -> None:
        self.fn = fn
        self.generation = generation
        self._emit = emit
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._process = subprocess.Popen(
            [sys.executable, "-u", str(_WORKER_SCRIPT), fn.handler, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=fn.source,
            env=environment,
            start_new_session=True,  # its own process group, so a kill takes the handler's children too
        )
        assert self._process.stdout is not None and self._process.stderr is not None
        try:
            threading.Thread(target=self._read_answers, args=(self._process.stdout,), daemon=True).start()
            threading.Thread(target=self._read_output, args=(self._process.stderr,), daemon=True).start()
        except RuntimeError as exc:  # "can't start new thread": the worker cannot run, like a failed start
            self.stop()
            raise OSError(f"cannot start the worker's reader threads: {exc}") from exc

    def alive(self) -> bool:
        return self._process.poll() is None

    def invoke(self, request: Invocation, timeout: float) -> Outcome:
        """Run one request; the clock starts when the handler is imported (init has `INIT_LIMIT`)."""
        try:
            assert self._process.stdin is not None
            self._process.stdin.write((json.dumps(request) + "\n").encode("utf-8", "surrogateescape"))
            self._process.stdin.flush()
        except OSError:
            return self._crashed(request["requestId"])
        deadline = time.monotonic() + INIT_LIMIT
        started = False
        while True:
            try:
                message = self._messages.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                self.stop()
                limit = timeout if started else INIT_LIMIT
                what = "Task" if started else "Init"
                return Outcome(error={"errorType": "Sandbox.Timedout", "errorMessage": f"{what} timed out after {limit:.2f} seconds"}, timed_out=True, keep=False)
            if message.get("started"):
                started, deadline = True, time.monotonic() + timeout
            elif "result" in message or "error" in message:
                return _answered(message)
            elif message.get("eof"):
                return self._crashed(request["requestId"])

    def _crashed(self, request_id: str) -> Outcome:
        """The worker ended mid-request (`os._exit`, a signal, a crash below Python): Lambda's ExitError."""
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.stop()
            code = -signal.SIGKILL
        message = f"RequestId: {request_id} Error: {exit_reason(code)}"
        return Outcome(error={"errorType": "Runtime.ExitError", "errorMessage": message}, keep=False)

    def stop(self) -> None:
        """Kill the worker and whatever it started; reap it."""
        if self._process.poll() is None:
            try:
                if hasattr(os, "killpg"):
                    os.killpg(self._process.pid, signal.SIGKILL)
                else:  # pragma: no cover - Windows has no process groups to kill
                    self._process.kill()
            except OSError:
                self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=5)
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()

    def _read_answers(self, stream: IO[bytes]) -> None:
        prefix = f"[{self.fn.key}] "
        for raw in stream:
            try:
                message = json.loads(raw)
            except ValueError:
                self._emit(prefix + raw.decode("utf-8", "replace").rstrip("\n"))
                continue
            if "log" in message:
                self._emit(prefix + str(message["log"]))
            else:
                self._messages.put(message)
        self._messages.put({"eof": True})

    def _read_output(self, stream: IO[bytes]) -> None:
        prefix = f"[{self.fn.key}] "
        for raw in stream:
            self._emit(prefix + raw.decode("utf-8", "replace").rstrip("\r\n"))


def exit_reason(code: int) -> str:
    """Lambda's words for how the runtime process ended, from its exit code (negative: the signal): Go's
    `ProcessState` text, `exit status 3` or `signal: killed`, and no reason at all for status 0."""
    if code == 0:
        return "Runtime exited without providing a reason"
    if code > 0:
        return f"Runtime exited with error: exit status {code}"
    try:
        name = (signal.strsignal(-code) or f"signal {-code}").lower()
    except ValueError:
        name = f"signal {-code}"
    return f"Runtime exited with error: signal: {name}"


def _answered(answer: dict[str, Any]) -> Outcome:
    """The outcome a worker's `result` or `error` answer reports, with the files it imported meanwhile."""
    imported = answer.get("imported")
    since = answer.get("since")
    return Outcome(
        result=answer.get("result"),
        error=answer.get("error"),
        keep=not answer.get("exit"),  # only an `error` answer can say the worker exits
        imported=tuple(p for p in imported if isinstance(p, str)) if isinstance(imported, list) else (),
        since_ns=since if isinstance(since, int) else 0,
    )


class Pool:
    """The workers of one function.

    Hot reload watches what the workers run, not the whole `source` tree: each answer names the files
    of the modules the worker imported from `source` (a vendored tree of 20,000 files costs nothing
    when the handler imports ten of them), and before every request the pool stats just those, so a
    changed, replaced or deleted module is seen on the very next request, at a few microseconds per
    watched file. A file is watched with the state it has when its first import is reported; if that
    state is newer than the start of the request that imported it, the import may have read the file
    mid-edit, and the pool reloads at once. Files no worker imported need no watching: the next import
    reads them as they are (Python's finder notices new files in a directory by its mtime), and a worker
    that failed to import its handler has exited already.
    """

    def __init__(self, fn: FunctionConfig, emit: Emit, notice: Emit, max_workers: int = MAX_WORKERS) -> None:
        self.fn = fn
        self._emit = emit
        self._notice = notice
        self._max = max_workers
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._generation = 0
        self._closed = False
        self._watched: dict[str, FileState] = {}  # the current generation's imported files
        self._environment = self._base_environment()

    def invoke(self, request: Invocation) -> Outcome:
        """Run one request on a free worker (started when none is free and the pool is not full).

        Raises `PoolClosedError` once the pool is closed, and `OSError` when a worker cannot be started.
        """
        self._check_reload()
        worker = self._acquire()
        keep = False  # a worker whose invocation raised is not trusted with another
        try:
            outcome = worker.invoke(request, self.fn.timeout)
            keep = outcome.keep
            self._watch(worker, outcome)  # before the worker is free: a reload must catch it
        finally:
            self._release(worker, keep)
        return outcome

    def close(self) -> None:
        """Stop every worker, busy or not."""
        with self._cond:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.stop()

    def _base_environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{secrets.token_hex(16)}"
        environment.update(self.fn.lambda_environment(stream))
        environment.update({"PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"})
        environment.update(dict(self.fn.environment))
        return environment

    def _check_reload(self) -> None:
        with self._cond:
            generation, watched = self._generation, list(self._watched.items())
        changed = next((path for path, state in watched if file_state(path) != state), None)
        if changed is not None:
            self._reload(generation, changed)

    def _watch(self, worker: Worker, outcome: Outcome) -> None:
        """Watch the files the worker reported; reload when one changed during the request that imported it."""
        if not outcome.imported:
            return
        now = time.time_ns()
        changed = None
        with self._cond:
            if worker.generation != self._generation:
                return
            for path in outcome.imported:
                if path in self._watched:
                    continue
                state = file_state(path)  # None for a module in a zip archive: watched, never changes
                self._watched[path] = state
                if state is not None and outcome.since_ns - CLOCK_SLACK_NS <= state[0] <= now + CLOCK_SLACK_NS:
                    changed = path
        if changed is not None:
            self._reload(worker.generation, changed)

    def _reload(self, generation: int, changed: str) -> None:
        """Start a new generation (once per change): stop idle workers; busy ones stop when they finish."""
        with self._cond:
            if generation != self._generation:
                return  # another request reloaded already
            self._generation += 1
            self._watched = {}
            stale, self._idle = self._idle, []
        self._notice(f"apispec: {self.fn.key}: {_relative(changed, self.fn.source)} changed; loading the new code")
        for worker in stale:
            worker.stop()

    def _acquire(self) -> Worker:
        """A worker for one request, marked busy: the most recently used idle one, else a new one while
        the pool is not full; otherwise wait for one to be released."""
        dead: list[Worker] = []
        try:
            return self._take(dead)
        finally:
            for worker in dead:
                worker.stop()

    def _take(self, dead: list[Worker]) -> Worker:
        """`_acquire`'s work; idle workers found dead go to `dead`, for the caller to stop outside the lock."""
        with self._cond:
            while True:
                if self._closed:
                    raise PoolClosedError("the server is stopping")
                while self._idle:
                    worker = self._idle.pop()  # the most recently used: warmest
                    if worker.alive():
                        self._busy.add(worker)
                        return worker
                    dead.append(worker)  # exited while idle (a thread of the handler called os._exit, ...)
                if len(self._busy) + self._starting < self._max:
                    self._starting += 1
                    generation = self._generation
                    break
                self._cond.wait()
        try:
            worker = Worker(self.fn, self._environment, self._emit, generation)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            closed = self._closed
            if not closed:
                self._busy.add(worker)
        if closed:
            worker.stop()
            raise PoolClosedError("the server is stopping")
        return worker

    def _release(self, worker: Worker, keep: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            reuse = keep and not self._closed and worker.generation == self._generation and worker.alive()
            if reuse:
                self._idle.append(worker)
            self._cond.notify()
        if not reuse:
            worker.stop()


def _relative(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path
