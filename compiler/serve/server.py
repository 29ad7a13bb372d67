"""The HTTP server around `App`, and `serve()`, which runs it until Ctrl-C, SIGTERM or SIGHUP."""

from __future__ import annotations

import io
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from compiler.exitcodes import ExitCode
from compiler.resolve import Resolved
from compiler.serve import events
from compiler.serve.app import INTERNAL_ERROR, MAX_REQUEST_BYTES, App, Exchange
from compiler.serve.authorizers.jwks import JwksError, load_jwks
from compiler.serve.faults import describe
from compiler.serve.responses import Response, gateway_error, is_token

_NO_BODY_STATUSES = frozenset({204, 304})
READ_TIMEOUT = 60.0  # seconds a connection may stay silent while the server waits to read from it
_BREAKS = re.compile(r"[\r\n\0]")
_ABSOLUTE_FORM = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)(.*)\Z", re.DOTALL)  # `http://host:3000/path?query`


class Output:
    """Whole lines to one stream, from many threads, flushed at once."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            try:
                self._stream.write(line + "\n")
                self._stream.flush()
            except (OSError, ValueError):  # the reader went away; keep serving
                pass


class HTTPServer(ThreadingHTTPServer):
    """A threading server that knows its `App`."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        output: Callable[[str], None],
        notice: Callable[[str], None],
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        self.app = app
        self.output = output  # stdout: access-log lines
        self.notice = notice  # stderr: the server's own errors
        self.read_timeout = read_timeout  # a silent client does not hold its thread for ever
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, RequestHandler)

    def handle_error(self, request: object, client_address: Any) -> None:
        """What escapes a connection's handler (its own setup, or `_fail` failing in turn): one line on
        stderr where socketserver would print a traceback."""
        error = sys.exc_info()[1]
        self.notice(f"apispec: error: connection from {_display_address(client_address)}: {describe(error) if error else 'unknown error'}")


