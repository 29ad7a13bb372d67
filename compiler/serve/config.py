"""What `serve` needs of a resolved spec: each function's runtime settings, with parameters filled in."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler.references import REFERENCE, SELF_VALUES
from compiler.resolve import DEFAULT_STAGE, Function, Resolved, api_name

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
FUNCTION_VERSION = "$LATEST"


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    """One function as the local Lambda runs it: the resolved function, located and with parameters filled in."""

    function: Function
    source: Path  # absolute
    region: str
    environment: tuple[tuple[str, str], ...]  # the spec's, with references filled in (`_fill`)

    @property
    def key(self) -> str:
        return self.function.key

    @property
    def name(self) -> str:
        return self.function.name

    @property
    def handler(self) -> str:
        return self.function.handler

    @property
    def runtime(self) -> str:
        return self.function.config.runtime

    @property
    def memory(self) -> int:
        return self.function.config.memory

    @property
    def timeout(self) -> int:
        return self.function.config.timeout

    @property
    def log_group_name(self) -> str:
        return self.function.log_group_name

    @property
    def is_python(self) -> bool:
        return self.runtime.startswith("python")

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.name}"

    def lambda_environment(self, log_stream: str) -> dict[str, str]:
        """The variables Lambda itself sets for this function (before the spec's own)."""
        return {
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_VERSION": FUNCTION_VERSION,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group_name,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}",
            "LAMBDA_TASK_ROOT": str(self.source),
            "_HANDLER": self.handler,
            "TZ": ":UTC",
        }


@dataclass(frozen=True, slots=True)
class Config:
    """The whole local API."""

    api_name: str
    api_id: str
    stage: str
    functions: dict[str, FunctionConfig]
    warnings: tuple[str, ...]  # reported once at start, on standard error


def load(resolved: Resolved, spec_dir: Path, params: Mapping[str, str]) -> Config:
    """Fill parameters in and make paths absolute; collect what deserves a warning at start."""
    warnings: list[str] = []
    known = dict(resolved.parameters)
    for name in params:
        if name not in known:
            choices = ", ".join(sorted(known)) or "none"
            warnings.append(f"--param {name}: the spec has no parameter `{name}` (its parameters: {choices}); ignored")
    values = {name: params.get(name, parameter.default) for name, parameter in known.items()}
    missing: dict[str, list[str]] = {}
    region = resolved.region or DEFAULT_REGION
    functions: dict[str, FunctionConfig] = {}
    local = {"aws:region": region, "aws:account_id": ACCOUNT_ID, "aws:partition": "aws"}
    local.update({f"self:{name}": value for name in SELF_VALUES if (value := resolved.scope.value(name)) is not None})
    for fn in resolved.functions:
        environment = tuple((name, _fill(text, values, local, missing, f"{fn.key}.{name}")) for name, text in fn.environment)
        functions[fn.key] = _function(fn, spec_dir, region, environment)
    for name, places in missing.items():
        if name.startswith(("ssm:", "import:")):
            warnings.append(f"`${{{name}}}` is read when the stack is deployed; it is left empty in {', '.join(places)}")
            continue
        warnings.append(
            f"parameter `{name}` has no value and no default; `${{param:{name}}}` is left empty in "
            f"{', '.join(places)} (give --param {name}=VALUE)"
        )
    warnings += _runtime_warnings(functions.values())
    api = resolved.api
    name = api.name if api is not None else api_name(resolved.service, resolved.prefix)
    return Config(
        api_name=name,
        api_id=hashlib.sha256(name.encode()).hexdigest()[:10],
        stage=api.stage if api is not None else DEFAULT_STAGE,
        functions=functions,
        warnings=tuple(warnings),
    )


def _runtime_warnings(functions: Collection[FunctionConfig]) -> list[str]:
    """Functions serve does not run (not Python), and Python versions other than the local one."""
    warnings = [
        f"function `{fn.key}` has runtime {fn.runtime}: serve runs Python functions only, so its routes answer 502"
        for fn in functions
        if not fn.is_python
    ]
    local = f"python{sys.version_info.major}.{sys.version_info.minor}"
    mismatched = sorted({fn.runtime for fn in functions if fn.is_python and fn.runtime != local})
    if mismatched:
        warnings.append(f"functions for {', '.join(mismatched)} run with the local Python ({local}, {sys.executable})")
    return warnings


def _function(fn: Function, spec_dir: Path, region: str, environment: tuple[tuple[str, str], ...]) -> FunctionConfig:
    return FunctionConfig(function=fn, source=Path(os.path.abspath(spec_dir / fn.source)), region=region, environment=environment)


def _fill(text: str, values: Mapping[str, str | None], local: Mapping[str, str], missing: dict[str, list[str]], place: str) -> str:
    """`text` with each `${param:name}` replaced by its value, `${aws:…}` and `${self:…}` by their
    local values (`local`); a parameter without a value, `${ssm:…}` and `${import:…}` become empty
    and `place` is added to `missing[name]` (`ssm:/path` and `import:Name` for those)."""

    def value(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        if kind != "param":
            found = local.get(f"{kind}:{name}")
            if found is None and kind in ("ssm", "import"):
                missing.setdefault(f"{kind}:{name}", []).append(place)
                return ""
            return found if found is not None else match.group(0)
        found = values.get(name)
        if found is None:
            missing.setdefault(name, []).append(place)
            return ""
        return found

    return REFERENCE.sub(value, text)
