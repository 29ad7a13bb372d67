"""The content-hash cache: a package whose inputs hash as they did when its zip was written, and whose
zip is still that zip, is not made again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from compiler.package.zipper import executable

CACHE_FILE = ".apispec-cache.json"  # in the packages directory, beside the zips
RECIPE = "1"  # raised when the way a package is made changes, so that older zips are made again


def digest(settings: Iterable[str], files: Mapping[str, Path]) -> str:
    """The hash of a package's inputs: its settings (kind, runtime, architecture, command, ...) and every
    file it is made from, by path, mode and content."""
    hasher = hashlib.sha256()
    for setting in (RECIPE, *settings):
        hasher.update(setting.encode("utf-8") + b"\0")
    for name in sorted(files, key=lambda n: n.encode("utf-8")):
        path = files[name]
        hasher.update(b"%s\0%d\0%s\0" % (name.encode("utf-8"), executable(path), file_hash(path).encode()))
    return hasher.hexdigest()


def file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def load(directory: Path) -> dict[str, dict[str, str]]:
    """Each packaged function's `inputs` digest and `zip` hash, by key; empty when unreadable."""
    try:
        data = json.loads((directory / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict) and all(isinstance(v.get(f), str) for f in ("inputs", "zip"))}


def unchanged(directory: Path, zip_name: str, record: Mapping[str, str] | None, inputs: str) -> bool:
    """Whether the zip on disk is the one made from these inputs."""
    if record is None or record["inputs"] != inputs:
        return False
    try:
        return file_hash(directory / zip_name) == record["zip"]
    except OSError:
        return False


def save(directory: Path, records: Mapping[str, Mapping[str, str]]) -> None:
    text = json.dumps({k: dict(records[k]) for k in sorted(records)}, indent=2, sort_keys=True) + "\n"
    (directory / CACHE_FILE).write_text(text, encoding="utf-8")
