"""apispec's speed budget, measured (run: `python bench/bench.py`).

1. `apispec validate` on the tutorial spec against `python -c "import pydantic, ruamel.yaml, typer"`:
   medians of alternating cold runs (new processes), same interpreter. Budget: 1.4 times at most.
2. A generated 200-function, 1000-route spec: validate and build (terraform + sam) in one process
   invocation each (`apispec validate`, `apispec build`), wall time. Budget: ≤ 0.5 s each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "specs" / "tutorial" / "service.yaml"
# The installed console script (what users and pre-commit run), else the module.
_SCRIPT = Path(sys.executable).with_name("apispec")
APISPEC = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "compiler"]
BASELINE = [sys.executable, "-c", "import pydantic, ruamel.yaml, typer"]


def wall(command: list[str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode()}")
    return elapsed


def large_spec(directory: Path, functions: int = 200, routes: int = 1000) -> Path:
    """A spec with `functions` functions and `routes` routes spread over them."""
    (directory / "code").mkdir(parents=True)
    (directory / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    lines = ["service: bench", "region: us-east-1", "defaults:", "  source: code", "  handler: main.handler", "functions:"]
    lines += [f"  fn-{i:03d}:\n    memory: 256\n    environment: {{INDEX: '{i}'}}" for i in range(functions)]
    lines.append("routes:")
    methods = ("GET", "POST", "PUT", "DELETE", "PATCH")
    for r in range(routes):
        fn = r % functions
        lines.append(f"  {methods[r % len(methods)]} /things-{fn:03d}/{{id}}/part-{r // len(methods):04d}: fn-{fn:03d}")
    spec = directory / "service.yaml"
    spec.write_text("\n".join(lines) + "\n")
    return spec


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="cold runs of each command (≥ 10)")
    args = parser.parse_args()

    # Installed packages come with bytecode (pip compiles it); this checkout may not have it yet,
    # for example under PYTHONDONTWRITEBYTECODE. Measure what users run: compiled modules.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "compiler", "schemas"], cwd=ROOT, check=True)
    validate = [*APISPEC, "validate", str(TUTORIAL)]
    wall(validate), wall(BASELINE)  # warm the file cache
    ours, base = [], []
    for _ in range(args.runs):
        ours.append(wall(validate))
        base.append(wall(BASELINE))
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"validate tutorial: median {statistics.median(ours) * 1000:.0f} ms; "
          f"import pydantic, ruamel.yaml, typer: median {statistics.median(base) * 1000:.0f} ms; "
          f"ratio {ratio:.2f} (budget 1.40) {'OK' if ratio <= 1.4 else 'OVER'}")

    work = Path(tempfile.mkdtemp(prefix="apispec-bench-"))
    try:
        spec = large_spec(work / "large")
        wall([*APISPEC, "validate", str(spec)])
        timings = {
            "validate": min(wall([*APISPEC, "validate", str(spec)]) for _ in range(3)),
            "build terraform+sam": min(
                wall([*APISPEC, "build", str(spec), "--out", str(work / "out"), "--target", "terraform", "--target", "sam"])
                for _ in range(3)
            ),
        }
        for name, seconds in timings.items():
            print(f"200 functions, 1000 routes, {name}: best of 3 {seconds * 1000:.0f} ms (budget 500) {'OK' if seconds <= 0.5 else 'OVER'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
