"""One Lambda execution environment: runs one function's handler, one request at a time.

Started by `compiler.serve.workers` as `python -u _worker.py HANDLER PARENT_PID`, with the function's
environment and its `source` directory as the working directory, as the leader of its own process
group. It is a standalone script (standard library only, nothing from `compiler`), so the function sees
none of apispec's modules. However it ends — standard input closed, the handler exiting, the server
gone (killed, crashed, the terminal closed: PARENT_PID is no longer its parent) — it SIGKILLs its
process group, so processes the handler started end with it, as when Lambda resets an environment.

Protocol, JSON lines: requests arrive on standard input as `{"event", "requestId", "timeoutMs",
"invokedFunctionArn", "traceId"}`. Answers go to the original standard output: `{"log": line}` for
every line the handler prints (Python-level `sys.stdout`, `sys.stderr`, `logging`), `{"started": true}`
once the handler is imported and about to run, then `{"result": json_text}` or `{"error": {...},
"exit": bool}`. Both of these also carry `"imported"`, the files of the modules imported from the
source directory since the last answer (what the server watches for hot reload), and `"since"`, the
wall-clock time in ns at which this request began (so before any of those imports). File descriptors
1 and 2 both point at standard error, which the server also relays, so output written below Python
(C extensions, child processes) still reaches the log.
"""

from __future__ import annotations

import contextlib
import decimal
import importlib
import io
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

Handler = Callable[[Any, Any], Any]


class Channel:
    """The answer stream to the server: one JSON object per line, written atomically."""

    def __init__(self, stream: io.BufferedWriter) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")
        with self._lock:
            self._stream.write(data)
            self._stream.flush()


class LogStream(io.TextIOBase):
    """A text stream that turns every complete line into a `{"log": line}` message."""

    def __init__(self, channel: Channel) -> None:
        super().__init__()
        self._channel = channel
        self._pending: list[str] = []  # the pieces of the line not ended yet
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        """Linear in the output: a piece without a newline is only kept (joined once its line ends), so
        a handler writing a long line in many small pieces does not re-scan what it wrote before."""
        with self._lock:
            if "\n" not in text:
                self._pending.append(text)
                return len(text)
            done, _, rest = text.rpartition("\n")
            self._pending.append(done)
            lines = "".join(self._pending).split("\n")
            self._pending = [rest] if rest else []
            for line in lines:  # under the lock: lines from several threads stay in order
                self._channel.send({"log": line})
        return len(text)

    def finish(self) -> None:
        """Send a last line that has no newline yet (at the end of an invocation)."""
        with self._lock:
            pending = "".join(self._pending)
            self._pending = []
            if pending:
                self._channel.send({"log": pending})


class CognitoIdentity:
    """`context.identity`: the runtime always makes one, with both ids `None` when the invocation has no
    Cognito identity (awslambdaric `lambda_context.py`: `make_obj_from_dict(CognitoIdentity, {})`)."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self) -> None:
        self.cognito_identity_id: str | None = None
        self.cognito_identity_pool_id: str | None = None

    def __repr__(self) -> str:
        return f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},cognito_identity_pool_id={self.cognito_identity_pool_id}])"


class LambdaContext:
    """The `context` argument, with the attributes of the Python Lambda runtime's context."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.aws_request_id: str = request["requestId"]
        self.invoked_function_arn: str = request["invokedFunctionArn"]
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        # The Python runtime reads this from the environment, so it is a string there too.
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = CognitoIdentity()
        self.client_context: Any = None  # only a mobile SDK's direct invocation has one
        self.tenant_id: str | None = None
        self._deadline_ms = int(time.time() * 1000) + int(request["timeoutMs"])

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out."""
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message: object) -> None:
        """Write to the function's log, as the runtime's `context.log` does (any object, as `str`)."""
        sys.stdout.write(str(message))

    def __repr__(self) -> str:
        fields = ("aws_request_id", "log_group_name", "log_stream_name", "function_name", "memory_limit_in_mb",
                  "function_version", "invoked_function_arn", "client_context", "identity", "tenant_id")
        return f"LambdaContext([{','.join(f'{name}={getattr(self, name)}' for name in fields)}])"


class _RequestIdFilter(logging.Filter):
    """Gives every log record the current request's id, for the format's `%(aws_request_id)s`."""

    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _error(error_type: str, message: str, stack: list[str] | None = None) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": message, "stackTrace": stack or []}


def _exception(exc: BaseException, error_type: str | None = None, message: str | None = None) -> dict[str, Any]:
    """The error with its stack, without the frames of this script and of importlib. As in the runtime
    (awslambdaric `bootstrap.py`: `traceback.format_list(tb_tuples)`), `stackTrace` is the frames alone:
    no `Traceback` header, no closing `ValueError: …` line (the `[ERROR]` line says it), no chained causes."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _internal(f.filename)]
    return _error(error_type or type(exc).__name__, str(exc) if message is None else message, traceback.format_list(frames))


def _internal(filename: str) -> bool:
    return filename == __file__ or filename.startswith("<frozen importlib")


