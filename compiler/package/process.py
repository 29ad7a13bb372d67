"""Running the programs that make a package (pip, npm, a build command), and how they fail."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

Progress = Callable[[str], None]  # gets each line a program prints, as it prints it


class PackageError(Exception):
    """A package that cannot be made; the message says why and what to do, with the program's output."""


class Ran(NamedTuple):
    returncode: int
    output: str  # standard output and standard error, interleaved as printed


def run(command: Sequence[str] | str, *, cwd: Path, env: Mapping[str, str] | None = None, progress: Progress | None = None) -> Ran:
    """Run `command` (a string runs in the shell) and collect its output; each line also goes to
    `progress` when given. A program that cannot start is exit code 127, as in the shell."""
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            shell=isinstance(command, str),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    except OSError as error:
        return Ran(127, f"cannot run `{command if isinstance(command, str) else command[0]}`: {error.strerror or error}\n")
    lines: list[str] = []
    assert process.stdout is not None
    with process.stdout:
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace")
            lines.append(line)
            if progress is not None:
                progress(line.rstrip())
    return Ran(process.wait(), "".join(lines))


def tail(output: str, lines: int = 40) -> str:
    """The end of a program's output, indented, for an error message."""
    kept = output.rstrip().splitlines()[-lines:]
    return "\n".join(f"  | {line}" for line in kept) if kept else "  | (no output)"
