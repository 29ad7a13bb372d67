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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, events
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode

from compiler.diagnostics import Finding, SpecPath
from compiler.records import NamedTuple

MAX_NODES = 200_000
_CHARACTERS_PER_VALUE = 64  # so MAX_NODES also bounds the text aliases expand to (about 12 MB)
MAX_DEPTH = 64
MAX_BYTES = 8 * 1024 * 1024

_CORE = "tag:yaml.org,2002:"
_YAML11_ONLY = re.compile("[\t\x85\u2028\u2029]")  # characters the fast path reads otherwise than YAML 1.2 (`_parse`)
_FAST_FROM = 4096  # characters; below, ruamel's own parser is as quick as a libyaml try that may fall back


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
    numbers: dict[SpecPath, str] = field(default_factory=dict)  # how each number was written
    rejected: set[SpecPath] = field(default_factory=set)  # values reported and read as text (E005)
    # Entries of a `{…}` mapping written without a `:` right after a plain value: most likely the rest
    # of that value, cut at an unquoted `,`. Each path maps to the entry as it was probably meant.
    split_values: dict[SpecPath, str] = field(default_factory=dict)
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


def load_text(text: str, path: Path, *, fast: bool = True) -> Document:
    """Parse `text` as if read from `path`; `fast=False` uses ruamel's pure-Python parser only."""
    doc = Document(path=path, lines=text.count("\n") + 1)
    _parse(text, doc, fast=fast)
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
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1  # characters, not bytes
        doc.findings.append(
            Finding("E002", (), f"byte 0x{raw[error.start]:02x} is not UTF-8; save the file as UTF-8 text", at=(line, column))
        )
        return None


def _parse(text: str, doc: Document, *, fast: bool = True) -> None:
    """Parse with libyaml's fast parser when ruamel.yaml.clib is there, else (or when it refuses the
    text: libyaml follows YAML 1.1, which rejects some 1.2 forms, e.g. `[sqs:SendMessage]`) with
    ruamel's own YAML 1.2 parser, whose verdict is final."""
    libyaml = YAML(typ="safe", pure=False)
    # Tabs: libyaml lets some through that ruamel refuses, and one verdict must not depend on size.
    # NEL, LS and PS: libyaml (YAML 1.1) counts them as line breaks, YAML 1.2 does not, so every
    # position after one would be a line off.
    if fast and len(text) > _FAST_FROM and not _YAML11_ONLY.search(text) and libyaml.Parser.__name__ == "CParser":
        findings = list(doc.findings)
        builder = _Builder(doc, libyaml.resolver)
        try:
            for event in libyaml.parse(text):
                builder.feed(event)
        except (YAMLError, _RefusedError):
            doc.findings[:] = findings
            doc.positions.clear()
            doc.numbers.clear()
        else:
            _finish(builder, doc)
            return
    _parse_exactly(YAML(typ="safe", pure=True), text, doc)


def _parse_exactly(yaml: Any, text: str, doc: Document) -> None:
    builder = _Builder(doc, yaml.resolver)
    try:
        for event in yaml.parse(text):
            builder.feed(event)
    except MarkedYAMLError as error:
        doc.findings.append(_syntax_finding(error))
        return
    except YAMLError as error:  # reader errors (control characters) carry a position in their text
        doc.findings.append(Finding("E003", (), f"YAML error: {_one_line(str(error))}", at=_reader_position(error, text)))
        return
    except _RefusedError as refused:
        doc.findings.append(refused.finding)
        return
    _finish(builder, doc)


_MAX_IMPLICIT_KEY = 1024  # YAML 1.2, 7.4.2: an implicit key "is restricted to a single line" and 1024 characters