def _load(handler: str) -> Handler | dict[str, Any]:
    """The handler function, or the error the Lambda runtime reports for it."""
    module_name, _, function_name = handler.rpartition(".")
    if not module_name or not function_name:
        return _error("Runtime.MalformedHandlerName", f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return _exception(exc, "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    except SyntaxError as exc:
        return _exception(exc, "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}")
    except Exception as exc:
        return _exception(exc)
    function = getattr(module, function_name, None)
    if not callable(function):
        return _error("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return function  # type: ignore[no-any-return]


def _exit_reason(code: object) -> str:
    """What Lambda reports when the runtime process exits as `sys.exit(code)` makes Python exit: `None` is
    status 0, which Lambda reports without a status; any other non-integer is printed to stderr and is 1."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    status = code or 0
    return f"Runtime exited with error: exit status {status}" if status else "Runtime exited without providing a reason"


def _marshal(result: object) -> str:
    """The result's payload. `bytes` are the payload as they are, not JSON-encoded (awslambdaric
    `lambda_runtime_marshaller.py`: `if isinstance(response, bytes): return response`); API Gateway then
    reads them as it reads any payload, so they must be JSON text. NaN and Infinity are not JSON."""
    if isinstance(result, bytes | bytearray):
        return bytes(result).decode("utf-8", "replace")
    return json.dumps(result, default=_default, allow_nan=False)


def _default(value: object) -> object:
    """`json.dumps`'s fallback: a `Decimal` (boto3's DynamoDB numbers) as an int when it is whole, else a float."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class Runtime:
    """Import the handler on the first request, then run requests one at a time."""

    def __init__(self, handler: str, channel: Channel, out: LogStream, err: LogStream, request_filter: _RequestIdFilter) -> None:
        self._handler_name = handler
        self._channel = channel
        self._streams = (out, err)
        self._filter = request_filter
        self._handler: Handler | None = None
        self._root = os.path.join(os.getcwd(), "")
        self._seen: set[str] = set()  # every module `__file__` already looked at
        self._since = 0

    def run(self, request: dict[str, Any]) -> bool:
        """Answer one request; False when this environment must stop (failed init, exit)."""
        self._since = time.time_ns()
        self._filter.request_id = request["requestId"]
        if request.get("traceId"):
            os.environ["_X_AMZN_TRACE_ID"] = request["traceId"]
        if self._handler is None:
            loaded = _load(self._handler_name)
            if isinstance(loaded, dict):
                return self._fail(loaded, stop=True)
            self._handler = loaded
        self._channel.send({"started": True})
        try:
            result = self._handler(request["event"], LambdaContext(request))
        except SystemExit as exc:
            return self._fail(_error("Runtime.ExitError", f"RequestId: {request['requestId']} Error: {_exit_reason(exc.code)}"), stop=True)
        except Exception as exc:
            return self._fail(_exception(exc))
        try:
            text = _marshal(result)
        except (TypeError, ValueError, RecursionError) as exc:
            return self._fail(_error("Runtime.MarshalError", f"Unable to marshal response: {exc}"))
        self._finish()
        self._channel.send({"result": text, **self._imports()})
        return True

    def _fail(self, error: dict[str, Any], *, stop: bool = False) -> bool:
        self._finish()
        self._channel.send({"error": error, "exit": stop, **self._imports()})
        return not stop

    def _imports(self) -> dict[str, Any]:
        """`imported` and `since` for the answer: module files under the source directory not reported yet."""
        imported: list[str] = []
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if not isinstance(path, str) or path in self._seen:
                continue
            self._seen.add(path)
            path = os.path.abspath(path)
            if path.startswith(self._root):
                imported.append(path)
        return {"imported": imported, "since": self._since}

    def _finish(self) -> None:
        for stream in self._streams:
            stream.finish()


PARENT_POLL = 0.2  # seconds between checks that the server is still there


def _end_group() -> NoReturn:
    """SIGKILL this process group: this worker (its leader) and whatever the handler started."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(OSError):
            os.killpg(0, signal.SIGKILL)
    os._exit(1)


def _watch_parent(parent: int) -> None:
    """End the group once the server that started this worker is gone (it then has another parent)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    _end_group()


def main(argv: list[str]) -> NoReturn:
    """Serve requests from standard input until it closes, then end the process group."""
    handler = argv[1]
    if len(argv) > 2:
        threading.Thread(target=_watch_parent, args=(int(argv[2]),), daemon=True).start()
    # Keep the protocol streams private: the handler gets /dev/null as stdin and its fd 1 goes to stderr.
    requests = os.fdopen(os.dup(0), "rb")
    channel = Channel(os.fdopen(os.dup(1), "wb"))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    out, err = LogStream(channel), LogStream(channel)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout, sys.stderr = out, err
    # The script's own directory must not shadow the function's modules: `source` comes first.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, os.getcwd())
    request_filter = _RequestIdFilter()
    _configure_logging(out, request_filter)
    runtime = Runtime(handler, channel, out, err, request_filter)
    for line in requests:
        if line.strip() and not runtime.run(json.loads(line)):
            break
    _end_group()


def _configure_logging(stream: TextIO | LogStream, request_filter: _RequestIdFilter) -> None:
    """A root handler in the Lambda Python runtime's text format; the root level stays WARNING."""
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(request_filter)
    logging.getLogger().addHandler(handler)


if __name__ == "__main__":
    main(sys.argv)
