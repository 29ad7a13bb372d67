"""Rules on `functions` and `defaults`: keys, names, description, runtime, environment, timeout."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from compiler import awsdata
from compiler.diagnostics import Anchor, Finding, SpecPath, did_you_mean
from compiler.patterns import lazy
from compiler.resolve import PREFIX, Function
from compiler.rules.registry import Context, rule

_KEY = lazy(r"^[a-z][a-z0-9_-]*\Z")
_NAME = lazy(awsdata.LAMBDA_NAME_PATTERN)
_ENV_NAME = lazy(r"^[A-Za-z][A-Za-z0-9_]*\Z")
_LAMBDA_ENV_NAME = lazy(awsdata.ENV_NAME_PATTERN)  # Lambda's own pattern also wants two characters
_MAX_DESCRIPTION = 256
_MAX_TIMEOUT_BEHIND_ROUTE = 30


@rule("E201", "E202", name="function-keys")
def function_keys(ctx: Context) -> Iterator[Finding]:
    """Function keys match `[a-z][a-z0-9_-]*` and do not collide once `-` and `_` are equal."""
    seen: dict[str, str] = {}
    keys = ctx.spec.service.functions
    for key in keys:
        if not _KEY.match(key):
            suggested = _kebab_case(key)
            taken = suggested is None or any(k != key and k.replace("-", "_") == suggested.replace("-", "_") for k in keys)
            hint = "" if taken else f"; use `{suggested}`"
            yield Finding("E201", ("functions", key), f"function key `{key}` must match `[a-z][a-z0-9_-]*` (lower case, start with a letter){hint}", anchor="key")
        folded = key.replace("-", "_")
        if folded in seen:
            yield Finding(
                "E202", ("functions", key), f"function key `{key}` collides with `{seen[folded]}` (`-` and `_` make the same names); rename one", anchor="key"
            )
        else:
            seen[folded] = key


def _kebab_case(key: str) -> str | None:
    """The key in the format's own style (`createUser` → `create-user`, `HTTPProxy` → `http-proxy`,
    `Orders API` → `orders-api`), or None when that does not start with a letter either."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", key)
    kebab = re.sub(r"[^a-z0-9_-]+", "-", words.lower()).strip("-")
    return kebab if _KEY.match(kebab) else None


@rule("E203", "E204", name="function-names")
def function_names(ctx: Context) -> Iterator[Finding]:
    """Function names fit Lambda (64 characters of `A-Za-z0-9-_`), their role names fit IAM, and are unique."""
    seen: dict[str, Function] = {}
    roles: dict[str, Function] = {}
    prefix_ok = PREFIX.match(ctx.spec.prefix) is not None
    for fn in ctx.spec.functions:
        named = fn.origin["name"][-1] == "name"
        where = fn.origin["name"] if named else fn.spec_path
        source = "" if named else " (made from the service prefix and the key; set `name` to choose one)"
        if not named and (not prefix_ok or not _KEY.match(fn.key)):
            continue  # the prefix is reported once, at `service`; an invalid key, by function-keys
        anchor: Anchor = "value" if named else "key"
        if not _NAME.match(fn.name):
            yield Finding("E203", where, f"function name `{fn.name}` may hold only letters, digits, `-` and `_`{source}", anchor=anchor)
        elif len(fn.name) > awsdata.LAMBDA_NAME_MAX:
            yield Finding(
                "E203", where, f"function name `{fn.name}` has {len(fn.name)} characters; Lambda allows {awsdata.LAMBDA_NAME_MAX}{source}", anchor=anchor
            )
        elif fn.role is None and len(fn.role_name) > awsdata.IAM_ROLE_NAME_MAX:
            yield Finding(
                "E203",
                where,
                f"the generated role name `{fn.role_name}` has {len(fn.role_name)} characters; IAM allows {awsdata.IAM_ROLE_NAME_MAX}, "
                f"so keep the function name within {awsdata.IAM_ROLE_NAME_MAX - len('-role')}{source}",
                anchor=anchor,
            )
        first = seen.setdefault(fn.name, fn)
        if first is not fn and first.key.replace("-", "_") != fn.key.replace("-", "_"):  # else E202 says it
            yield Finding("E204", where, f"function name `{fn.name}` is already used by function `{first.key}`{source}; set a different `name`", anchor=anchor)
        elif fn.role is None:  # IAM role names are unique regardless of case
            other = roles.setdefault(fn.role_name.lower(), fn)
            if other is not fn and other.name != fn.name:
                yield Finding(
                    "E204",
                    where,
                    f"the generated role `{fn.role_name}` and function `{other.key}`'s `{other.role_name}` differ only in case, "
                    "and IAM role names ignore case; set a different `name`",
                    anchor=anchor,
                )


@rule("E205", name="function-description")
def function_description(ctx: Context) -> Iterator[Finding]:
    """Descriptions fit Lambda's 256 characters."""
    for fn in ctx.spec.functions:
        if fn.config.description is not None and len(fn.config.description) > _MAX_DESCRIPTION:
            yield Finding("E205", fn.origin["description"], f"the description has {len(fn.config.description)} characters; Lambda allows {_MAX_DESCRIPTION}")


