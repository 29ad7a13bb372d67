"""The one-way pipeline: load → structure → resolve → rules → lower → render.

`check` runs everything up to the graph and returns located diagnostics; `render` turns a
checked spec into output bytes. Neither prints nor exits: the CLI does.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler import environments, rules, structure
from compiler.diagnostics import Diagnostic, Finding, Severity, SpecPath, format_path, has_errors, shorten, sort_unique
from compiler.loader import Document, load
from compiler.lower import lower
from compiler.package import manifest
from compiler.resolve import prefix_of, resolve

if TYPE_CHECKING:
    from compiler import ir
    from compiler.resolve import Resolved


@dataclass(slots=True)
class Checked:
    """One spec after checking: its diagnostics and, when it is valid, its resolved form and graph.

    A spec with `environments` holds one `Checked` per environment checked (`environments`); those
    are what is built and served, and their diagnostics are also in the spec's own."""

    display: str
    document: Document
    diagnostics: list[Diagnostic] = field(default_factory=list)
    resolved: Resolved | None = None
    graph: ir.Graph | None = None
    env: str | None = None  # the environment this result is for
    declared: tuple[str, ...] = ()  # the environments the spec declares, in file order
    environments: dict[str, Checked] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.document.path

    @property
    def ok(self) -> bool:
        return self.resolved is not None and not has_errors(self.diagnostics)

    @property
    def deployments(self) -> list[Checked]:
        """What is built: each environment checked, or the spec itself when it has none."""
        return list(self.environments.values()) if self.declared else [self]


def check(
    path: Path,
    *,
    display: str | None = None,
    today: dt.date | None = None,
    targets: tuple[str, ...] = (),
    envs: Collection[str] | None = None,
) -> Checked:
    """Load and check one spec file; a valid spec's result holds its resource graph. `targets` are those
    being built, for the rules about one target (none: `validate`); `envs` the environments to check
    (None: every one the spec declares; names it does not declare are left to the caller)."""
    document = load(path)
    return check_document(document, display=display or str(path), today=today or dt.date.today(), targets=targets, envs=envs)


def check_document(document: Document, *, display: str, today: dt.date, targets: tuple[str, ...] = (), envs: Collection[str] | None = None) -> Checked:
    result, found = _check(document, display=display, today=today, targets=targets)
    result.declared = tuple(environments.names(document.data))
    result.diagnostics = locate(document, display, found, tagged=result.declared)
    chosen = [name for name in result.declared if envs is None or name in envs]
    for name in chosen:
        if any(f.path[:2] == (environments.KEY, name) and f.severity is Severity.ERROR for f in found):
            continue  # the overlay itself is wrong: merging it would only repeat that
        env_result = _check_environment(document, name, found, display=display, today=today, targets=targets)
        result.environments[name] = env_result
        result.diagnostics += env_result.diagnostics
    if result.environments:
        result.diagnostics = sort_unique(result.diagnostics)
    return result


def _check(document: Document, *, display: str, today: dt.date, targets: tuple[str, ...], env: str | None = None) -> tuple[Checked, list[Finding]]:
    """The findings of one document (a spec, or an environment's merged spec), and its result."""
    result = Checked(display=display, document=document, env=env)
    findings: list[Finding] = list(document.findings)
    if document.data is not None:
        service, problems = structure.validate(document.data)
        findings += problems
        data: dict[str, Any] = document.data
        removed: tuple[SpecPath, ...] = ()
        if service is None:  # report the rest of the file too, from what is valid in it
            salvaged = structure.salvage(document.data, problems)
            service, data, removed = salvaged.service, salvaged.data, salvaged.removed
            for old, new in salvaged.renamed:  # a misspelt key's elements are found where it stands
                for path, at in [(p, at) for p, at in document.positions.items() if p[: len(old)] == old]:
                    document.positions.setdefault((*new, *path[len(old) :]), at)
            findings += salvaged.findings
        if service is not None:
            resolved = resolve(service, data, document.numbers, env=env)
            graph = lower(resolved, document.path.parent, _packages(resolved, document.path.parent))  # rules check the names it makes
            gone = frozenset(removed)
            context = rules.Context(resolved, graph, data, document.path.parent, today, original=document.data, removed=gone, targets=targets)
            findings += [f for f in rules.run(context) if not _under(f.path, gone)]
            if not problems:
                result.resolved = resolved
                if not has_errors(findings):
                    result.graph = graph
    if document.rejected:  # what a rejected value's stand-in text causes is not the author's mistake
        findings = [f for f in findings if f.code == "E005" or not _under(f.path, document.rejected)]
    if document.split_values:
        findings = _hint_split_values(findings, document.split_values)
    return result, findings


def _check_environment(document: Document, name: str, base: list[Finding], *, display: str, today: dt.date, targets: tuple[str, ...]) -> Checked:
    """Environment `name`'s spec, checked; its diagnostics are only the problems its overlay causes,
    each at the overlay's line when the overlay wrote the element (else at the environment's name)."""
    merged = environments.merged_document(document, name)
    result, found = _check(merged.document, display=display, today=today, targets=targets, env=name)
    known = {(f.code, f.path, f.message) for f in base}
    service = merged.document.data.get("service")
    prefix = prefix_of(service) if isinstance(service, str) else None
    here = document.positions.get((environments.KEY, name))
    located = []
    for finding in found:
        as_base = finding.message if prefix is None else finding.message.replace(prefix_of(prefix, name), prefix)
        if (finding.code, finding.path, as_base) in known:
            continue  # the base spec's own problem (its names aside), reported once by its check
        if environments.written_by(merged, finding.path):
            line, column = merged.document.locate(finding)
            shown = format_path((environments.KEY, name, *finding.path))
        else:
            line, column = (here.key_line, here.key_column) if here else (1, 1)
            shown = format_path(finding.path)
        located.append(Diagnostic(display, line, column, finding.severity, finding.code, shown, shorten(finding.message), name))
    result.diagnostics = sort_unique(located)
    return result


