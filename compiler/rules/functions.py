"""Rules on `functions` and `defaults`: keys, names, code, runtime, environment, IAM and logs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler import awsdata
from compiler.diagnostics import Anchor, Finding, SpecPath, closest, did_you_mean
from compiler.resolve import LOG_ACTIONS, LOG_STATEMENT_SID, PARAM_REF, PREFIX, Function
from compiler.rules import Context, rule
from compiler.rules.service import unclosed_reference

if TYPE_CHECKING:
    import ast  # parsed only when a handler is looked for

_KEY = re.compile(r"^[a-z][a-z0-9_-]*\Z")
_NAME = re.compile(awsdata.LAMBDA_NAME_PATTERN)
# The handler forms of the runtimes that name a file and a function in it; a file may sit in a
# directory (`dist/app.handler`), and Python's runtime reads `a/main` as the module `a.main`.
_HANDLER_FORMS = {
    "python": (re.compile(r"^[A-Za-z_]\w*([./][A-Za-z_]\w*)*\.[A-Za-z_]\w*\Z"), "`module.function`, e.g. `main.handler` or `app/api.handler`"),
    "nodejs": (re.compile(r"^[^\s.][^\s]*\.[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*\Z"), "`file.export`, e.g. `index.handler` or `dist/app.handler`"),
    "ruby": (re.compile(r"^[^\s.][^\s]*\.[A-Za-z_][\w:]*(\.[A-Za-z_]\w*)*\Z"), "`file.method`, e.g. `function.handler` or `app.Handler.process`"),
}
# Runtimes whose handler is `module.function`; Java (`pkg.Class::method`), .NET and custom runtimes
# (`bootstrap`) write it their own way.
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\Z")
_LAMBDA_ENV_NAME = re.compile(awsdata.ENV_NAME_PATTERN)  # Lambda's own pattern also wants two characters
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*]+\Z")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}\Z")
_SID = re.compile(r"^[A-Za-z0-9]+\Z")
# IAM's resource ARN form, as cfn-lint checks it (its IAM policy schema's `AwsArn`).
_RESOURCE_ARN = re.compile(r"^(arn:(aws[A-Za-z\-]*?|\*):[^:]+:[^:]*(:(?:\d{12}|\*|aws)?:.+|)|\*)\Z")
# IAM's condition operators, each with an optional `ForAllValues:`/`ForAnyValue:` and `IfExists`.
_CONDITION_OPERATORS = (
    *(f"String{n}{e}" for n in ("", "Not") for e in ("Equals", "EqualsIgnoreCase", "Like")),
    *(f"Numeric{t}" for t in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")),
    *(f"Date{t}" for t in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")),
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    *(f"Arn{t}" for t in ("Equals", "NotEquals", "Like", "NotLike")),
    "Null",
)
_CONDITION_KEY = re.compile(r"^[A-Za-z0-9-]+:\S+\Z")  # `aws:SourceAccount`, `s3:prefix`, `aws:PrincipalTag/team`
_SET_OPERATOR_PREFIXES = ("ForAllValues:", "ForAnyValue:")


def _is_condition_operator(operator: str) -> bool:
    """`StringEquals`, `ForAnyValue:StringLikeIfExists`, `Null`: IAM's operators with their qualifiers."""
    for prefix in _SET_OPERATOR_PREFIXES:
        if operator.startswith(prefix):
            operator = operator[len(prefix) :]
            break
    if operator == "Null":  # the one operator without an `IfExists` form
        return True
    return operator != "NullIfExists" and operator.removesuffix("IfExists") in _CONDITION_OPERATORS


_MAX_DESCRIPTION = 256
_MAX_TIMEOUT_BEHIND_ROUTE = 30