@rule("E211", "W211", name="function-runtime")
def function_runtime(ctx: Context) -> Iterator[Finding]:
    """`runtime` is a Lambda runtime that AWS accepts for new functions; a deprecated one is a warning until AWS blocks it."""
    for fn in ctx.spec.functions:
        if fn.config.runtime not in awsdata.RUNTIMES and fn.config.runtime not in awsdata.CONTAINER_ONLY_RUNTIMES:
            # Suggest what a new function should use: supported, and not a preview.
            supported = sorted(r for r, known in awsdata.RUNTIMES.items() if not known.preview and awsdata.runtime_problem(r, ctx.today) is None)
            hint = did_you_mean(fn.config.runtime, supported) or _family_hint(fn.config.runtime)
            yield Finding("E211", fn.origin["runtime"], f"`{fn.config.runtime}` is not a Lambda runtime{hint}")
            continue
        problem = awsdata.runtime_problem(fn.config.runtime, ctx.today)
        if problem:
            yield Finding("E211" if problem.blocked else "W211", fn.origin["runtime"], problem.message)


def _family_hint(runtime: str) -> str:
    """` (did you mean `python3.14`?)` for a bare language name such as `python` or `node`."""
    family = {"node": "nodejs", "js": "nodejs", "javascript": "nodejs", "py": "python", "python3": "python"}.get(runtime.lower(), runtime.lower())
    latest = awsdata.LATEST_RUNTIME.get(family)
    return f" (did you mean `{latest}`?)" if latest else ""


@rule("E212", "E213", "E214", name="function-environment")
def function_environment(ctx: Context) -> Iterator[Finding]:
    """Environment names are valid and not reserved by Lambda; all of it fits in 4 KB as one JSON object."""
    for fn in ctx.spec.functions:
        size = len(json.dumps(dict(fn.environment), ensure_ascii=False, separators=(",", ":")).encode()) if fn.environment else 0
        for name, _value in fn.environment:
            where = fn.origin[f"environment.{name}"]
            if name in awsdata.RESERVED_ENV_NAMES:  # first: `_HANDLER` is reserved, whatever its shape
                yield Finding("E213", where, f"`{name}` is reserved by Lambda and cannot be set; choose another name", anchor="key")
            elif not _ENV_NAME.match(name):
                yield Finding("E212", where, f"environment variable name `{name}` must match `[A-Za-z][A-Za-z0-9_]*`", anchor="key")
            elif not _LAMBDA_ENV_NAME.match(name):
                yield Finding("E212", where, f"Lambda refuses the one-letter environment variable name `{name}`; use two characters or more", anchor="key")
        if size > awsdata.LAMBDA_ENV_MAX_BYTES:
            yield Finding(
                "E214",
                (*fn.spec_path, "environment"),
                f"the environment takes {size} bytes as Lambda measures it (the variables as one JSON object, names and quotes included); "
                f"Lambda allows {awsdata.LAMBDA_ENV_MAX_BYTES} (move large values to SSM or Secrets Manager)",
                anchor="key",
            )


@rule("W222", name="function-timeout-behind-route")
def timeout_behind_route(ctx: Context) -> Iterator[Finding]:
    """A function behind a route times out within 30 s, when the HTTP API stops waiting."""
    routed = {route.function for route in ctx.spec.routes}
    slow: dict[tuple[str | int, ...], list[Function]] = {}
    for fn in ctx.spec.functions:
        if fn.key in routed and fn.config.timeout > _MAX_TIMEOUT_BEHIND_ROUTE:
            slow.setdefault(fn.origin["timeout"], []).append(fn)
    for where, functions in slow.items():
        who = "" if where[0] == "functions" else f" (functions {', '.join(f'`{f.key}`' for f in functions)})"
        yield Finding(
            "W222",
            where,
            f"timeout {functions[0].config.timeout} s{who}: the HTTP API answers 503 after {_MAX_TIMEOUT_BEHIND_ROUTE} s, "
            f"so callers never see a longer run; use {_MAX_TIMEOUT_BEHIND_ROUTE} or less",
        )


@rule("W224", name="defaults-used")
def defaults_used(ctx: Context) -> Iterator[Finding]:
    """Every setting in `defaults` reaches a function (one that every function overrides is never checked or deployed)."""
    defaults = ctx.raw.get("defaults")
    if not isinstance(defaults, dict) or not ctx.spec.functions:
        return
    settings: list[tuple[str, SpecPath]] = []
    for name, value in defaults.items():
        if name in {"environment", "logging"} and isinstance(value, dict):
            settings += [(f"{name}.{item}", ("defaults", name, item)) for item in value]
        elif name not in {"tags", "permissions", "environment", "logging"}:
            settings.append((name, ("defaults", name)))
    for origin_key, where in settings:
        if not any(fn.origin.get(origin_key) == where for fn in ctx.spec.functions):
            shown = ".".join(str(p) for p in where[1:])
            yield Finding(
                "W224",
                where,
                f"every function sets its own `{shown}`, so this default is never used (nor checked); remove it, or the functions' own values",
                anchor="key",
            )
