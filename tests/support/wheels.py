"""Small wheels made on the spot, for a package index on disk (`pip --no-index --find-links`): the
packaging tests need no network."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

# One pure-Python wheel, one with a wheel per Linux machine, one project with an sdist only.
PURE = "purelib"
NATIVE = "nativelib"
SDIST_ONLY = "sdistonly"
NATIVE_TAGS = {
    "aarch64": "cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "x86_64": "cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64",
}


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(directory: Path, name: str, tag: str, files: dict[str, str], version: str = "1.0") -> Path:
    """A wheel of `name` with `files` (path → text) and its metadata, as a build backend writes one."""
    info = f"{name}-{version}.dist-info"
    purelib = "true" if tag == "py3-none-any" else "false"
    wheel_text = f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: {purelib}\n" + "".join(f"Tag: {t}\n" for t in _expand(tag))
    contents = {
        **{path: text.encode() for path, text in files.items()},
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": wheel_text.encode(),
    }
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in contents.items()) + f"{info}/RECORD,,\n"
    wheel = directory / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in contents.items():
            archive.writestr(path, data)
        archive.writestr(f"{info}/RECORD", record)
    return wheel


def _expand(tag: str) -> list[str]:
    """`cp39-abi3-a.b` → `cp39-abi3-a`, `cp39-abi3-b`."""
    python, abi, platforms = tag.split("-")
    return [f"{python}-{abi}-{platform}" for platform in platforms.split(".")]


def make_sdist(directory: Path, name: str, version: str = "1.0") -> Path:
    """An sdist (its name is all pip looks at before refusing it under `--only-binary=:all:`)."""
    sdist = directory / f"{name}-{version}.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        data = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
        member = tarfile.TarInfo(f"{name}-{version}/PKG-INFO")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return sdist


def make_index(directory: Path) -> Path:
    """A find-links directory with the three projects."""
    directory.mkdir(parents=True, exist_ok=True)
    make_wheel(directory, PURE, "py3-none-any", {f"{PURE}/__init__.py": 'WHERE = "pure"\n'})
    for machine, tag in NATIVE_TAGS.items():
        make_wheel(directory, NATIVE, tag, {f"{NATIVE}/__init__.py": f'MACHINE = "{machine}"\n'})
    make_sdist(directory, SDIST_ONLY)
    return directory