@rule("E201", "E202", name="function-keys")
def function_keys(ctx: Context) -> Iterator[Finding]:
    """Function keys match `[a-z][a-z0-9_-]*` and do not collide once `-` and `_` are equal."""
    seen: dict[str, str] = {}
    for key in ctx.spec.service.functions:
        if not _KEY.match(key):
            yield Finding("E201", ("functions", key), f"function key `{key}` must match `[a-z][a-z0-9_-]*` (lower case, start with a letter)", anchor="key")
        folded = key.replace("-", "_")
        if folded in seen:
            yield Finding(
                "E202", ("functions", key), f"function key `{key}` collides with `{seen[folded]}` (`-` and `_` make the same names); rename one", anchor="key"
            )
        else:
            seen[folded] = key


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
        if fn.description is not None and len(fn.description) > _MAX_DESCRIPTION:
            yield Finding("E205", fn.origin["description"], f"the description has {len(fn.description)} characters; Lambda allows {_MAX_DESCRIPTION}")


@rule("E206", "E207", "E208", "W209", name="function-code")
def function_code(ctx: Context) -> Iterator[Finding]:
    """`source` is an existing directory; `handler` is `module.function` and, for Python, its module exists."""
    problems: dict[tuple[str, str, str], tuple[str, str, str] | None] = {}
    for fn in ctx.spec.functions:
        # At the missing key's own path: it points at the function, and is dropped when the key was
        # there but invalid (salvaged away).
        if not fn.source:
            yield Finding("E206", (*fn.spec_path, "source"), "missing `source`: the directory with the function's code (set it here or in `defaults`)")
        if not fn.handler:
            yield Finding("E207", (*fn.spec_path, "handler"), "missing `handler`, e.g. `main.handler` (set it here or in `defaults`)")
        form = _handler_form_problem(fn.handler, fn.runtime) if fn.handler else None
        if form:
            yield Finding("E207", fn.origin["handler"], form)
        if not fn.source:
            continue
        key = (fn.source, "" if form else fn.handler, fn.runtime)  # the module is looked for once the handler is well formed
        if key not in problems:  # functions that share code through `defaults` are checked once
            problems[key] = _code_problem(ctx, *key)
        problem = problems[key]
        if problem:
            code, field, message = problem
            yield Finding(code, fn.origin[field], message)


def _handler_form_problem(handler: str, runtime: str) -> str | None:
    for family, (pattern, form) in _HANDLER_FORMS.items():
        if runtime.startswith(family) and not pattern.match(handler):
            return f"handler `{handler}` must be {form}"
    if any(c.isspace() for c in handler):
        return f"handler `{handler}` must not contain spaces"
    return None


def _code_problem(ctx: Context, source: str, handler: str, runtime: str) -> tuple[str, str, str] | None:
    """What is wrong with a function's code directory and, for Python, its handler module: (code, field, message), or None."""
    if Path(source).is_absolute():
        return None  # reported by function-source-relative
    directory = ctx.spec_dir / source
    try:
        problem = None if directory.is_dir() else "is a file" if directory.exists() else "does not exist"
    except OSError as error:  # a name too long for the file system, and the like
        problem = f"cannot be read ({error.strerror or error})"
    if problem:
        return "E206", "source", f"source directory `{source}` {problem} (paths are relative to the spec file)"
    if handler and runtime.startswith("python"):
        return _python_handler(source, handler, directory)
    return None


@rule("E210", name="function-source-relative")
def function_source_relative(ctx: Context) -> Iterator[Finding]:
    """`source` is relative to the spec file, so outputs stay free of absolute paths."""
    for fn in ctx.spec.functions:
        if fn.source and Path(fn.source).is_absolute():
            yield Finding("E210", fn.origin["source"], f"source `{fn.source}` is absolute; give it relative to the spec file")