class RequestHandler(BaseHTTPRequestHandler):
    """Reads a request, lets the `App` answer it, writes the response and the access-log line."""

    server: HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's own log: the access log replaces it."""

    def setup(self) -> None:
        """The connection's socket gets the server's read timeout (its file objects use the socket's)."""
        super().setup()
        self.connection.settimeout(self.server.read_timeout)

    def handle_one_request(self) -> None:
        """Serve one request of the connection (the base class's `handle` loops over them).

        Every method goes to the `App` (PURGE, TRACE, any token: an `ANY` route or `$default` may answer
        it), where the base class answers 501 without a `do_` method. This is the request's one error
        boundary: whatever fails becomes a 500 and one line on stderr (`_fail`), never a traceback.
        """
        self._responded = False
        request: events.Request | None = None
        try:
            request = self._read_request()
            if request is not None:
                self._answer(request)
        except Exception as exc:
            self._fail(exc, request)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (malformed request line or headers, ...) as API Gateway's JSON, not HTML."""
        phrase = self.responses.get(code, ("Error",))[0]
        self._reject(code, phrase, message or phrase)

    def _read_request(self) -> events.Request | None:
        """The next request, read whole; None when there is none to pass on: the connection ended, or
        the request is unreadable and has been answered already."""
        try:
            if not self._read_head():
                return None
        except OSError:  # the client went away (a reset), or sent no request (an idle keep-alive): close
            self.close_connection = True
            return None
        try:
            body = self._read_body()
        except TimeoutError:  # the head came, then the client fell silent
            self._reject(408, "Request Timeout", f"no byte of the body for {self.server.read_timeout:g} s")
            return None
        except OSError:  # the client went away: nothing to answer
            self.close_connection = True
            return None
        except ValueError as exc:  # from `_read_body` (`parse_request` answers its own): a bad size
            self._reject(400, "Bad Request", f"unreadable body: {exc}")
            return None
        if body is None:
            self._reject(413, "Request Entity Too Large", f"the body is over {MAX_REQUEST_BYTES} bytes")
            return None
        headers = [(_utf8(name), _utf8(value)) for name, value in self.headers.items()]
        target, authority = _origin_form(_utf8(self.path))
        host = authority or next((v for k, v in headers if k.lower() == "host"), None) or _display_address(self.server.server_address)
        return events.Request(
            method=self.command,
            target=target,
            headers=headers,
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
            host=host,
        )

    def _read_head(self) -> bool:
        """Read the request line and headers, as the base class does; False when the connection ended
        or the request has been answered (a line too long, a malformed head, a method that is not a token)."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return False
        if not self.raw_requestline:
            self.close_connection = True
            return False
        if not self.parse_request():
            return False  # parse_request has answered, with send_error
        if not is_token(self.command):
            self._reject(400, "Bad Request", f"the method {self.command!r} is not an HTTP token")
            return False
        return True

    def _answer(self, request: events.Request) -> None:
        exchange = self.server.app.handle(request)
        sent = self._write(exchange.response, request.request_id)
        self._log_access(request, exchange, sent)

    def _log_access(self, request: events.Request, exchange: Exchange, sent: int) -> None:
        line = self.server.app.access_log_line(request, exchange, sent, time.time())
        if line is not None:
            self.server.output(line)

    def _fail(self, exc: Exception, request: events.Request | None) -> None:
        """Report an unexpected error in one line naming the request and where it failed; answer 500
        when nothing was sent yet (`_write` encodes the whole head before it writes, so a response that
        cannot be sent leaves nothing on the wire). The connection stays open only when the request was
        read whole and the 500 is its complete answer: otherwise the rest of the stream cannot be trusted."""
        if request is not None:
            what, request_id = f"{request.method} {request.raw_path}", request.request_id
        else:
            what = f"{getattr(self, 'command', None) or '-'} {getattr(self, 'path', None) or '-'}"
            request_id = events.new_request_id()
        self.server.notice(f"apispec: error: {what} (request {request_id}): {describe(exc)}")
        if self._responded:
            self.close_connection = True
            return
        exchange = Exchange(gateway_error(500, INTERNAL_ERROR), error_message=INTERNAL_ERROR)
        sent = self._write(exchange.response, request_id)
        if request is None:
            self.close_connection = True
        else:
            self._log_access(request, exchange, sent)

    def _reject(self, status: int, message: str, reason: str) -> None:
        """Answer a request that cannot be passed on, with a new request id; the reason goes to stderr."""
        request_id = events.new_request_id()
        self.server.notice(f"apispec: {status} {message} to {self.client_address[0]} (request {request_id}): {reason}")
        response = gateway_error(status, message)
        response.headers.append(("Connection", "close"))  # the rest of the stream cannot be trusted
        self._write(response, request_id)
        self.close_connection = True

    def _read_body(self) -> bytes | None:
        """The request body (None when it is over the size limit); chunked bodies are joined."""
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
                size = int(size_line, 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_REQUEST_BYTES:
                    return None
                chunks.append(_read_exactly(self.rfile, size, "a chunk"))
                self.rfile.readline(1024)
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        if length < 0:
            raise ValueError("negative content-length")
        if length > MAX_REQUEST_BYTES:
            return None
        return _read_exactly(self.rfile, length, "the body (Content-Length)")

    def _write(self, response: Response, request_id: str) -> int:
        """Send the response; the number of body bytes it has (what the access log calls its length).

        The status line and headers are encoded in one piece before anything is written, so a header
        that cannot be sent raises with nothing on the wire and the caller can still answer 500.
        """
        body = b"" if response.status in _NO_BODY_STATUSES else response.body
        fields = list(response.headers)
        if not any(name.lower() == "date" for name, _ in fields):  # the function's own Date wins: one Date only
            fields.insert(0, ("Date", self.date_time_string()))
        if response.status not in _NO_BODY_STATUSES:
            fields.append(("Content-Length", str(len(body))))
        fields.append(("apigw-requestid", request_id))
        reason = self.responses.get(response.status, ("",))[0]
        lines = [f"{self.protocol_version} {response.status} {reason}", *(f"{name}: {value}" for name, value in fields)]
        if any(_BREAKS.search(line) for line in lines):  # responses.py rejects these; never split a response
            raise ValueError(f"a header contains CR, LF or NUL: {lines!r}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._responded = True
        try:
            self.wfile.write(head if getattr(self, "command", None) == "HEAD" or not body else head + body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
        return len(body)


def _origin_form(target: str) -> tuple[str, str | None]:
    """The request target as a path and query, and the authority an absolute-form target names.

    RFC 7230 (5.3.2): a server accepts `GET http://host/path HTTP/1.1`, and its host is the target's,
    whatever the Host header says. `http://host` and `http://host?q` have the path `/`.
    """
    match = _ABSOLUTE_FORM.match(target)
    if match is None:
        return target, None
    rest = match.group(2)
    return (rest if rest.startswith("/") else "/" + rest), match.group(1) or None


def _read_exactly(stream: io.BufferedIOBase, size: int, what: str) -> bytes:
    """`size` bytes; a stream that ends before (the client closed its side early, or sent less than it
    announced) raises ValueError, so that a request cut short is answered 400, never passed on."""
    data = stream.read(size) if size else b""
    if len(data) < size:
        raise ValueError(f"the connection ended {len(data)} bytes into {what} of {size} bytes")
    return data


def _utf8(text: str) -> str:
    """Request text as UTF-8: http.server decodes the request line and headers as ISO-8859-1.

    Bytes that are not UTF-8 become U+FFFD, never lone surrogates (`surrogateescape`): the event is
    JSON text, and a surrogate in it would fail the handler's first `.encode()` of the value.
    """
    try:
        return text.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # not from http.server's decoding: keep it as it is
        return text


def _display_address(address: tuple[Any, ...]) -> str:
    host, port = str(address[0]), int(address[1])
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _StopServingError(Exception):
    """Raised by the SIGTERM and SIGHUP handler to leave `serve_forever`."""


def serve(
    resolved: Resolved,
    spec_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 3000,
    params: dict[str, str] | None = None,
    jwks: Path | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> ExitCode:
    """Serve the spec's HTTP API until Ctrl-C, SIGTERM or SIGHUP; the process exit code. `jwks`: the
    `--jwks FILE` whose keys check every JWT authorizer's tokens."""
    out, err = Output(stdout or sys.stdout), Output(stderr or sys.stderr)
    try:
        keys = load_jwks(jwks) if jwks is not None else None
    except JwksError as exc:
        err(f"apispec: error: --jwks {jwks}: {exc}")
        return ExitCode.USAGE
    app = App(resolved, spec_dir, params or {}, emit=out, notice=err, jwks=keys)
    for warning in app.warnings:
        err(f"apispec: warning: {warning}")
    for note in app.notes:
        err(f"apispec: note: {note}")
    try:
        server = HTTPServer((host, port), app, out, err)
    except (OSError, OverflowError) as exc:
        err(f"apispec: error: cannot listen on {host}:{port}: {exc}")
        app.close()
        return ExitCode.USAGE
    app.port = int(server.server_address[1])
    previous = _install_signals()
    try:
        out(f"apispec: serving {app.config.api_name} on http://{_display_address((host, app.port))}")
        server.serve_forever()
    except (KeyboardInterrupt, _StopServingError):
        pass
    finally:
        _restore_signals(previous)
        server.server_close()
        app.close()
    err("apispec: stopped")
    return ExitCode.OK


def _on_stop_signal(signum: int, frame: FrameType | None) -> None:
    raise _StopServingError


SignalHandler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
# SIGHUP: the terminal was closed; stop as cleanly as for SIGTERM rather than die with workers left.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _install_signals() -> dict[int, SignalHandler]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _on_stop_signal) for signum in _STOP_SIGNALS}


def _restore_signals(previous: dict[int, SignalHandler]) -> None:
    if threading.current_thread() is threading.main_thread():
        for signum, handler in previous.items():
            if handler is not None:  # None: not installed from Python, nothing to put back
                signal.signal(signum, handler)
