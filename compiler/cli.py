"""The `apispec` command line: a thin layer that parses flags, runs the pipeline and prints.

Of the compiler, only this module prints or exits (`serve` is a server: it logs as it runs, and
returns its exit code here). Exit codes are `ExitCode` (`compiler.exitcodes`).
"""

# No `from __future__ import annotations` here: typer reads every option's annotation, and as strings
# each would be evaluated again at every start (measured: 9 ms of `apispec validate`'s 50 over the floor).

import codecs
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from compiler import __version__, targets
from compiler.diagnostics import Diagnostic, did_you_mean, format_json, format_text, has_errors
from compiler.exitcodes import ExitCode
from compiler.pipeline import Checked, check, prefix_clashes, render_all, sources_holding_outputs

if TYPE_CHECKING:
    from compiler.resolve import Resolved

app = typer.Typer(
    name="apispec",
    help="Compile one service.yaml into Terraform JSON, AWS SAM and CloudFormation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


# `--target`'s choices, made from the targets' table.
TargetChoice = StrEnum("TargetChoice", [(name, name) for name in (*targets.NAMES, targets.ALL)])  # type: ignore[misc]


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


SpecArgument = Annotated[list[Path], typer.Argument(help="service.yaml files", show_default=False)]
EnvsOption = Annotated[list[str] | None, typer.Option("--env", help="an environment of the spec; repeatable [default: every one]")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="how diagnostics are printed")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"apispec {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")] = False,
) -> None:
    """Compile one service.yaml into Terraform JSON, AWS SAM and CloudFormation."""


@app.command()
def validate(specs: SpecArgument, env: EnvsOption = None, output_format: FormatOption = OutputFormat.text) -> None:
    """Check specs (every environment, or those of `--env`) and report every problem of every file; write nothing."""
    today = _today()
    specs = _require_files(specs)
    results = [_environments_known(check(path, today=today, envs=env), env) for path in specs]
    diagnostics = [d for result in results for d in result.diagnostics]
    _print(diagnostics, output_format)
    raise typer.Exit(ExitCode.INVALID if has_errors(diagnostics) else ExitCode.OK)