def _python_handler(source: str, handler: str, directory: Path) -> tuple[str, str, str] | None:
    module, _, function = handler.rpartition(".")
    relative = Path(*re.split(r"[./]", module))
    candidates = [directory / relative.with_suffix(".py"), directory / relative / "__init__.py"]
    try:
        found = next((c for c in candidates if c.is_file()), None)
    except OSError:
        return None
    if found is None:
        hint = ""
        if module.endswith(".py") and (directory / module).is_file():  # `main.py.handler`: the file name, not the module
            hint = f"; name the module without `.py`: `{module.removesuffix('.py')}.{function}`"
        return "E208", "handler", f"handler module `{module}` not found: expected `{relative.as_posix()}.py` under `{source}`{hint}"
    problem = _handler_problem(found, function)
    if problem:
        return "W209", "handler", f"`{source}/{found.relative_to(directory).as_posix()}`: {problem}"
    return None


def _handler_problem(module: Path, function: str) -> str | None:
    """Why Lambda could not start `function` of a Python module, as far as reading it tells."""
    import ast

    try:
        tree = ast.parse(module.read_bytes(), filename=module.name)
    except SyntaxError as error:
        return f"Python syntax error at line {error.lineno}: {error.msg}; Lambda cannot import the handler"
    except (OSError, ValueError, RecursionError, MemoryError):  # unreadable, or too deep for the parser
        return None
    for node in _module_level(tree.body):
        if isinstance(node, ast.AsyncFunctionDef) and node.name == function:
            return f"`{function}` is `async def`; Lambda's Python runtime calls it without awaiting the coroutine"
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == function:
            return None
        if isinstance(node, ast.Import | ast.ImportFrom) and any((a.asname or a.name).split(".")[0] == function for a in node.names):
            return None
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(n, ast.Name) and n.id == function for t in targets for n in ast.walk(t)):
            return None
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return None  # a star import may bring it
    defined = [node.name for node in _module_level(tree.body) if isinstance(node, ast.FunctionDef)]
    return f"no top-level `{function}` (a `def`, an assignment or an import){did_you_mean(function, defined)}; Lambda will fail to start the handler"


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements a module runs when it is imported: its own, and those inside its top-level
    `if`, `try`, `with`, `for` and `while` blocks (a handler defined in a `try` is still defined)."""
    import ast

    for node in body:
        yield node
        if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While):
            yield from _module_level([*node.body, *node.orelse])
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _module_level(node.body)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from _module_level([*node.body, *(s for h in node.handlers for s in h.body), *node.orelse, *node.finalbody])


@rule("E211", name="function-runtime")
def function_runtime(ctx: Context) -> Iterator[Finding]:
    """`runtime` is a Lambda runtime that AWS still accepts for new functions."""
    for fn in ctx.spec.functions:
        if fn.runtime not in awsdata.RUNTIMES and fn.runtime not in awsdata.CONTAINER_ONLY_RUNTIMES:
            # Suggest what a new function should use: supported, and not a preview.
            supported = sorted(r for r, known in awsdata.RUNTIMES.items() if not known.preview and awsdata.runtime_problem(r, ctx.today) is None)
            hint = did_you_mean(fn.runtime, supported) or _family_hint(fn.runtime)
            yield Finding("E211", fn.origin["runtime"], f"`{fn.runtime}` is not a Lambda runtime{hint}")
            continue
        problem = awsdata.runtime_problem(fn.runtime, ctx.today)
        if problem:
            yield Finding("E211", fn.origin["runtime"], problem)


def _family_hint(runtime: str) -> str:
    """` (did you mean `python3.14`?)` for a bare language name such as `python` or `node`."""
    family = {"node": "nodejs", "js": "nodejs", "javascript": "nodejs", "py": "python", "python3": "python"}.get(runtime.lower(), runtime.lower())
    latest = awsdata.LATEST_RUNTIME.get(family)
    return f" (did you mean `{latest}`?)" if latest else ""


@rule("E212", "E213", "E214", name="function-environment")
def function_environment(ctx: Context) -> Iterator[Finding]:
    """Environment names are valid and not reserved by Lambda; all of it fits in 4 KB as one JSON object."""
    import json

    for fn in ctx.spec.functions:
        size = len(json.dumps(dict(fn.environment), ensure_ascii=False, separators=(",", ":")).encode()) if fn.environment else 0
        for name, _value in fn.environment:
            where = fn.origin[f"environment.{name}"]
            if name in awsdata.RESERVED_ENV_NAMES or (  # first: `_HANDLER` is reserved, whatever its shape
                name.startswith(awsdata.RESERVED_ENV_PREFIXES) and name not in awsdata.AWS_LAMBDA_PREFIX_SETTABLE
            ):
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


@rule("E215", "E216", name="function-role")
def function_role(ctx: Context) -> Iterator[Finding]:
    """`role` is an IAM role ARN, and is not combined with `permissions`."""
    for fn in ctx.spec.functions:
        if fn.role is None:
            continue
        # A parameter may stand for the whole ARN or any part of it (an account id, a role name).
        if unclosed_reference(fn.role):
            pass  # reported by parameter-references
        elif not PARAM_REF.fullmatch(fn.role) and not _ROLE_ARN.match(PARAM_REF.sub("000000000000", fn.role)):
            yield Finding("E215", fn.origin["role"], f"`{fn.role}` is not an IAM role ARN such as `arn:aws:iam::123456789012:role/name`")
        if fn.permissions and fn.origin["permissions"][0] == "defaults":  # at the place that opts out of the generated role
            yield Finding(
                "E216",
                fn.origin["role"],
                f"function `{fn.key}` uses the existing `role`, so the `permissions` it takes from `defaults` have no generated role to extend; "
                "move those statements to the functions that need them, or add them to this role and remove it from `defaults`",
            )
        elif fn.permissions:
            given = "remove `role` from `defaults`" if fn.origin["role"][0] == "defaults" else "remove `role`"
            yield Finding(
                "E216",
                fn.origin["permissions"],
                f"`permissions` extend the generated role, but function `{fn.key}` uses the existing `role`; "
                f"add the statements to that role, or {given}",
            )


@rule("E217", "E218", "E219", "E223", name="function-permissions")
def function_permissions(ctx: Context) -> Iterator[Finding]:
    """Statements use `service:Action` actions, ARN or `*` resources, IAM condition operators and keys, and unique alphanumeric sids."""
    for fn in ctx.spec.functions:  # statements from `defaults` repeat per function; diagnostics are de-duplicated
        sids: set[str] = {LOG_STATEMENT_SID}  # the generated log statement's
        for statement in fn.permissions:
            where = statement.spec_path
            for index, action in enumerate(statement.actions):
                if not _ACTION.match(action):
                    yield Finding("E217", (*where, "actions", index), f"`{action}` is not an IAM action; write `service:Action`, e.g. `sqs:SendMessage`")
            for index, resource in enumerate(statement.resources):
                # A parameter may stand for an ARN's beginning or for any one of its parts.
                if unclosed_reference(resource):
                    continue  # reported by parameter-references
                if not PARAM_REF.match(resource) and not _RESOURCE_ARN.match(PARAM_REF.sub("aws", resource)):
                    yield Finding(
                        "E218",
                        (*where, "resources", index),
                        f"`{resource}` is not an ARN; write `arn:partition:service:region:account:resource`, `*` or `${{param:name}}`",
                    )
            for condition in statement.conditions:
                if not _CONDITION_KEY.match(condition.key):
                    yield Finding(
                        "E223",
                        (*where, "conditions", condition.operator, condition.key),
                        f"`{condition.key}` is not an IAM condition key; write `service:key`, e.g. `aws:SourceAccount` or `s3:prefix`",
                        anchor="key",
                    )
                if not _is_condition_operator(condition.operator):
                    known = [*_CONDITION_OPERATORS, *(f"{o}IfExists" for o in _CONDITION_OPERATORS if o != "Null")]
                    qualifier, _, operator = condition.operator.rpartition(":")
                    close = closest(operator, known)
                    hint = f" (did you mean `{qualifier + ':' if qualifier else ''}{close}`?)" if close else ""
                    yield Finding(
                        "E223", (*where, "conditions", condition.operator), f"`{condition.operator}` is not an IAM condition operator{hint}", anchor="key"
                    )
            if statement.sid is not None:
                if not _SID.match(statement.sid):
                    yield Finding("E219", (*where, "sid"), f"sid `{statement.sid}` may hold only letters and digits")
                elif statement.sid in sids:
                    taken = "is the generated log statement's" if statement.sid == LOG_STATEMENT_SID else "is used twice in this function's policy"
                    yield Finding("E219", (*where, "sid"), f"sid `{statement.sid}` {taken}; choose another")
                sids.add(statement.sid)


@rule("W222", name="function-timeout-behind-route")
def timeout_behind_route(ctx: Context) -> Iterator[Finding]:
    """A function behind a route times out within 30 s, when the HTTP API stops waiting."""
    routed = {route.function for route in ctx.spec.routes}
    slow: dict[tuple[str | int, ...], list[Function]] = {}
    for fn in ctx.spec.functions:
        if fn.key in routed and fn.timeout > _MAX_TIMEOUT_BEHIND_ROUTE:
            slow.setdefault(fn.origin["timeout"], []).append(fn)
    for where, functions in slow.items():
        who = "" if where[0] == "functions" else f" (functions {', '.join(f'`{f.key}`' for f in functions)})"
        yield Finding(
            "W222",
            where,
            f"timeout {functions[0].timeout} s{who}: the HTTP API answers 503 after {_MAX_TIMEOUT_BEHIND_ROUTE} s, "
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


_PARAM_STAND_IN = "p" * 80  # a parameter's value is known at deploy time only: counted as an ARN-long text
# The longest partition and region, so the estimate does not fall short anywhere.
_LOG_GROUP_ARN = "arn:aws-iso-b:logs:ap-southeast-2:123456789012:log-group:{}:*"


@rule("E225", name="function-policy-size")
def policy_size(ctx: Context) -> Iterator[Finding]:
    """A generated role's policy fits IAM's 10,240 characters and holds only characters IAM allows."""
    import json

    for fn in ctx.spec.functions:
        if fn.role is not None or not fn.permissions:
            continue
        statements: list[dict[str, Any]] = [
            {"Sid": LOG_STATEMENT_SID, "Effect": "Allow", "Action": list(LOG_ACTIONS), "Resource": [_LOG_GROUP_ARN.format(fn.log_group_name)]}
        ]
        for statement in fn.permissions:
            for index, resource in enumerate(statement.resources):
                if not _POLICY_TEXT.match(resource):
                    yield Finding("E225", (*statement.spec_path, "resources", index), f"`{resource}` {_POLICY_TEXT_PROBLEM}")
            for condition in statement.conditions:
                if not _POLICY_TEXT.match(condition.key):
                    yield Finding("E225", (*statement.spec_path, "conditions", condition.operator, condition.key), f"`{condition.key}` {_POLICY_TEXT_PROBLEM}", anchor="key")
                for index, value in enumerate(condition.values):
                    if not _POLICY_TEXT.match(value):
                        where = (*statement.spec_path, "conditions", condition.operator, condition.key)
                        yield Finding("E225", (*where, index) if len(condition.values) > 1 else where, f"`{value}` {_POLICY_TEXT_PROBLEM}")
            statements.append(
                {
                    "Sid": statement.sid or "",
                    "Effect": statement.effect,
                    "Action": list(statement.actions),
                    "Resource": [PARAM_REF.sub(_PARAM_STAND_IN, r) for r in statement.resources],
                    "Condition": [(c.operator, c.key, [PARAM_REF.sub(_PARAM_STAND_IN, v) for v in c.values]) for c in statement.conditions],
                }
            )
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"), ensure_ascii=False)
        size = sum(not c.isspace() for c in text)
        if size > awsdata.IAM_ROLE_POLICY_MAX_CHARACTERS:
            counted = " (a `${param:…}` counted as 80)" if _PARAM_STAND_IN in text else ""
            yield Finding(
                "E225",
                fn.origin["permissions"],
                f"the role policy of function `{fn.key}` would take about {size:,} characters{counted}; "
                f"IAM allows {awsdata.IAM_ROLE_POLICY_MAX_CHARACTERS:,} per role: put several actions or resources in one statement, "
                "use wildcards, or give the function an existing `role`",
            )


# What IAM accepts in a policy document: tab, line breaks and U+0020 to U+00FF.
_POLICY_TEXT = re.compile("[\t\n\r\u0020-\u00ff]*\\Z")
_POLICY_TEXT_PROBLEM = "holds characters IAM refuses in a policy (only Latin-1 letters and signs, U+0020 to U+00FF)"


@rule("W226", name="function-dependencies")
def function_dependencies(ctx: Context) -> Iterator[Finding]:
    """Dependencies a function's code declares are in its `source` (only `sam build` installs them)."""
    checked: dict[tuple[str, str], str | None] = {}
    for fn in ctx.spec.functions:
        family = "python" if fn.runtime.startswith("python") else "nodejs" if fn.runtime.startswith("nodejs") else None
        if family is None or not fn.source or Path(fn.source).is_absolute():
            continue
        key = (fn.source, family)
        if key not in checked:
            checked[key] = _missing_dependency(ctx.spec_dir / fn.source, family)
        missing = checked[key]
        if missing:
            yield Finding(
                "W226",
                fn.origin["source"],
                f"{missing}, which is not in `{fn.source}`: `sam build` installs it, but Terraform and `aws cloudformation package` "
                "zip the directory as it is, so the function would fail to import it; install dependencies into the source "
                "directory (e.g. `pip install -r requirements.txt -t .`) or provide them in a layer",
            )