def _packages(resolved: Resolved, spec_dir: Path) -> dict[str, str]:
    """How `apispec package` makes each function's zip, by key, for the functions that have one:
    a manifest's presence is all `build` needs to know."""
    found: dict[str, str] = {}
    for fn in resolved.functions:
        if fn.source and not Path(fn.source).is_absolute():
            kind = manifest.detect(spec_dir / fn.source, fn.config.runtime, fn.config.build is not None)
            if kind is not None:
                found[fn.key] = kind
    return found


def _hint_split_values(findings: list[Finding], split: dict[SpecPath, str]) -> list[Finding]:
    """The first finding on each entry the loader saw cut off a plain value at a `,` (`{a: x, y}`
    reads `y` as a key) says so, with the value quoted as it was probably meant."""
    hinted: set[SpecPath] = set()
    out = []
    for finding in findings:
        meant = split.get(finding.path)
        if meant is not None and finding.path not in hinted:
            hinted.add(finding.path)
            hint = f"; an unquoted `,` inside `{{…}}` ends an entry: if this belongs to the value before it, quote that value (`{meant}`)"
            finding = finding._replace(message=finding.message + hint)
        out.append(finding)
    return out


def _under(path: SpecPath, places: Collection[SpecPath]) -> bool:
    """Whether `path` is one of `places` or inside one."""
    return any(path[:length] in places for length in range(len(path) + 1))


def locate(document: Document, display: str, findings: list[Finding], *, tagged: Collection[str] = ()) -> list[Diagnostic]:
    """Findings with their file, line and column, sorted and without repeats; one inside the overlay
    of an environment of `tagged` names that environment."""
    located = []
    for finding in findings:
        line, column = document.locate(finding)
        env = finding.path[1] if len(finding.path) > 1 and finding.path[0] == environments.KEY and finding.path[1] in tagged else None
        located.append(
            Diagnostic(
                file=display,
                line=line,
                column=column,
                severity=finding.severity,
                code=finding.code,
                path=format_path(finding.path),
                message=shorten(finding.message),
                env=env if isinstance(env, str) else None,
            )
        )
    return sort_unique(located)


def prefix_clashes(results: list[Checked]) -> list[Diagnostic]:
    """Specs of one build whose prefixes are equal: both would write `<out>/<prefix>`."""
    first: dict[str, Checked] = {}
    clashes: list[Diagnostic] = []
    for result in results:
        if result.resolved is None:
            continue
        prefix = result.resolved.prefix
        seen = first.setdefault(prefix, result)
        if seen is not result:
            message = f"`{seen.display}` has the same prefix `{prefix}`, so both would write `<out>/{prefix}/`; rename one service"
            clashes += locate(result.document, result.display, [Finding("E702", ("service",), message)])
    return clashes


def sources_holding_outputs(results: list[Checked], out: Path) -> list[Diagnostic]:
    """Functions whose code directory holds the output directory: each package would take in the
    outputs, and with them Terraform's `.terraform/`, its state and earlier packages."""
    found: list[Diagnostic] = []
    target = out.resolve()
    for result in results:
        if result.resolved is None:
            continue
        findings = []
        for fn in result.resolved.functions:
            source = (result.path.parent / fn.source).resolve()
            if target.is_relative_to(source):
                message = (
                    f"source directory `{fn.source}` holds the output directory `{out}`, so every package of this function "
                    "would take in the outputs (Terraform's state among them); keep the code in a directory of its own, or build with `--out` outside it"
                )
                findings.append(Finding("E703", fn.origin["source"], message))
        found += locate(result.document, result.display, findings)
    return found


def render(checked: Checked, out: Path, targets: tuple[str, ...]) -> dict[Path, bytes]:
    """Output files of a valid spec: `<out>/<prefix>/<target>/...` → bytes."""
    from compiler.backends import backend  # build only: no backend on validate's path
    from compiler.serialize import to_json, to_toml, to_yaml  # build only, likewise

    serializers = {"json": to_json, "yaml": to_yaml, "toml": to_toml}

    graph = checked.graph
    assert graph is not None, "render needs a checked, valid spec"
    files: dict[Path, bytes] = {}
    for target in targets:
        directory = target_dir(out, graph.prefix, target)
        root = Path(os.path.relpath(checked.path.parent.resolve(), directory.resolve())).as_posix()
        for rendered in backend(target)(graph, root):
            files[directory / rendered.path] = serializers[rendered.format](rendered.document)
    return files


def render_all(results: list[Checked], out: Path, targets: tuple[str, ...]) -> tuple[dict[Path, bytes], list[tuple[Path, str]]]:
    """Output files of valid specs, and the target directories they own (for the writer)."""
    files: dict[Path, bytes] = {}
    directories: list[tuple[Path, str]] = []
    for result in results:
        assert result.graph is not None, "render_all needs checked, valid specs"
        files.update(render(result, out, targets))
        directories += [(target_dir(out, result.graph.prefix, t), t) for t in targets]
    return files, directories


def target_dir(out: Path, prefix: str, target: str) -> Path:
    return out / prefix / target