@app.command()
def build(
    specs: SpecArgument,
    out: Annotated[Path, typer.Option("--out", help="output directory")] = Path("out"),
    target: Annotated[
        list[TargetChoice] | None,
        typer.Option("--target", help=f"{', '.join(targets.NAMES)} or {targets.ALL}; repeatable [default: {', '.join(targets.DEFAULT)}]"),
    ] = None,
    check_only: Annotated[bool, typer.Option("--check", help="write nothing; exit 1 when an output file is missing or differs")] = False,
    env: EnvsOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Validate specs, then write their Terraform, SAM and CloudFormation outputs (of every environment, or those of `--env`)."""
    from compiler import writer  # build only: its tempfile import is milliseconds of validate

    today = _today()
    specs = _require_files(specs)
    chosen = _targets(target)
    checked = [_environments_known(check(path, today=today, targets=chosen, envs=env), env) for path in specs]
    results = [deployment for result in checked for deployment in result.deployments]
    diagnostics = [d for result in checked for d in result.diagnostics]
    diagnostics += prefix_clashes(results) + sources_holding_outputs(results, out)
    if has_errors(diagnostics) or not all(r.graph is not None for r in results):
        _print(diagnostics, output_format)
        raise typer.Exit(ExitCode.INVALID)
    files, directories = render_all(results, out, chosen)
    if check_only:
        stale = writer.differences(files, directories)
        rebuild = " ".join(["apispec build", *map(str, specs), "--out", str(out), *(f"--target {t}" for t in chosen), *(f"--env {e}" for e in env or ())])
        if output_format is OutputFormat.json:  # one JSON array: the spec's warnings, then the stale outputs
            _print([*diagnostics, *(d.diagnostic(rebuild) for d in stale)], output_format)
        else:
            _print(diagnostics, output_format)
            for difference in stale:
                typer.echo(f"{difference.path}: {difference.message(rebuild)}", err=True)
        raise typer.Exit(ExitCode.INVALID if stale else ExitCode.OK)
    _print(diagnostics, output_format)
    blocked = writer.foreign(files)
    if blocked:
        shown = ", ".join(str(p) for p in blocked)
        _usage(f"{shown}: {writer.NOT_GENERATED}; move it away or build into another --out")
    from compiler.replacements import notes  # build only: reading the previous outputs

    for line in notes(files, directories):  # read before the previous build is replaced
        typer.echo(line, err=True)
    try:
        writer.write(files, directories)
    except OSError as error:
        _usage(f"cannot write the outputs under {out}: {error.strerror or error}")
    for directory, _ in directories:
        typer.echo(f"wrote {directory}", err=True)
    raise typer.Exit(ExitCode.OK)


@app.command()
def package(
    specs: SpecArgument,
    out: Annotated[Path, typer.Option("--out", help="output directory (the zips go to <out>/<prefix>/packages/)")] = Path("out"),
    env: EnvsOption = None,
) -> None:
    """Install each function's dependencies for its runtime and architecture, and write its reproducible zip."""
    from compiler.package.packager import package as package_spec  # package only: pip, npm and zip handling
    from compiler.package.process import PackageError  # package only, likewise

    today = _today()
    specs = _require_files(specs)
    checked = [_environments_known(check(path, today=today, envs=env), env) for path in specs]
    results = [deployment for result in checked for deployment in result.deployments]  # each environment's own zips
    diagnostics = [d for result in checked for d in result.diagnostics]
    diagnostics += prefix_clashes(results) + sources_holding_outputs(results, out)
    _print(diagnostics, OutputFormat.text)
    if has_errors(diagnostics) or not all(r.graph is not None for r in results):
        raise typer.Exit(ExitCode.INVALID)
    status = _StatusLine(sys.stderr)
    failed = False
    for result in results:
        assert result.graph is not None
        try:
            outcomes = package_spec(result.graph, result.path.parent, out, status.show if status.live else None)
        except PackageError as error:
            status.clear()
            typer.echo(f"apispec: error: {result.display}: {error}\nno zip of {result.display} was written", err=True)
            failed = True
            continue
        except OSError as error:
            status.clear()
            _usage(f"cannot write the packages under {out}: {error.strerror or error}")
        status.clear()
        for outcome in outcomes:
            if outcome.zip is None:
                typer.echo(f"{outcome.key}: no dependencies or build command; the outputs zip its source as it is")
            elif outcome.built:
                typer.echo(f"{outcome.key}: built {outcome.zip} ({outcome.kind})")
            else:
                typer.echo(f"{outcome.key}: unchanged {outcome.zip} (inputs as cached)")
    raise typer.Exit(ExitCode.INVALID if failed else ExitCode.OK)


class _StatusLine:
    """The one line of progress `package` shows while dependencies install, on a terminal only."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.shown = False

    def show(self, key: str, line: str) -> None:
        if not line.strip():
            return
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns - 1
        except (OSError, ValueError, io.UnsupportedOperation):  # not a real terminal: a fixed width
            width = 79
        self.stream.write(f"\r\x1b[K{key}: {line.strip()}"[: width + 4])
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


@app.command()
def schema(out: Annotated[Path | None, typer.Option("--out", help="write the schema to this file")] = None) -> None:
    """Print (or write) the JSON Schema of service.yaml, for editors."""
    from importlib.resources import files  # schema only

    text = files("schemas").joinpath("service.schema.json").read_text(encoding="utf-8")
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        _usage(f"cannot write {out}: {error.strerror or error}")


@app.command()
def serve(
    spec: Annotated[Path, typer.Argument(help="service.yaml file", show_default=False)],
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="port to listen on")] = 3000,
    param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE for a spec parameter; repeatable")] = None,
    jwks: Annotated[Path | None, typer.Option("--jwks", help="JWKS file whose keys check JWT authorizers' token signatures")] = None,
    env: Annotated[str | None, typer.Option("--env", help="the environment to serve [default: the spec's first]")] = None,
) -> None:
    """Run the spec's HTTP API locally, as API Gateway and Lambda would, without Docker."""
    today = _today()
    _require_files([spec])
    values = _param_values(param)
    resolved = _one_deployment(check(spec, today=today, envs=None if env is None else [env]), env, "serving")
    from compiler.serve import serve as run_server  # serve only: the HTTP server and workers

    raise typer.Exit(run_server(resolved, spec.parent, host=host, port=port, params=values, jwks=jwks))


def _param_values(param: list[str] | None) -> dict[str, str]:
    """`--param NAME=VALUE` options as a map, or a usage error."""
    values: dict[str, str] = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            _usage(f"--param {item!r}: write NAME=VALUE")
        values[name] = value
    return values


@app.command()
def invoke(
    spec: Annotated[Path, typer.Argument(help="service.yaml file", show_default=False)],
    function: Annotated[str, typer.Argument(help="the function's key in `functions`", show_default=False)],
    event: Annotated[
        str | None, typer.Option("--event", help="a JSON file, `-` for standard input, or a sample: schedule, sqs, stream, http")
    ] = None,
    env: Annotated[str | None, typer.Option("--env", help="the environment to run [default: the spec's first]")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help="NAME=VALUE for a spec parameter; repeatable")] = None,
) -> None:
    """Run one function once, locally, as Lambda would: the result on stdout, its log on stderr."""
    today = _today()
    _require_files([spec])
    values = _param_values(param)
    resolved = _one_deployment(check(spec, today=today, envs=None if env is None else [env]), env, "invoking")
    keys = [fn.key for fn in resolved.functions]
    if function not in keys:
        _usage(f"{spec} has no function `{function}`{did_you_mean(function, keys)}; its functions: {', '.join(keys)}")
    from compiler.serve import invoke as run  # invoke only: the workers and sample events

    payload = _event(event, run.SAMPLE_KINDS, lambda kind: run.sample(kind, resolved, function))
    result = run.invoke(resolved, spec.parent, function, payload, values, log=_to_stderr, notice=_to_stderr)
    sys.stdout.write(result.payload + "\n")
    raise typer.Exit(ExitCode.INVALID if result.failed else ExitCode.OK)  # 1: the function raised or timed out


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


