"""Diagnostics are data: findings carry a spec path, the loader's position index turns them into
`file:line:column`, and only the CLI prints them."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Literal

from compiler.records import NamedTuple

PathPart = str | int
SpecPath = tuple[PathPart, ...]
Anchor = Literal["key", "value"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Finding(NamedTuple):
    """What a rule reports: a code, the spec element it is about, and what to do.

    `anchor` says where in the YAML it points: the element's key (unknown, duplicate or missing
    keys, where the finding is about the entry as a whole) or its value (bad values). `at` is an
    explicit line and column, for problems found before the document has paths (syntax errors).
    """

    code: str
    path: SpecPath
    message: str
    anchor: Anchor = "value"
    at: tuple[int, int] | None = None

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.code.startswith("W") else Severity.ERROR


class Diagnostic(NamedTuple):
    """A located finding, ready to print."""

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    path: str
    message: str
    env: str | None = None  # the environment whose overlay causes it (None: the spec's own problem)

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Position first; the rest only decides between findings at one place, so that the order never depends on hashing."""
        return (self.file, self.line, self.column, self.code, self.message, self.path)


def format_path(path: SpecPath) -> str:
    """`functions.orders.permissions[0].actions`; keys that are not plain words are quoted."""

    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part and all(c.isalnum() or c in "_-$" for c in part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part if len(part) < 100 else part[:57] + '...', ensure_ascii=False)}]"
    return out or "(document)"


def did_you_mean(word: str, choices: Iterable[str], *, quote: str = "`") -> str:
    """` (did you mean `x`?)` for the closest choice, or an empty string."""
    match = closest(word, choices)
    return f" (did you mean {quote}{match}{quote}?)" if match else ""


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` is most likely a typo of (or differs from only in case), or None."""

    if len(word) > _MAX_SUGGESTED:
        return None  # nothing this long is a typo of a name
    choices = list(choices)
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    # An abbreviation (`env`, `arch`) of one choice only.
    starting = [c for c in choices if len(word) >= _MIN_ABBREVIATION and c.lower().startswith(word.lower())]
    return starting[0] if len(starting) == 1 else None


_MAX_SUGGESTED = 200
_MIN_ABBREVIATION = 3
_MAX_QUOTED = 100


def shorten(text: str) -> str:
    """`text` with each long `quoted` value cut to its start, so that a message stays readable.
    Only the quoted spans (every other piece between backticks) are cut, never the words around them."""
    if len(text) < _MAX_QUOTED:
        return text
    pieces = text.split("`")
    for index in range(1, len(pieces) - 1, 2):
        if len(pieces[index]) > _MAX_QUOTED:
            pieces[index] = pieces[index][:57] + "..."
    return "`".join(pieces)


def one_of(choices: Sequence[str]) -> str:
    """`a`, `b` or `c`."""
    quoted = [f"`{c}`" for c in choices]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def has_errors(diagnostics: Iterable[Diagnostic | Finding]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by position, without repeats."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    """One line per diagnostic: `file:line:col: error CODE: path: message`, `error CODE [env]: …` for an environment's."""
    return "".join(
        f"{d.file}:{d.line}:{d.column}: {d.severity} {d.code}{_env_tag(d)}: {one_line(d.path)}: {one_line(d.message)}\n" for d in diagnostics
    )


def _env_tag(diagnostic: Diagnostic) -> str:
    return "" if diagnostic.env is None else f" [{diagnostic.env}]"


def one_line(text: str) -> str:
    """`text` with line breaks and other unprintable characters escaped, so a problem stays one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def format_json(diagnostics: Iterable[Diagnostic], *, ascii_only: bool = False) -> str:
    """A JSON array of objects with file, line, column, severity, code, path and message (and `env` for an environment's);
    `ascii_only` escapes other characters (`\\u00e9`), for a stream that cannot hold them."""

    rows: list[dict[str, str | int]] = []
    for d in diagnostics:
        row: dict[str, str | int] = {"file": d.file, "line": d.line, "column": d.column, "severity": str(d.severity), "code": d.code, "path": d.path, "message": d.message}
        if d.env is not None:
            row["env"] = d.env
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=ascii_only) + "\n"


# Codes reported by the loader, the structure check and the naming step (the rules in
# `compiler.rules` register their own).
PIPELINE_CODES: dict[str, str] = {
    "E001": "the spec file cannot be read, or is too large (a missing file or a directory is a usage error, exit 2)",
    "E002": "the file is not UTF-8 text",
    "E003": "YAML syntax error",
    "E004": "duplicate key, or a key that is not a plain name",
    "E005": "a YAML tag other than the core ones (`!!python/...` is refused, never run)",
    "E006": "the document expands to too many values (alias bomb)",
    "E007": "the document is nested too deeply",
    "E008": "the document is empty, or not a mapping",
    "E101": "unknown key (with the closest allowed key)",
    "E102": "missing required key",
    "E103": "a value of the wrong type",
    "E104": "a value that is not one of the allowed ones",
    "E105": "a number out of range",
    "E106": "an empty list where entries are required",
    "E702": "two specs of one build have the same prefix (and output directory)",
    "E703": "`build` only: a function's source directory holds the build's output directory",
    "E801": "`build --check --format json`: an output file is missing, differs or is stale",
}
