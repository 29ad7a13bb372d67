"""Read a `service.yaml` into plain Python data plus the position of every key and value.

The YAML is composed (not constructed) with ruamel.yaml, and the node tree is turned into data
here, so that nothing in a document can run code or grow without bound:

- only the YAML 1.2 core tags are accepted (`!!python/...` and every other tag is refused);
- anchors and aliases work, but the expanded document is capped (`MAX_NODES`), so alias
  bombs are refused quickly with bounded memory;
- duplicate keys, non-string keys, deep nesting and bad bytes become findings, never exceptions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from compiler.diagnostics import Finding, SpecPath

MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_BYTES = 8 * 1024 * 1024

_CORE = "tag:yaml.org,2002:"
_MERGE_KEY = "<<"


class Position(NamedTuple):
    """1-based line and column of an element's key (or of the value, for list items) and of its value."""

    key_line: int
    key_column: int
    value_line: int
    value_column: int


@dataclass(slots=True)
class Document:
    """A loaded spec: its data (None when unreadable) and the position of every element."""

    path: Path
    data: Any = None
    positions: dict[SpecPath, Position] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    lines: int = 1

    def locate(self, finding: Finding) -> tuple[int, int]:
        """Line and column a finding points at: its explicit position, or its path's key or value.

        A path that does not exist (a missing key) points at its nearest existing parent.
        """
        if finding.at is not None:
            return finding.at
        path = finding.path
        while path and path not in self.positions:
            path = path[:-1]
        pos = self.positions.get(path)
        if pos is None:
            return (1, 1)
        missing = path != finding.path
        if finding.anchor == "key" or missing:
            return (pos.key_line, pos.key_column)
        return (pos.value_line, pos.value_column)