def _event(given: str | None, kinds: tuple[str, ...], sample: Callable[[str], object]) -> object:
    """The event `--event` names: `{}` without it, a sample by its name, else JSON from a file or `-` (stdin)."""
    if given is None:
        return {}
    if given in kinds:
        return sample(given)
    try:
        text = sys.stdin.read() if given == "-" else Path(given).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        _usage(f"--event {given}: {reason} (give a JSON file, `-` for standard input, or one of {', '.join(kinds)})")
    try:
        return json.loads(text)
    except ValueError as error:
        _usage(f"--event {given}: not JSON: {error}")


class RoutesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command()
def routes(
    spec: Annotated[Path, typer.Argument(help="service.yaml file", show_default=False)],
    env: Annotated[str | None, typer.Option("--env", help="the environment to show")] = None,
    output_format: Annotated[RoutesFormat, typer.Option("--format", help="text, json or markdown")] = RoutesFormat.text,
) -> None:
    """List the API's routes in the order API Gateway matches them, with their targets and settings."""
    _require_files([spec])
    resolved = _one_deployment(check(spec, envs=None if env is None else [env]), env, "showing")
    from compiler import routelist  # routes only: it reads serve's routing order

    render = {RoutesFormat.text: routelist.render_text, RoutesFormat.json: routelist.render_json, RoutesFormat.markdown: routelist.render_markdown}
    sys.stdout.write(render[output_format](resolved))


def _environments_known(checked: Checked, envs: list[str] | None) -> Checked:
    """`checked`, when every `--env` names an environment of its spec; else a usage error naming those it has."""
    for name in envs or ():
        if name not in checked.declared:
            if not checked.declared:
                _usage(f"--env {name}: {checked.display} has no environments")
            _usage(f"--env {name}: {checked.display} has no environment `{name}`; its environments are {', '.join(checked.declared)}")
    return checked


