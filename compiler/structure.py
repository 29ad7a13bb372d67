"""Check loaded data against the `service.yaml` models and build the typed `Service`.

Validation runs the pydantic-core schema generated from `schemas/models.py`; each pydantic error
becomes a finding keyed on its error `type` (never on pydantic's English message), located by
the spec path its `loc` names.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

from pydantic_core import SchemaValidator, ValidationError

from compiler import references
from compiler.diagnostics import Finding, SpecPath, closest, did_you_mean, one_of
from compiler.records import NamedTuple
from schemas import core_schema
from schemas.models import Service

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "`true` or `false`",
    "dict_type": "a mapping",
    "dataclass_type": "a mapping",
    "dataclass_args_type": "a mapping",
    "list_type": "a list",
    "none_required": "nothing",
}


@cache
def _core_schema() -> dict[str, Any]:
    return core_schema()


@cache
def _validator() -> SchemaValidator:
    return SchemaValidator(_core_schema())


def validate(data: dict[str, Any]) -> tuple[Service | None, list[Finding]]:
    """The typed spec, or None and the findings that say why not."""
    try:
        return _validator().validate_python(data), []
    except ValidationError as error:
        return None, _findings(data, error.errors(include_url=False, include_input=True))


_SALVAGE_ROUNDS = 5


class Salvaged(NamedTuple):
    """What `salvage` made of a rejected spec."""

    service: Service | None  # None when what is left cannot make one, e.g. `service` is missing
    data: dict[str, Any]  # the pruned data
    removed: tuple[SpecPath, ...]  # findings about these are artifacts of the pruning
    renamed: tuple[tuple[SpecPath, SpecPath], ...]  # misspelt keys, read as the key they are closest to
    findings: list[Finding]  # problems inside renamed elements (the first validation does not look in)


def salvage(data: dict[str, Any], findings: list[Finding]) -> Salvaged:
    """A typed spec made from `data` without the elements that `findings` reject.

    Lets the semantic rules report the problems of the rest of the file in the same run. An
    unknown key that is a misspelling of an allowed key that is not there (`sources`, `default:`)
    is read as that key, so that what it holds is checked and nothing that needs it is reported
    missing: one mistake, one line.
    """
    pruned_data = copy.deepcopy(data)
    removed: list[SpecPath] = []
    renamed: list[tuple[SpecPath, SpecPath]] = []
    inside: list[Finding] = []
    service = None
    for _ in range(_SALVAGE_ROUNDS):
        for finding in findings:
            path = finding.path
            if finding.code == "E102" and len(path) > 1:  # a required key is missing: drop the element that needs it
                path = path[:-1]
            if not path:
                return Salvaged(None, pruned_data, tuple(removed), tuple(renamed), inside)
            if finding.code == "E101" and (new := _rename(pruned_data, path, data)) is not None:
                renamed.append((path, new))
            elif _stand_in(pruned_data, path, finding.code) or _prune(pruned_data, path):
                removed.append(path)
        service, findings = validate(pruned_data)
        inside += [f for f in findings if any(f.path[: len(new)] == new for _, new in renamed)]
        if service is not None:
            break
    return Salvaged(service, pruned_data, tuple(removed), tuple(renamed), inside)


def _rename(data: Any, path: SpecPath, original: Any) -> SpecPath | None:
    """Give the unknown key at `path` the allowed key it is a misspelling of, when the file does not
    have that key there (also not as an invalid, pruned one), keeping the keys' order; the new path, or None."""
    parent = _parent(data, path)
    if not isinstance(parent, dict) or path[-1] not in parent:
        return None
    written = _parent(original, path)
    taken = set(parent) | (set(written) if isinstance(written, dict) else set())
    meant = _meant(str(path[-1]), [name for name in _field_names(path[:-1]) if name not in taken], required=_field_names(path[:-1], required=True))
    if meant is None:
        return None
    items = list(parent.items())
    parent.clear()
    parent.update((meant if key == path[-1] else key, value) for key, value in items)
    return (*path[:-1], meant)


