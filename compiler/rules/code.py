"""Rules on functions' code: the `source` directory, the handler in it, and what it depends on."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

from compiler import awsdata
from compiler.diagnostics import Finding, did_you_mean
from compiler.resolve import Function
from compiler.rules.registry import Context, rule

# The handler forms of the runtimes that name a file and a function in it; a file may sit in a
# directory (`dist/app.handler`), and Python's runtime reads `a/main` as the module `a.main`.
_HANDLER_FORMS = {
    "python": (re.compile(r"^[A-Za-z_]\w*([./][A-Za-z_]\w*)*\.[A-Za-z_]\w*\Z"), "`module.function`, e.g. `main.handler` or `app/api.handler`"),
    "nodejs": (re.compile(r"^[^\s.][^\s]*\.[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*\Z"), "`file.export`, e.g. `index.handler` or `dist/app.handler`"),
    "ruby": (re.compile(r"^[^\s.][^\s]*\.[A-Za-z_][\w:]*(\.[A-Za-z_]\w*)*\Z"), "`file.method`, e.g. `function.handler` or `app.Handler.process`"),
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
        key = (fn.source, "" if form or wrapped else fn.handler, fn.config.runtime)
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


@rule("W226", name="function-dependencies")
def function_dependencies(ctx: Context) -> Iterator[Finding]:
    """Dependencies a function's code declares are in its `source` (only `sam build` installs them)."""
    checked: dict[tuple[str, str], str | None] = {}
    for fn in ctx.spec.functions:
        family = "python" if fn.config.runtime.startswith("python") else "nodejs" if fn.config.runtime.startswith("nodejs") else None
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
                f"directory ({_INSTALL[family]}) or provide them in a layer",
            )


# How to install a family's declared dependencies into the source directory, run in it.
_INSTALL = {"python": "e.g. `pip install -r requirements.txt -t .`", "nodejs": "e.g. `npm install --omit=dev`, which fills `node_modules/`"}


def _missing_dependency(directory: Path, family: str) -> str | None:
    """`requirements.txt lists `x`` for the first declared dependency not installed in `directory`, or None.

    Installed means what the runtime would import: a Python distribution's `*.dist-info` (or
    `*.egg-info`), or its package folder or module copied in as it is (`requests/__init__.py`,
    `six.py`); a Node.js package's folder under `node_modules/`."""
    try:
        if family == "python":
            requirements = (directory / "requirements.txt").read_text(encoding="utf-8", errors="replace")
            metadata = (*directory.glob("*.dist-info"), *directory.glob("*.egg-info"))  # `name-1.0.dist-info`, `name.egg-info`
            installed = {_distribution(p.name.rsplit(".", 1)[0].split("-", 1)[0]) for p in metadata}
            for line in requirements.splitlines():
                line = line.split(" #")[0].strip()
                if _URL_REQUIREMENT.match(line):
                    continue  # a URL or VCS requirement, whose project name is not on the line
                match = _REQUIREMENT.match(line)
                if match is None:
                    continue
                name = _distribution(match.group(0))
                if name not in installed and name not in _PYTHON_RUNTIME_PACKAGES and not _vendored_python(directory, name):
                    return f"`requirements.txt` lists `{match.group(0)}`"
        else:
            manifest = json.loads((directory / "package.json").read_text(encoding="utf-8", errors="replace"))
            dependencies = manifest.get("dependencies") if isinstance(manifest, dict) else None
            if isinstance(dependencies, dict):
                for package in dependencies:
                    if not isinstance(package, str) or not package or not (directory / "node_modules" / package).is_dir():
                        return f"`package.json` depends on `{package}`"
    except (OSError, ValueError):  # no such file, or one that is not readable as it should be
        return None
    return None


def _vendored_python(directory: Path, distribution: str) -> bool:
    """Whether a distribution's code was copied in without its metadata, as a package folder or a
    module named like it (`PyYAML`'s `yaml` is not found this way: then its `*.dist-info` is needed)."""
    module = distribution.replace("-", "_")
    return (directory / module / "__init__.py").is_file() or (directory / f"{module}.py").is_file()


_REQUIREMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # a requirement line's project name; options start with `-`
_URL_REQUIREMENT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")  # `https://…/p.tar.gz`, `git+https://…`
# What Lambda's Python runtimes already hold (AWS doc "Building Lambda functions with Python": the
# runtime includes the AWS SDK for Python), so a function imports them without packaging them.
_PYTHON_RUNTIME_PACKAGES = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"})  # normalised


def _distribution(name: str) -> str:
    """A project name as PEP 503 compares them: `PyYAML`, `pyyaml` and `py_yaml` are one."""
    return re.sub(r"[-_.]+", "-", name).lower()
