"""The exit codes of every `apispec` command, `serve` included."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INVALID = 1  # the spec is invalid, or `--check` found stale output
    USAGE = 2  # unknown flag, missing file, output that cannot be written, an address `serve` cannot listen on