def _parent(data: Any, path: SpecPath) -> Any:
    """The container that holds the element at `path` (None when the path does not exist)."""
    if not path:
        return None
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    return parent


def _stand_in(data: Any, path: SpecPath, code: str) -> bool:
    """Put a valid stand-in where the rest of the file needs an element: the top-level `service` and
    `functions`, a text in a list where rules report by position, an empty list of texts
    (`actions: []`). Findings at the stand-in's path are dropped like those of a pruned element."""
    parent = _parent(data, path)
    last = path[-1]
    if path == ("service",) and isinstance(parent, dict):
        parent["service"] = _STAND_IN_SERVICE
        return True
    if path == ("functions",) and isinstance(parent, dict):
        parent["functions"] = {_STAND_IN_FUNCTION: {}}  # so the rest of the file is still checked
        return True
    if len(path) == 2 and path[0] == "parameters" and isinstance(parent, dict):
        parent[last] = {}  # still declared, so its `${param:…}` uses are not reported unknown
        return True
    if code == "E106" and isinstance(parent, dict) and parent.get(last) == [] and last in {"actions", "resources"}:
        parent[last] = ["*"]
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent) and len(path) >= 2:
        # Replaced, not removed: the items after it keep their positions, which findings name.
        if path[-2] == "permissions":
            parent[last] = {"actions": ["*"], "resources": ["*"]}
            return True
        if path[-2] in {"actions", "resources"} or "conditions" in path:
            parent[last] = "*"
            return True
    return False


_STAND_IN_SERVICE = "x"  # short: names made from it must not be too long where the real ones are not
_STAND_IN_FUNCTION = "apispec-stand-in"


def _prune(data: Any, path: SpecPath) -> bool:
    """Remove the element at `path`; a function is emptied instead, so routes still find it."""
    parent = _parent(data, path)
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        if path[:1] == ("functions",) and len(path) == 2:
            parent[last] = {}
        else:
            del parent[last]
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        del parent[last]
        return True
    return False


def _findings(data: Any, errors: list[Any]) -> list[Finding]:
    by_path: dict[SpecPath, list[tuple[str, dict[str, Any], Any]]] = defaultdict(list)
    for error in errors:
        path = _spec_path(data, error["loc"], keep_last=error["type"] in {"missing", "missing_argument", "unexpected_keyword_argument"})
        by_path[path].append((error["type"], error.get("ctx") or {}, error.get("input")))
    siblings = {path: _parent(data, path) for path, items in by_path.items() if any(kind == "unexpected_keyword_argument" for kind, _, _ in items)}
    findings: list[Finding] = []
    above = {path[:length] for path in by_path for length in range(len(path))}  # paths with a deeper error
    for path, items in by_path.items():
        deeper = path in above
        type_errors = [item for item in items if item[0] in _EXPECTED]
        others = [item for item in items if item[0] not in _EXPECTED]
        for kind, ctx, value in others:
            findings.append(_finding(path, kind, ctx, value, siblings.get(path) or {}))
        if type_errors and not deeper and not others:
            findings.append(_type_finding(path, type_errors))
    return _without_misspelt_missing(findings)


def _without_misspelt_missing(findings: list[Finding]) -> list[Finding]:
    """A required key written wrong is an unknown key (with its "did you mean") and a missing one:
    report it once, as the unknown key."""
    missing = {f.path: f for f in findings if f.code == "E102" and f.path}
    for finding in findings:
        if finding.code == "E101" and finding.path:
            siblings = [p[-1] for p in missing if p[:-1] == finding.path[:-1]]
            close = _meant(str(finding.path[-1]), [str(s) for s in siblings])
            if close is not None:
                missing.pop((*finding.path[:-1], close), None)
    return [f for f in findings if f.code != "E102" or not f.path or f.path in missing]