def _syntax_finding(error: Any) -> Finding:
    """A parser error, placed where the reader can fix it, with a hint for the usual causes."""
    problem = str(error.problem or "cannot parse")
    mark = error.problem_mark or error.context_mark
    unclosed = "end of stream" in problem or "<stream end>" in problem
    if unclosed and error.context_mark is not None:
        mark = error.context_mark  # an unclosed quote or bracket: point at where it opens
    at = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = " ".join(_one_line(str(p)) for p in (error.context, problem) if p)
    context = error.context_mark
    no_colon = str(error.context or "") == "while scanning a simple key" and "expected ':'" in problem
    sign = {"while scanning an alias": "*", "while scanning an anchor": "&"}.get(str(error.context or ""))
    if (no_colon or sign) and context is not None:
        at = (context.line + 1, context.column + 1)  # the line without its `: ` (not the next one), the `*` itself
    if "\\t" in message or "\t" in message:
        message += "; replace the tab with spaces"
    elif unclosed:
        message += "; a quote or bracket that opens here is never closed"
    elif no_colon:
        message += "; this line is not `key: value`: put a colon and a space after the key (`timeout: 10`)"
    elif sign:
        message += f"; `{sign}` starts a YAML {'alias' if sign == '*' else 'anchor'}: put a value that begins with it in quotes (`\"{sign}\"`)"
    elif "mapping values are not allowed" in problem and mark is not None and mark.column > _MAX_IMPLICIT_KEY:
        message += f"; a key of more than {_MAX_IMPLICIT_KEY} characters takes YAML's explicit form: `? <key>` on one line, `: <value>` on the next"
    elif "mapping values are not allowed" in problem:
        message += "; a `key: value` where a value belongs: check the indentation, or quote a value that holds `: `"
    elif str(error.context or "").startswith("while parsing a flow") and context is not None and mark is not None and mark.line > context.line:
        message += f"; is the bracket at line {context.line + 1}, column {context.column + 1} closed, and are its entries separated by commas?"
    return Finding("E003", (), f"YAML syntax error: {message}", at=at)


def _finish(builder: _Builder, doc: Document) -> None:
    if builder.root is _NOTHING:
        doc.findings.append(Finding("E008", (), "the file is empty; a service.yaml needs at least `service` and `functions`", at=(1, 1)))
        return
    if not isinstance(builder.root, dict):
        kind = _kind(builder.root)
        message = f"the document is {kind}; a service.yaml is a mapping of keys such as `service:` and `functions:`"
        doc.findings.append(Finding("E008", (), message, at=builder.root_at))
        return
    doc.data = builder.root
    doc.positions[()] = Position(1, 1, 1, 1)


_NOTHING: Any = object()


class _Frame:
    """A mapping or sequence being built (a plain class: it is defined on every `validate`)."""

    __slots__ = ("anchor", "discarded", "drop_value", "key", "key_at", "key_end", "merges", "path", "plain", "size", "value")

    def __init__(self, value: dict[str, Any] | list[Any], path: SpecPath, anchor: str | None, discarded: bool) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.discarded = discarded  # inside the value of a repeated key: read, then dropped
        self.size = 1  # values inside, aliases expanded: what validating it would walk
        self.key: Any = _NOTHING  # a mapping's pending key
        self.key_at = (1, 1)
        self.merges: list[tuple[Any, tuple[int, int]]] = []
        self.drop_value = False  # the pending key is a repeat: its value is dropped
        self.key_end = -1  # where the pending key's text ends (an offset into the file)
        self.plain: tuple[str, str] | None = None  # the last entry, when its value is plain text: (key, text)


