"""The reproducible zip: files only, sorted by full path in byte order, mode 0644 (0755 when
executable), every timestamp 1980-01-01 00:00 — the same files give the same bytes."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
COMPRESS_LEVEL = 6
SKIPPED_DIRECTORIES = frozenset({"__pycache__", ".git"})  # bytecode of local runs, version control


def files_under(directory: Path, *, skip: Iterable[str] = ()) -> dict[str, Path]:
    """The files under `directory` by their path in the zip (`/`-separated), leaving out the
    directories named in `SKIPPED_DIRECTORIES`, and the paths in `skip` (relative, `/`-separated)."""
    skipped = {s.strip("/") for s in skip}
    found: dict[str, Path] = {}
    for top, directories, names in os.walk(directory):
        relative = Path(top).relative_to(directory).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        directories[:] = [d for d in directories if d not in SKIPPED_DIRECTORIES and f"{prefix}{d}" not in skipped]
        for name in names:
            path = Path(top) / name
            if f"{prefix}{name}" not in skipped and path.is_file():  # a broken link or a socket is no code
                found[f"{prefix}{name}"] = path
    return found


def executable(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))


def write_zip(entries: Mapping[str, Path], destination: Path) -> None:
    """Write `entries` (path in the zip → file) as a reproducible zip at `destination`."""
    with zipfile.ZipFile(destination, "w") as archive:
        for name in sorted(entries, key=lambda n: n.encode("utf-8")):
            path = entries[name]
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.create_system = 3  # Unix, so that unzip and Lambda read the mode below
            info.external_attr = (stat.S_IFREG | (0o755 if executable(path) else 0o644)) << 16
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
