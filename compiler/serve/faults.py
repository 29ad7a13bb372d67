"""apispec's own faults while serving, described on one line with the place that raised them."""

from __future__ import annotations

import traceback
from pathlib import Path

from compiler.diagnostics import one_line

_ROOT = Path(__file__).parents[2]  # the directory that holds the `compiler` package
_PACKAGE = _ROOT / "compiler"


def describe(exc: BaseException) -> str:
    """`Type: message (at file:line)` on one line: what failed and where, so that a bug can be found."""
    return f"{type(exc).__name__}: {one_line(str(exc))} (at {_where(exc)})"


def _where(exc: BaseException) -> str:
    """The line that raised `exc`; when that line is not apispec's (the standard library, a test's
    stand-in), also the innermost apispec line that led there."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "an unknown line"
    where = _place(frames[-1])
    if not _is_ours(frames[-1]):
        caller = next((frame for frame in reversed(frames) if _is_ours(frame)), None)
        if caller is not None:
            where += f", from {_place(caller)}"
    return where


def _place(frame: traceback.FrameSummary) -> str:
    path = Path(frame.filename)
    return f"{path.relative_to(_ROOT) if path.is_relative_to(_ROOT) else path}:{frame.lineno}"


def _is_ours(frame: traceback.FrameSummary) -> bool:
    return Path(frame.filename).is_relative_to(_PACKAGE)