class _RefusedError(Exception):
    """Stops conversion of a document that must not be read further."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


def load(path: Path) -> Document:
    """Read and parse `path`; problems are findings on the returned document."""
    doc = Document(path=path)
    text = _read_text(path, doc)
    if text is None:
        return doc
    doc.lines = text.count("\n") + 1
    _parse(text, doc)
    return doc


def load_text(text: str, path: Path) -> Document:
    """Parse `text` as if read from `path` (for tests and editors)."""
    doc = Document(path=path, lines=text.count("\n") + 1)
    _parse(text, doc)
    return doc


def _read_text(path: Path, doc: Document) -> str | None:
    try:
        if path.is_dir():
            doc.findings.append(Finding("E001", (), f"`{path}` is a directory; give the path of a service.yaml file", at=(1, 1)))
            return None
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        doc.findings.append(Finding("E001", (), f"cannot read the file: {reason}", at=(1, 1)))
        return None
    if len(raw) > MAX_BYTES:
        doc.findings.append(Finding("E001", (), f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB; a service.yaml is a few KB", at=(1, 1)))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        doc.findings.append(
            Finding("E002", (), f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8 text", at=(line, column))
        )
        return None


def _parse(text: str, doc: Document) -> None:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(str(p) for p in (error.context, error.problem) if p)
        doc.findings.append(Finding("E003", (), f"YAML syntax error: {problem or 'cannot parse'}", at=at))
        return
    except YAMLError as error:  # reader errors (control characters) carry a position in their text
        doc.findings.append(Finding("E003", (), f"YAML error: {_one_line(str(error))}", at=_reader_position(error)))
        return
    except RecursionError:
        doc.findings.append(Finding("E007", (), f"the document is nested too deeply; a service.yaml needs fewer than {MAX_DEPTH} levels", at=(1, 1)))
        return
    if root is None:
        doc.findings.append(Finding("E008", (), "the file is empty; a service.yaml needs at least `service` and `functions`", at=(1, 1)))
        return
    converter = _Converter(doc)
    try:
        data = converter.convert(root, (), 0)
    except _RefusedError as refused:
        doc.findings.append(refused.finding)
        return
    if not isinstance(data, dict):
        kind = _kind(data)
        doc.findings.append(Finding("E008", (), f"the document is {kind}; a service.yaml is a mapping of keys such as `service:` and `functions:`", at=_at(root)))
        return
    doc.data = data
    doc.positions[()] = Position(1, 1, 1, 1)


class _Converter:
    """Turns a composed node tree into dicts, lists and scalars, recording positions."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.nodes = 0

    def convert(self, node: Any, path: SpecPath, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _RefusedError(
                Finding("E006", path, f"the document expands to more than {MAX_NODES} values (through aliases?); refusing to read it", at=_at(node))
            )
        if depth > MAX_DEPTH:
            raise _RefusedError(Finding("E007", path, f"the document is nested deeper than {MAX_DEPTH} levels", at=_at(node)))
        tag = _tag(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node, tag, path)
        if isinstance(node, SequenceNode):
            if tag != _CORE + "seq":
                self._refuse_tag(node, tag, path)
            items = []
            for index, item in enumerate(node.value):
                line, column = _at(item)
                self.doc.positions[(*path, index)] = Position(line, column, line, column)
                items.append(self.convert(item, (*path, index), depth + 1))
            return items
        if isinstance(node, MappingNode):
            if tag != _CORE + "map":
                self._refuse_tag(node, tag, path)
            return self._mapping(node, path, depth)
        raise _RefusedError(Finding("E003", path, "unsupported YAML node", at=_at(node)))

    def _mapping(self, node: Any, path: SpecPath, depth: int) -> dict[str, Any]:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        result: dict[str, Any] = {}
        merged: list[Any] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and _tag(key_node) == _CORE + "merge":
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                merged.extend(sources)
                continue
            if not isinstance(key_node, ScalarNode):
                raise _RefusedError(Finding("E004", path, "a key must be a plain name, not a list or mapping", at=_at(key_node)))
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                first = self.doc.positions[child]
                self.doc.findings.append(
                    Finding("E004", child, f"duplicate key `{key}` (first at line {first.key_line}); remove one of them", at=_at(key_node))
                )
                continue
            self.doc.positions[child] = Position(*_at(key_node), *_at(value_node))
            result[key] = self.convert(value_node, child, depth + 1)
        for source in merged:
            if not isinstance(source, MappingNode):
                raise _RefusedError(Finding("E004", path, "`<<` merges only mappings", at=_at(source)))
            for key, value in self._mapping(source, path, depth).items():
                result.setdefault(key, value)
        return result

    def _scalar(self, node: Any, tag: str, path: SpecPath) -> Any:
        text: str = node.value
        kind = tag.removeprefix(_CORE) if tag.startswith(_CORE) else None
        if kind == "str":
            return text
        if kind == "null":
            return None
        if kind == "bool":
            return text.lower() == "true"
        if kind == "int":
            return _to_int(text)
        if kind == "float":
            return _to_float(text)
        if kind in {"timestamp", "binary"}:  # values this format has no use for: keep the text
            return text
        self._refuse_tag(node, tag, path)
        return None

    def _refuse_tag(self, node: Any, tag: str, path: SpecPath) -> None:
        shown = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
        raise _RefusedError(
            Finding("E005", path, f"YAML tag `{shown}` is not allowed; a service.yaml holds only plain values, lists and mappings", at=_at(node))
        )


def _tag(node: Any) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag))


def _at(node: Any) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _to_int(text: str) -> int | str:
    cleaned = text.replace("_", "")
    try:
        if cleaned.lstrip("+-").startswith(("0o", "0x", "0b")):
            return int(cleaned, 0)
        return int(cleaned, 10)
    except ValueError:
        return text


def _to_float(text: str) -> float | str:
    lowered = text.lower().replace("_", "")
    if lowered in {".inf", "+.inf"}:
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    try:
        return float(lowered)
    except ValueError:
        return text


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"a single value ({type(value).__name__})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _reader_position(error: Exception) -> tuple[int, int]:
    position = getattr(error, "position", None)
    name_line = getattr(error, "line", None)
    if isinstance(name_line, int):
        return (name_line + 1, (getattr(error, "column", 0) or 0) + 1)
    if isinstance(position, int):
        return (1, position + 1)
    return (1, 1)
