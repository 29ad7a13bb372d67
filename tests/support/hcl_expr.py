"""Just enough of HCL's template and expression syntax to find references and function calls.

Terraform JSON strings in expression positions are string templates: `${ expr }` interpolations,
`%{ ... }` directives, `$${` / `%%{` escapes. This module scans them, tokenizes the expressions
(nested braces, quoted strings with their own templates, heredocs, comments) and reports each
reference (`var.x`, `aws_x.y[0].arn`, ...) and each function call. Names bound by `for`
expressions and `%{ for }` directives are not references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n")
_PUNCT = ("...", "=>", "==", "!=", "<=", ">=", "&&", "||", "::")


@dataclass(frozen=True, slots=True)
class Step:
    """One traversal step after the root name: `.name` (attr), `[...]` / `.0` (index) or a splat."""

    kind: str  # "attr" | "index" | "splat"
    name: str = ""


@dataclass(frozen=True, slots=True)
class Reference:
    """A reference such as `aws_lambda_function.x[0].arn`: a root name and the steps after it."""

    root: str
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        text = self.root
        for step in self.steps:
            text += f".{step.name}" if step.kind == "attr" else "[*]" if step.kind == "splat" else "[...]"
        return text

    def attr(self, position: int) -> str | None:
        """The name of step `position` if that step is an attribute access, else None."""
        if position < len(self.steps) and self.steps[position].kind == "attr":
            return self.steps[position].name
        return None


@dataclass(slots=True)
class ExprScan:
    """What was found in a template: references, called function names and syntax problems."""

    references: list[Reference] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "ident" | "number" | "string" | "heredoc" | "punct"
    value: str
    newline_before: bool = False


def has_template(text: str) -> bool:
    """Whether `text` contains an unescaped `${` or `%{` sequence."""
    return bool(_template_parts(text, quoted=False, problems=[]))


def is_single_interpolation(text: str) -> bool:
    """Whether `text` is exactly one `${ ... }` and nothing else (its value may be of any type)."""
    return text.startswith("${") and _expr_end(text, 2) == len(text) - 1


def scan_template(text: str, bound: frozenset[str] = frozenset()) -> ExprScan:
    """References and function calls in every interpolation and directive of a template string."""
    scan = ExprScan()
    _scan_template(text, quoted=False, bound=set(bound), scan=scan)
    return scan


def scan_expression(text: str, bound: frozenset[str] = frozenset()) -> ExprScan:
    """References and function calls in a bare expression such as `aws_x.y` (no `${`)."""
    scan = ExprScan()
    _scan_tokens(_tokenize(text, scan.problems), set(bound), scan)
    return scan


def _scan_template(text: str, *, quoted: bool, bound: set[str], scan: ExprScan) -> None:
    parts = _template_parts(text, quoted=quoted, problems=scan.problems)
    bound = set(bound)
    tokenized = [(kind, _tokenize(body, scan.problems)) for kind, body in parts]
    for kind, tokens in tokenized:  # `%{ for x in ... }` binds x for the rest of the template
        if kind == "%" and tokens and tokens[0].value == "for":
            bound.update(_bound_names(tokens, 1))
    for _kind, tokens in tokenized:
        _scan_tokens(tokens, bound, scan)


def _template_parts(text: str, *, quoted: bool, problems: list[str]) -> list[tuple[str, str]]:
    """(`$` or `%`, body) for each interpolation / directive; bodies are stripped of `~` markers."""
    parts: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        if quoted and text[i] == "\\":
            i += 2
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _expr_end(text, i + 2)
            if end < 0:
                problems.append(f"unterminated template sequence {text[i : i + 2]!r}")
                break
            body = text[i + 2 : end].strip()
            body = body.removeprefix("~").removesuffix("~").strip()
            parts.append((text[i], body))
            i = end + 1
        else:
            i += 1
    return parts


def _expr_end(text: str, i: int) -> int:
    """Index of the `}` closing an interpolation whose expression starts at `i`, or -1."""
    depth, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            end = _string_end(text, i + 1)
            if end < 0:
                return -1
            i = end + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return i if c == "}" else -1
            depth -= 1
        i += 1
    return -1


def _string_end(text: str, i: int) -> int:
    """Index of the `"` closing a quoted string whose content starts at `i`, or -1."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _expr_end(text, i + 2)
            if end < 0:
                return -1
            i = end + 1
        else:
            i += 1
    return -1


