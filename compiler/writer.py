"""Write output files, or compare them with what is on disk (`--check`).

Each target directory owns the files apispec wrote there: `template.yaml`, and the `*.tf.json`
files that carry its "generated" comment. A build replaces them (each file through a temporary
file and an atomic rename) and deletes owned files it no longer produces. Anything else in the
directory (`.terraform/`, state, zips, a hand-written `backend.tf.json`) is left alone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from compiler.serialize import GENERATED

OWNED_PATTERNS = {"terraform": "*.tf.json", "sam": "template.yaml", "cloudformation": "template.yaml"}


@dataclass(frozen=True, slots=True)
class Difference:
    path: Path
    reason: str  # "missing", "differs" or "stale"


def owned_files(directory: Path, target: str) -> list[Path]:
    """The files of a target directory that an earlier build wrote."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(OWNED_PATTERNS[target]) if p.is_file() and _generated(p))


def _generated(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return GENERATED.encode() in handle.read(512)
    except OSError:
        return False


def differences(files: dict[Path, bytes], targets: Iterable[tuple[Path, str]]) -> list[Difference]:
    """What `write` would change: missing or different files, and owned files it would delete."""
    found: list[Difference] = []
    for path, content in sorted(files.items()):
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            found.append(Difference(path, "missing"))
            continue
        except OSError:  # a directory in the file's place, an unreadable file
            found.append(Difference(path, "differs"))
            continue
        if current != content:
            found.append(Difference(path, "differs"))
    for directory, target in targets:
        found += [Difference(p, "stale") for p in owned_files(directory, target) if p not in files]
    return found


def write(files: dict[Path, bytes], targets: Iterable[tuple[Path, str]]) -> None:
    """Write every file atomically, then delete owned files that are no longer produced."""
    for path, content in sorted(files.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.chmod(temporary, 0o644)  # mkstemp makes 0600 files; outputs are ordinary files
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    for directory, target in targets:
        for stale in owned_files(directory, target):
            if stale not in files:
                stale.unlink()
