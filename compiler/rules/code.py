"""Rules on functions' code: the `source` directory, the handler in it, and a `build` command's output."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from compiler import awsdata
from compiler.diagnostics import Finding, did_you_mean
from compiler.patterns import lazy
from compiler.resolve import Function
from compiler.rules.registry import Context, rule

# The handler forms of the runtimes that name a file and a function in it; a file may sit in a
# directory (`dist/app.handler`), and Python's runtime reads `a/main` as the module `a.main`.
_HANDLER_FORMS = {
    "python": (lazy(r"^[A-Za-z_]\w*([./][A-Za-z_]\w*)*\.[A-Za-z_]\w*\Z"), "`module.function`, e.g. `main.handler` or `app/api.handler`"),
    "nodejs": (lazy(r"^[^\s.][^\s]*\.[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*\Z"), "`file.export`, e.g. `index.handler` or `dist/app.handler`"),
    "ruby": (lazy(r"^[^\s.][^\s]*\.[A-Za-z_][\w:]*(\.[A-Za-z_]\w*)*\Z"), "`file.method`, e.g. `function.handler` or `app.Handler.process`"),
}


@rule("E206", "E207", "E208", "W209", name="function-code")
def function_code(ctx: Context) -> Iterator[Finding]:
    """`source` is an existing directory; `handler` is `module.function` and, for Python, its module exists (unless a wrapper script or an OS-only runtime reads it)."""
    problems: dict[tuple[str, str, str], tuple[str, str, str] | None] = {}
    for fn in ctx.spec.functions:
        # At the missing key's own path: it points at the function, and is dropped when the key was
        # there but invalid (salvaged away).
        if not fn.source:
            yield Finding("E206", (*fn.spec_path, "source"), "missing `source`: the directory with the function's code (set it here or in `defaults`)")
        if not fn.handler:
            yield Finding("E207", (*fn.spec_path, "handler"), "missing `handler`, e.g. `main.handler` (set it here or in `defaults`)")
        wrapped = _started_by_wrapper(fn)
        form = _handler_form_problem(fn.handler, "" if wrapped else fn.config.runtime) if fn.handler else None
        if form:
            yield Finding("E207", fn.origin["handler"], form)
        if not fn.source:
            continue
        # The module is looked for once the handler is well formed, and only when the runtime imports it.
        # A `build` command's output holds the handler, and does not exist before `apispec package`.
        key = (fn.source, "" if form or wrapped or fn.config.build else fn.handler, fn.config.runtime)
        if key not in problems:  # functions that share code through `defaults` are checked once
            problems[key] = _code_problem(ctx, *key)
        problem = problems[key]
        if problem:
            code, field, message = problem
            yield Finding(code, fn.origin[field], message)


def _started_by_wrapper(fn: Function) -> bool:
    """Whether something other than the language runtime reads `handler`: a wrapper script named by
    `AWS_LAMBDA_EXEC_WRAPPER` (the Lambda Web Adapter's `handler: run.sh`), or an OS-only runtime,
    whose `bootstrap` reads it as it likes."""
    return fn.config.runtime.startswith("provided") or any(name == awsdata.EXEC_WRAPPER_ENV_NAME for name, _ in fn.environment)


def _handler_form_problem(handler: str, runtime: str) -> str | None:
    """Why `handler` has not the form the runtime's family reads (`runtime` empty: no family form applies)."""
    for family, (pattern, form) in _HANDLER_FORMS.items():
        if runtime and runtime.startswith(family) and not pattern.match(handler):
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


@rule("E227", name="function-build-output")
def function_build_output(ctx: Context) -> Iterator[Finding]:
    """`build.output` is a directory inside `source`, given relative to it: only what the command built is zipped."""
    for fn in ctx.spec.functions:
        build = fn.config.build
        if build is None:
            continue
        output = PurePosixPath(build.output.replace("\\", "/"))
        parts = [p for p in output.parts if p != "."]
        if output.is_absolute() or re.match(r"^[A-Za-z]:", build.output) or ".." in parts or not parts:
            yield Finding(
                "E227",
                (*fn.origin["build"], "output"),
                f"build output `{build.output}` must be a directory inside `source`, relative to it (e.g. `dist`): it is what `apispec package` zips",
            )


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
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While):
            yield from _module_level([*node.body, *node.orelse])
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _module_level(node.body)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from _module_level([*node.body, *(s for h in node.handlers for s in h.body), *node.orelse, *node.finalbody])