class _Builder:
    """Builds dicts, lists and scalars from parser events, with positions, without recursion.

    Anchored values are shared, not copied; `size` counts what aliases expand to, so an alias
    bomb is refused as soon as the expanded document passes `MAX_NODES`.
    """

    def __init__(self, doc: Document, resolver: Any) -> None:
        self.doc = doc
        self.resolver = resolver
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.root: Any = _NOTHING
        self.root_at = (1, 1)

    def feed(self, event: Any) -> None:
        if isinstance(event, events.ScalarEvent):  # long text counts as several values: aliases may repeat it
            self._add(self._scalar(event), 1 + len(event.value) // _CHARACTERS_PER_VALUE, event)
        elif isinstance(event, events.MappingStartEvent | events.SequenceStartEvent):
            self._start(event, isinstance(event, events.MappingStartEvent))
        elif isinstance(event, events.MappingEndEvent | events.SequenceEndEvent):
            self._end()
        elif isinstance(event, events.AliasEvent):
            if event.anchor not in self.anchors:
                raise _RefusedError(Finding("E003", (), f"alias `*{event.anchor}` names no anchor", at=_mark(event)))
            value, size = self.anchors[event.anchor]
            self._add(value, size, event, anchored=False)
        elif isinstance(event, events.DocumentStartEvent) and self.root is not _NOTHING:
            raise _RefusedError(Finding("E003", (), "the file holds several YAML documents (`---`); a service.yaml is one", at=_mark(event)))

    def _path(self) -> SpecPath:
        """The path of the value that comes next."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.path, len(frame.value))
        return (*frame.path, frame.key) if isinstance(frame.key, str) else frame.path

    def _start(self, event: Any, mapping: bool) -> None:
        tag = _tag_of(event)
        if tag is not None and tag != _CORE + ("map" if mapping else "seq"):
            self._refuse_tag(tag, event)
        if self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is _NOTHING:
            raise _RefusedError(Finding("E004", self.stack[-1].path, "a key must be a plain name, not a list or mapping", at=_mark(event)))
        if len(self.stack) >= MAX_DEPTH:
            raise _RefusedError(Finding("E007", self._path(), f"the document is nested deeper than {MAX_DEPTH} levels", at=_mark(event)))
        path = self._path()
        self._record(path, event)
        parent = self.stack[-1] if self.stack else None
        if parent is not None:
            parent.plain = None  # a list or mapping value ends a run of plain text
        discarded = parent is not None and (parent.discarded or parent.drop_value)
        self.stack.append(_Frame(value={} if mapping else [], path=path, anchor=event.anchor, discarded=discarded))

    def _end(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict):
            for source, at in frame.merges:
                for merged in source if isinstance(source, list) else [source]:
                    if not isinstance(merged, dict):
                        raise _RefusedError(Finding("E004", frame.path, "`<<` merges only mappings", at=at))
                    for key, value in merged.items():
                        frame.value.setdefault(key, value)
        self._place(frame.value, frame.size, frame.anchor)

    def _add(self, value: Any, size: int, event: Any, *, anchored: bool = True) -> None:
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.value, dict) and frame.key is _NOTHING:
            if value is _MERGE:
                frame.key, frame.key_at = _MERGE, _mark(event)
                return
            if not isinstance(value, str):  # reported, and the entry is left out: the rest is still read
                frame.key, frame.key_at, frame.drop_value = str(event.value), _mark(event), True
                if not frame.discarded:
                    kind = "empty (null)" if value is None else "a boolean" if isinstance(value, bool) else "a number"
                    message = f"the key `{event.value}` is {kind}, and keys are names; quote it (`\"{event.value}\"`) if it is one"
                    self.doc.findings.append(Finding("E004", frame.path, message, at=frame.key_at))
                return
            frame.key, frame.key_at, frame.key_end = value, _mark(event), event.end_mark.index
            if value in frame.value:
                frame.drop_value = True
                if not frame.discarded:
                    first = self.doc.positions[(*frame.path, value)]
                    message = f"duplicate key `{value}` (first at line {first.key_line}); remove one of them"
                    self.doc.findings.append(Finding("E004", (*frame.path, value), message, at=frame.key_at))
            return
        path = self._path()
        self._record(path, event)
        if frame is not None and isinstance(frame.value, dict):
            self._follow_plain_values(frame, path, value, event)
        if isinstance(value, int | float) and not isinstance(value, bool) and anchored:
            self.doc.numbers[path] = event.value
        self._place(value, size, getattr(event, "anchor", None) if anchored else None, at=_mark(event))

    def _follow_plain_values(self, frame: _Frame, path: SpecPath, value: Any, event: Any) -> None:
        """Note an entry without `:` (its empty value stands right where its key ends, which only a
        `{…}` mapping allows) that follows a plain value: `{description: reads (a, b)}` is read as
        `description: reads (a` and a key `b)` (`Document.split_values`)."""
        if value is None and getattr(event, "value", None) == "" and event.start_mark.index == frame.key_end and frame.plain is not None:
            key, text = frame.plain
            frame.plain = (key, f"{text}, {frame.key}")
            import json  # a YAML double-quoted string is a JSON one

            self.doc.split_values[path] = f"{key}: {json.dumps(frame.plain[1], ensure_ascii=False)}"
        elif isinstance(value, str) and getattr(event, "style", "") in (None, "") and isinstance(frame.key, str):
            frame.plain = (frame.key, value)
        else:
            frame.plain = None

    def _place(self, value: Any, size: int, anchor: str | None, at: tuple[int, int] | None = None) -> None:
        """Put a finished value into its container; `at` is where it stands (an alias), for the E006 it may cause."""
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        if frame.size > MAX_NODES:
            raise _RefusedError(
                Finding(
                    "E006",
                    frame.path,
                    f"the document expands to more than {MAX_NODES} values or {MAX_NODES * _CHARACTERS_PER_VALUE // 1_000_000} MB of text (through aliases?); refusing to read it",
                    at=at or frame.key_at,
                )
            )
        if isinstance(frame.value, list):
            frame.value.append(value)
        elif frame.key is _MERGE:
            frame.merges.append((value, frame.key_at))
            frame.key = _NOTHING
        else:
            if not frame.drop_value:
                frame.value[frame.key] = value
            frame.key, frame.drop_value = _NOTHING, False

    def _record(self, path: SpecPath, event: Any) -> None:
        at = _mark(event)
        if not path:
            self.root_at = at
            return
        frame = self.stack[-1]
        if frame.discarded or frame.drop_value or frame.key is _MERGE:
            return
        if isinstance(frame.value, dict):
            if getattr(event, "value", None) == "" and event.implicit and event.implicit[0]:
                at = frame.key_at  # an empty value stands at its key (parsers place it differently)
            self.doc.positions[path] = Position(*frame.key_at, *at)
        else:
            self.doc.positions[path] = Position(*at, *at)

    def _scalar(self, event: Any) -> Any:
        if not event.value.isascii() and _has_surrogate(event.value):
            message = "this text holds a lone UTF-16 surrogate (an escape such as `\\ud800`), which is not a character"
            raise _RefusedError(Finding("E002", self._path(), message, at=_mark(event)))
        tag = _tag_of(event)
        implicit = tag is None
        if implicit:
            tag = str(self.resolver.resolve(ScalarNode, event.value, event.implicit))
        assert tag is not None
        text: str = event.value
        kind = tag.removeprefix(_CORE) if tag.startswith(_CORE) else None
        if kind == "merge" and self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is _NOTHING:
            return _MERGE
        # Values this format has no use for stay text, as does whatever the resolver makes of plain
        # text (`=` resolves to `!!value`): only a tag the author wrote is refused.
        if kind in {"str", "timestamp", "binary", "merge"} or (implicit and kind not in {"null", "bool", "int", "float"}):
            return text
        if kind == "null":
            return None
        if kind == "bool":
            if text.lower() not in {"true", "false"}:  # `!!bool yes`: YAML 1.2 has no other booleans
                return self._reject(f"`!!bool {text}` is not a boolean; write `true` or `false`", text, event)
            return text.lower() == "true"
        if kind == "int":
            return _to_int(text)
        if kind == "float":
            return _to_float(text)
        return self._reject(_tag_message(tag), text, event)

    def _reject(self, message: str, text: str, event: Any) -> str:
        """Report a tagged value and read on with its text in its place; what the text then causes
        at that path is not reported (`Document.rejected`). A tagged key still stops the reading."""
        frame = self.stack[-1] if self.stack else None
        if frame is None or (isinstance(frame.value, dict) and frame.key is _NOTHING):
            raise _RefusedError(Finding("E005", self._path(), message, at=_mark(event)))
        path = self._path()
        if not (frame.discarded or frame.drop_value):
            self.doc.findings.append(Finding("E005", path, message, at=_mark(event)))
            self.doc.rejected.add(path)
        return text

    def _refuse_tag(self, tag: str, event: Any) -> None:
        raise _RefusedError(Finding("E005", self._path(), _tag_message(tag), at=_mark(event)))


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
    return f"YAML tag `{shown}` is not allowed; a service.yaml holds only plain values, lists and mappings"


_MERGE: Any = object()  # the `<<` merge key


def _has_surrogate(text: str) -> bool:
    """Whether `text` holds a lone UTF-16 surrogate (what UTF-8 cannot encode)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _tag_of(event: Any) -> str | None:
    """An explicit tag, or None where the value's own form decides (plain and `!` tags)."""
    tag = event.tag
    if tag is None:
        return None
    text = str(getattr(tag, "value", tag))
    return None if text == "!" else text


def _mark(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _to_int(text: str) -> int | str:
    cleaned = text.replace("_", "")
    try:
        if cleaned.lstrip("+-").startswith(("0o", "0x", "0b")):
            return int(cleaned, 0)
        return int(cleaned, 10)
    except ValueError:
        if _DIGITS.fullmatch(cleaned):  # past Python's 4300-digit limit: its first 4000 digits, as far past every limit
            sign = "-" if cleaned.startswith("-") else ""
            return int(sign + (cleaned.lstrip("+-").lstrip("0") or "0")[:4000])
        return text


_DIGITS = re.compile(r"[+-]?[0-9]+")


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


def _reader_position(error: Exception, text: str) -> tuple[int, int]:
    """Line and column of a reader error, which knows only its character offset."""
    position = getattr(error, "position", None)
    if not isinstance(position, int):
        return (1, 1)
    before = text[:position]
    return (before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)
