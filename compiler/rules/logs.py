"""The log-settings rule: levels only with JSON logs, retentions CloudWatch allows, at every level."""

from __future__ import annotations

from collections.abc import Iterator

from compiler import awsdata
from compiler.diagnostics import Finding, SpecPath
from compiler.rules.registry import Context, rule
from schemas import models

_LEVELS = ("application_level", "system_level")


@rule("E220", "E221", name="log-settings", moot_when_removed={"E220": (("**", "logging"), ("**", "logging", "**", "format"))})
def log_settings(ctx: Context) -> Iterator[Finding]:
    """Log levels are set only with the JSON format; every retention is a value CloudWatch allows."""
    logging = ctx.spec.service.logging
    defaults = ctx.spec.service.defaults.logging if ctx.spec.service.defaults else None
    for level in _LEVELS:
        if getattr(logging, level) is not None and logging.format != "JSON":
            yield _level_finding(("logging", level), level)
        if defaults is not None and getattr(defaults, level) is not None and (defaults.format or logging.format) != "JSON":
            yield _level_finding(("defaults", "logging", level), level)
    for fn in ctx.spec.functions:  # what each function ends up with, pointing where it was set
        for level in _LEVELS:
            if getattr(fn, level) is not None and fn.log_format != "JSON":
                yield _level_finding(fn.origin[f"logging.{level}"], level)
        if fn.retention_days is not None and fn.retention_days not in awsdata.LOG_RETENTION_DAYS:
            yield _retention_finding(fn.origin["logging.retention_days"], fn.retention_days)
    if logging.retention_days != "never" and logging.retention_days not in awsdata.LOG_RETENTION_DAYS:
        yield _retention_finding(("logging", "retention_days"), logging.retention_days)
    access = logging.access_logs
    if not isinstance(access, bool) and isinstance(access.retention_days, int) and access.retention_days not in awsdata.LOG_RETENTION_DAYS:
        yield _retention_finding(("logging", "access_logs", "retention_days"), access.retention_days)


def _level_finding(where: SpecPath, level: str) -> Finding:
    return Finding("E220", where, f"`{level}` needs `format: JSON` (Lambda filters log levels only for JSON logs)")


def _retention_finding(where: SpecPath, days: models.Retention) -> Finding:
    assert isinstance(days, int)  # (`never` is allowed)
    allowed = awsdata.LOG_RETENTION_DAYS
    closest = min(allowed, key=lambda d: (abs(d - days), d))
    return Finding(
        "E221", where, f"{days} is not a retention CloudWatch allows (did you mean {closest}?); allowed: {', '.join(map(str, allowed))}, or `never`"
    )