def _meant(name: str, known: Sequence[str], present: Collection[Any] = (), required: Sequence[str] | None = None) -> str | None:
    """The allowed key an unknown key stands for: the closest one, or the only one (of the `required`
    ones, when given) there is when it is not `present` (`{fn: api}` in a route)."""
    sole = [key for key in (known if required is None else required) if key in known]
    return closest(name, known) or (sole[0] if len(sole) == 1 and sole[0] not in present else None)


def _route_target_meant(path: SpecPath, value: Any, present: Collection[Any]) -> str | None:
    """What an unknown key of a route object that names neither `function` nor `url` stands for
    (`{fn: api}`): `url` for a URL, else `function`."""
    if len(path) != 3 or path[0] != "routes" or {"function", "url"} & set(present):
        return None
    return "url" if isinstance(value, str) and value.startswith(("https://", "http://")) else "function"


def _spec_path(data: Any, loc: tuple[Any, ...], *, keep_last: bool) -> SpecPath:
    """Follow `loc` through the data, dropping the union-member tags pydantic inserts."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if (isinstance(node, dict) and part in node) or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]
            path.append(part)
        elif last and keep_last:
            path.append(part)
    return tuple(path)


def _finding(path: SpecPath, kind: str, ctx: dict[str, Any], value: Any, siblings: Collection[Any]) -> Finding:
    name = path[-1] if path else ""
    if kind == "unexpected_keyword_argument":
        known = _field_names(path[:-1])
        meant = _meant(str(name), known, siblings, required=_field_names(path[:-1], required=True)) or _route_target_meant(path, value, siblings)
        hint = f" (did you mean `{meant}`?)" if meant else ""
        return Finding("E101", path, f"unknown key `{name}`{hint}; allowed here: {', '.join(known)}", anchor="key")
    if kind in {"missing", "missing_argument"}:
        return Finding("E102", path, f"missing required key `{name}`")
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return Finding("E104", path, f"{_show(value, typed=False)} is not allowed; use {one_of(choices)}{did_you_mean(str(value), choices)}")
    if kind in {"greater_than_equal", "greater_than"}:
        return Finding("E105", path, f"{_show(value)} is too small; the minimum is {_number(ctx.get('ge', ctx.get('gt')))}")
    if kind in {"less_than_equal", "less_than"}:
        return Finding("E105", path, f"{_show(value)} is too large; the maximum is {_number(ctx.get('le', ctx.get('lt')))}")
    if kind == "too_short":
        return Finding("E106", path, "must not be empty; give at least one entry")
    if kind == "too_long":
        return Finding("E106", path, f"has {ctx.get('actual_length')} entries; at most {ctx.get('max_length')} are allowed")
    if kind == "finite_number":
        return Finding("E105", path, f"{_show(value)} is not a finite number")
    return Finding("E103", path, f"{_show(value)} is not valid here ({kind.replace('_', ' ')})")


def _number(limit: Any) -> Any:
    """A limit as people write it: `0`, not `0.0`."""
    return int(limit) if isinstance(limit, float) and limit.is_integer() else limit


def _type_finding(path: SpecPath, items: list[tuple[str, dict[str, Any], Any]]) -> Finding:
    expected: list[str] = []
    for kind, _, _ in items:
        if _EXPECTED[kind] not in expected:
            expected.append(_EXPECTED[kind])
    if "a whole number" in expected and "a number" in expected:
        expected.remove("a whole number")
    value = items[0][2]
    wanted = ", ".join(expected[:-1]) + " or " + expected[-1] if len(expected) > 1 else expected[0]
    if len(path) == 2 and path[0] == "routes":
        wanted = "a function key or `{function: key}`"
    return Finding("E103", path, f"expected {wanted}, got {_show(value)}{_quoting_hint(path, expected, value)}{_shape_hint(path, expected, value)}")


def _shape_hint(path: SpecPath, expected: list[str], value: Any) -> str:
    """Mappings written as something else are mostly a list dash too many or an indentation too few;
    lists written as something else, a missing dash or missing brackets."""
    if expected == ["a list"] and isinstance(value, str):
        if len(value) > _MAX_SHOWN:
            return "; write a list, e.g. `[a, b]`"
        item = value if re.fullmatch(r"[A-Za-z0-9][\w./:-]*", value) else json.dumps(value, ensure_ascii=False)  # `*`, `${…}` need quotes in `[…]`
        return f"; write a list, e.g. `[{item}]`"
    if expected == ["a list"] and isinstance(value, dict):
        return "; start each entry with `- `"
    if "text" in expected and isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if inner is None and str(key).partition(":")[0] in references.KINDS and ":" in str(key):  # `{ssm:/x}`: YAML reads a mapping
            return f"; write `${{{key}}}`, with the `$`"
    if expected != ["a mapping"]:
        return ""
    if len(path) == 2 and path[0] in {"functions", "parameters"} and path[1] in _field_names((path[0], "x")):
        return f"; `{path[1]}` is a setting of one of the {path[0]}: indent it under its key"
    if isinstance(value, list):
        return "; write `key: value` lines, without `- `"
    if value is None:
        return "; give its keys on the lines below, indented further"
    return ""


# The unit of each number with one, for `memory: 256MB` and the like.
_UNITS = {"memory": "MB", "timeout": "seconds", "max_age": "seconds", "retention_days": "days"}
_MAX_SHOWN = 40


def _quoting_hint(path: SpecPath, expected: list[str], value: Any) -> str:
    """Most type mistakes in YAML are quotes too many or too few, a unit after a number, or YAML 1.1's booleans."""
    numeric = {"a whole number", "a number"} & set(expected)
    if numeric and isinstance(value, str) and re.fullmatch(r"[-+]?\d+(\.\d*)?", value.strip()):
        return "; write it without quotes"
    if numeric and isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?\s*[A-Za-z]+", value.strip()):
        unit = _UNITS.get(str(path[-1])) if path else None
        return f"; write the number alone, in {unit}" if unit else "; write the number alone, without a unit"
    if "`true` or `false`" in expected and isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return "; write it without quotes"
    if "`true` or `false`" in expected and isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
        return f"; YAML 1.2 reads `{value}` as text: write `{str(_YAML11_BOOLEANS[value.lower()]).lower()}`"
    if "text" in expected and isinstance(value, bool | int | float):
        return "; put it in quotes to keep it as text"
    return ""


