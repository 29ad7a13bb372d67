"""Rules on `environments` (each checked again merged into the spec) and the Terraform output's settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compiler.diagnostics import Finding, did_you_mean
from compiler.environments import KEY
from compiler.patterns import lazy
from compiler.resolve import SELF_ENV
from compiler.rules.registry import Context, rule

_NAME = lazy(r"^[a-z][a-z0-9-]*\Z")


def _overlays(ctx: Context) -> Iterator[tuple[str, dict[str, Any]]]:
    environments = ctx.raw.get(KEY)
    if isinstance(environments, dict):
        yield from ((name, value) for name, value in environments.items() if isinstance(value, dict))


@rule("E640", name="environment-name")
def environment_name(ctx: Context) -> Iterator[Finding]:
    """An environment's name is `[a-z][a-z0-9-]*`: it ends the prefix of every AWS name of that environment."""
    for name in ctx.spec.service.environments:
        if not _NAME.match(name):
            message = f"environment name `{name}` must start with a lower-case letter and hold only `a-z`, `0-9` and `-`: it makes the prefix `<prefix>-{name}`"
            yield Finding("E640", (KEY, name), message, anchor="key")


@rule("E641", name="environment-adds-element")
def environment_adds(ctx: Context) -> Iterator[Finding]:
    """An environment changes the settings of the spec's functions and routes; it adds none."""
    for name, overlay in _overlays(ctx):
        for section, kind in (("functions", "function"), ("routes", "route")):
            written = overlay.get(section)
            base = ctx.raw.get(section) or {}
            if not isinstance(written, dict) or not isinstance(base, dict):
                continue
            for key in written:
                if key not in base:
                    message = (
                        f"environment `{name}` adds the {kind} `{key}`{did_you_mean(str(key), map(str, base))}: an environment may change "
                        f"the settings of the spec's {section}, not add or remove any; declare it in the top-level `{section}`"
                    )
                    yield Finding("E641", (KEY, name, section, key), message, anchor="key")


@rule("E642", name="environment-sensitive-value")
def environment_sensitive_value(ctx: Context) -> Iterator[Finding]:
    """An environment gives no value to a `sensitive` parameter: it would be stored in the spec and the outputs."""
    for name, overlay in _overlays(ctx):
        written = overlay.get("parameters")
        if not isinstance(written, dict):
            continue
        for parameter, value in written.items():
            base = ctx.spec.service.parameters.get(parameter)
            sensitive = (base is not None and base.sensitive) or (isinstance(value, dict) and value.get("sensitive") is True)
            if sensitive and isinstance(value, dict) and value.get("default") is not None:
                message = f"`{parameter}` is a sensitive parameter: environment `{name}` may not give it a value; pass it at deploy time"
                yield Finding("E642", (KEY, name, "parameters", parameter, "default"), message)


@rule("E643", name="terraform-child-backend")
def child_backend(ctx: Context) -> Iterator[Finding]:
    """A child module has no backend: the calling root module's backend keeps the state."""
    settings = ctx.spec.service.terraform
    if settings.module == "child" and settings.backend is not None:
        message = "a `module: child` has no backend (the root module that calls it keeps the state); remove `backend`, or set `module: root`"
        yield Finding("E643", ("terraform", "backend"), message, anchor="key")


@rule("E644", name="self-env-without-environments")
def self_env_without_environments(ctx: Context) -> Iterator[Finding]:
    """`${self:env}` is used only in a spec with `environments`: it is the environment's name."""
    backend = ctx.spec.service.terraform.backend
    if ctx.spec.env is None and not ctx.spec.service.environments and backend is not None and SELF_ENV in backend.s3.key:
        message = f"`{SELF_ENV}` is the environment's name, and this spec has no `environments`; write the key without it, or declare environments"
        yield Finding("E644", ("terraform", "backend", "s3", "key"), message)