def _tokenize(text: str, problems: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    i, n, newline = 0, len(text), False
    while i < n:
        c = text[i]
        if c.isspace():
            newline = newline or c == "\n"
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c == '"':
            end = _string_end(text, i + 1)
            if end < 0:
                problems.append("unterminated quoted string in expression")
                break
            tokens.append(_Token("string", text[i + 1 : end], newline))
            i = end + 1
        elif heredoc := _HEREDOC.match(text, i):
            marker = re.compile(rf"^[ \t]*{re.escape(heredoc.group(2))}[ \t]*$", re.MULTILINE)
            close = marker.search(text, heredoc.end())
            if close is None:
                problems.append("unterminated heredoc in expression")
                break
            tokens.append(_Token("heredoc", text[heredoc.end() : close.start()], newline))
            i = close.end()
        elif ident := _IDENT.match(text, i):
            tokens.append(_Token("ident", ident.group(), newline))
            i = ident.end()
        elif number := _NUMBER.match(text, i):
            tokens.append(_Token("number", number.group(), newline))
            i = number.end()
        else:
            punct = next((p for p in _PUNCT if text.startswith(p, i)), c)
            tokens.append(_Token("punct", punct, newline))
            i += len(punct)
        newline = False
    return tokens


def _bound_names(tokens: list[_Token], start: int) -> set[str]:
    """Names between `for` (just before `start`) and `in`."""
    names: set[str] = set()
    for token in tokens[start:]:
        if token.kind == "ident" and token.value == "in":
            break
        if token.kind == "ident":
            names.add(token.value)
    return names


def _matching(tokens: list[_Token], i: int) -> int:
    """Index of the bracket closing the one at `i` (or len(tokens) if unbalanced)."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind != "punct":
            continue
        if tokens[j].value in pairs:
            depth += 1
        elif tokens[j].value in pairs.values():
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def _scan_tokens(tokens: list[_Token], bound: set[str], scan: ExprScan) -> None:
    bound = set(bound)
    for i in range(len(tokens) - 1):  # `[for x in ...` / `{for k, v in ...`
        if tokens[i].value in ("[", "{") and tokens[i].kind == "punct" and tokens[i + 1].value == "for":
            bound.update(_bound_names(tokens, i + 2))
    opened: list[str] = []
    for i, token in enumerate(tokens):
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.kind == "punct":
            if token.value in ("(", "[", "{"):
                opened.append(token.value)
            elif token.value in (")", "]", "}") and opened:
                opened.pop()
            continue
        if token.kind == "string":
            _scan_template(token.value, quoted=True, bound=bound, scan=scan)
            continue
        if token.kind == "heredoc":
            _scan_template(token.value, quoted=False, bound=bound, scan=scan)
            continue
        if token.kind != "ident" or token.value in KEYWORDS or token.value in bound:
            continue
        if prev is not None and prev.kind == "punct" and prev.value in (".", "::"):
            continue  # attribute name, or part of a provider::name::function call
        if nxt is not None and nxt.kind == "punct":
            if nxt.value == "::":
                continue
            if nxt.value == "(":
                scan.functions.append(token.value)
                continue
            if nxt.value == "=" or (
                nxt.value == ":"
                and opened[-1:] == ["{"]
                and (token.newline_before or (prev is not None and prev.value in ("{", ",")))
            ):
                continue  # object constructor key
        scan.references.append(Reference(token.value, _steps(tokens, i + 1)))


def _steps(tokens: list[_Token], j: int) -> tuple[Step, ...]:
    steps: list[Step] = []
    while j < len(tokens):
        token = tokens[j]
        if token.kind != "punct":
            break
        if token.value == "." and j + 1 < len(tokens):
            after = tokens[j + 1]
            if after.kind == "ident":
                steps.append(Step("attr", after.value))
            elif after.kind == "number":
                steps.append(Step("index"))
            elif after.value == "*":
                steps.append(Step("splat"))
            else:
                break
            j += 2
        elif token.value == "[":
            close = _matching(tokens, j)
            inner = tokens[j + 1 : close]
            star = len(inner) == 1 and inner[0].value == "*"
            steps.append(Step("splat" if star else "index"))
            j = close + 1
        else:
            break
    return tuple(steps)