_YAML11_BOOLEANS = {"yes": True, "no": False, "on": True, "off": False, "y": True, "n": False}


def _show(value: Any, *, typed: bool = True) -> str:
    """A value in a message; `typed` marks text as text (`"1"` is not `1`)."""
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f'the text `"{text}"`' if typed and isinstance(value, str) else f"`{text}`"


def _field_names(path: SpecPath, *, required: bool = False) -> tuple[str, ...]:
    """Keys the model allows (or requires) at `path` (a mapping), read from the generated core schema."""
    schema = _core_schema()
    definitions = {d["ref"]: d for d in schema.get("definitions", [])}
    node: Any = schema["schema"]
    for part in path:
        node = _unwrap(node, definitions)
        if node.get("type") == "dataclass":
            fields = {f["name"]: f["schema"] for f in node["schema"]["fields"]}
            node = fields.get(str(part), {})
        elif node.get("type") == "dict":
            node = node["values_schema"]
        elif node.get("type") == "list":
            node = node["items_schema"]
        else:
            return ()
    node = _unwrap(node, definitions)
    if node.get("type") != "dataclass":
        return ()
    return tuple(f["name"] for f in node["schema"]["fields"] if not required or f["schema"].get("type") != "default")


def _unwrap(node: Any, definitions: dict[str, Any]) -> Any:
    while True:
        kind = node.get("type")
        if kind in {"default", "nullable"}:
            node = node["schema"]
        elif kind == "definition-ref":
            node = definitions[node["schema_ref"]]
        elif kind == "union":
            dataclasses = [c for c in node["choices"] if _unwrap(c, definitions).get("type") == "dataclass"]
            node = dataclasses[0] if dataclasses else node["choices"][0]
        else:
            return node