def _one_deployment(checked: Checked, env: str | None, doing: str) -> "Resolved":
    """The resolved spec of the environment `--env` names (the first one without it, said on stderr),
    or of the spec itself when it has no environments; exits when it is not valid."""
    _environments_known(checked, None if env is None else [env])
    _print(checked.diagnostics, OutputFormat.text)
    if not checked.ok:
        raise typer.Exit(ExitCode.INVALID)
    if checked.declared and env is None:
        env = checked.declared[0]
        typer.echo(f"apispec: {doing} environment `{env}` (the first of {', '.join(checked.declared)}); choose another with --env", err=True)
    deployment = checked.environments.get(env) if env is not None else checked
    if deployment is None or deployment.resolved is None:
        raise typer.Exit(ExitCode.INVALID)
    return deployment.resolved


def _targets(chosen: list[TargetChoice] | None) -> tuple[str, ...]:
    """The targets `--target` names, in the table's order; the default ones without it."""
    names = {choice.value for choice in chosen or ()}
    if not names:
        return targets.DEFAULT
    if targets.ALL in names:
        return targets.NAMES
    return tuple(t for t in targets.NAMES if t in names)


TODAY_VARIABLE = "APISPEC_TODAY"


def _today() -> dt.date | None:
    """The date the runtime checks take as today: `$APISPEC_TODAY` (YYYY-MM-DD) when set, so that
    tests and reproducible CI runs do not change verdict as the calendar moves; else None (the clock)."""
    value = os.environ.get(TODAY_VARIABLE, "")
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    _usage(f"{TODAY_VARIABLE}={value!r}: give a date as YYYY-MM-DD, e.g. {TODAY_VARIABLE}=2026-11-25, or unset it")


def _require_files(specs: list[Path]) -> list[Path]:
    """The specs, each once (pre-commit may pass a file that `args` names too), or a usage error."""
    unique: dict[Path, Path] = {}
    for path in specs:
        try:
            if not path.exists():
                _usage(f"{path}: no such file")
            if path.is_dir():
                _usage(f"{path}: is a directory; give the path of a service.yaml file")
            if not path.is_file():  # a FIFO or device would block the read, or never end
                _usage(f"{path}: is not a regular file; give the path of a service.yaml file")
            unique.setdefault(path.resolve(), path)
        except OSError as error:
            _usage(f"{path}: {error.strerror or error}")
    return list(unique.values())


def _usage(message: str) -> NoReturn:
    typer.echo(f"apispec: error: {message}", err=True)
    raise typer.Exit(ExitCode.USAGE)


def _print(diagnostics: list[Diagnostic], output_format: OutputFormat) -> None:
    if output_format is OutputFormat.json:
        sys.stdout.write(format_json(diagnostics, ascii_only=not _holds_unicode(sys.stdout)))
    elif diagnostics:
        sys.stderr.write(format_text(diagnostics))


def _holds_unicode(stream: TextIO) -> bool:
    try:
        return codecs.lookup(stream.encoding or "ascii").name.startswith("utf")
    except (LookupError, AttributeError):
        return False


def main() -> None:
    """Console entry point."""
    for stream in (sys.stdout, sys.stderr):  # a spec's text must not fail on a terminal that is not UTF-8
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    # typer inspects the signature of every command it is given before it runs one: a run that names
    # its command gets only that one (`apispec --help` and a mistyped command still see them all).
    # (A name typer spells otherwise, `foo_bar` as `foo-bar`, only misses the shortcut.)
    command = sys.argv[1] if len(sys.argv) > 1 else None
    every = app.registered_commands
    named = [c for c in every if c.callback is not None and (c.name or c.callback.__name__) == command]
    try:
        app.registered_commands = named or every
        app()
    finally:
        app.registered_commands = every  # `app` stays whole for whoever uses it next in this process