def _missing_dependency(directory: Path, family: str) -> str | None:
    """`requirements.txt lists `x`` for the first declared dependency not installed in `directory`, or None."""
    try:
        if family == "python":
            requirements = (directory / "requirements.txt").read_text(encoding="utf-8", errors="replace")
            installed = {_distribution(p.name.removesuffix(".dist-info").rsplit("-", 1)[0]) for p in directory.glob("*.dist-info")}
            for line in requirements.splitlines():
                line = line.split(" #")[0].strip()
                if _URL_REQUIREMENT.match(line):
                    continue  # a URL or VCS requirement, whose project name is not on the line
                match = _REQUIREMENT.match(line)
                if match is None:
                    continue
                name = _distribution(match.group(0))
                if name not in installed and name not in _PYTHON_RUNTIME_PACKAGES:
                    return f"`requirements.txt` lists `{match.group(0)}`"
        else:
            import json

            manifest = json.loads((directory / "package.json").read_text(encoding="utf-8", errors="replace"))
            dependencies = manifest.get("dependencies") if isinstance(manifest, dict) else None
            if isinstance(dependencies, dict) and dependencies and not (directory / "node_modules").is_dir():
                return f"`package.json` depends on `{next(iter(dependencies))}`"
    except (OSError, ValueError):  # no such file, or one that is not readable as it should be
        return None
    return None


_REQUIREMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a requirement line's project name; options start with `-`
_URL_REQUIREMENT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")  # `https://…/p.tar.gz`, `git+https://…`
# What Lambda's Python runtimes already hold (AWS doc "Building Lambda functions with Python": the
# runtime includes the AWS SDK for Python), so a function imports them without packaging them.
_PYTHON_RUNTIME_PACKAGES = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"})  # normalised


def _distribution(name: str) -> str:
    """A project name as PEP 503 compares them: `PyYAML`, `pyyaml` and `py_yaml` are one."""
    return re.sub(r"[-_.]+", "-", name).lower()
