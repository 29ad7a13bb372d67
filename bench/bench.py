"""apispec's speed budget, measured (run: `python bench/bench.py`).

1. `apispec validate` on the tutorial spec against `python -c "import pydantic, ruamel.yaml, typer"`:
   medians of alternating cold runs (new processes), same interpreter. Budget: 1.4 times at most.
2. `apispec validate` of a spec with 5 environments against the same spec without them: medians of
   alternating cold runs. Budget: 2 times at most (each environment is checked as a spec of its own).
3. A generated 200-function, 1000-route spec: validate and build (terraform + sam) in one process
   invocation each (`apispec validate`, `apispec build`), wall time. Budget: ≤ 0.5 s each.
4. What the tests assert only as behaviour (a shared machine's speed is no test verdict), best of 3:
   - `apispec validate` of a spec with 6,000 problems (grouping them was quadratic). Budget: 5 s.
   - reading an alias bomb, refused with E006 (expanding it would not end). Budget: 2 s.
   - `apispec serve`: a handler's 2 MB line written in small pieces (re-scanning it on every write
     took minutes), budget 5 s; 32 concurrent requests of a handler that sleeps 0.3 s, budget 4.8 s
     (half of one after another); 30 requests of a handler beside 20,000 vendored files it never
     imports (stat-ing them all took 3 s), budget 0.6 s.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
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


def environment_specs(directory: Path) -> tuple[Path, Path]:
    """The orders example with five environments (each overlay changing memory, retention and a
    parameter value), and the same spec without `environments`."""
    source = ROOT / "specs" / "orders"
    base = (source / "service.yaml").read_text().split("environments:")[0]
    overlays = "".join(
        f"  {env}:\n    parameters: {{queue_url: {{default: https://sqs.eu-west-1.amazonaws.com/1/{env}}}}}\n"
        f"    functions: {{orders: {{memory: {256 * (i + 1)}}}}}\n    logging: {{retention_days: 30}}\n"
        for i, env in enumerate(("dev", "test", "staging", "preprod", "prod"))
    )
    specs = []
    for name, text in (("five-environments", base + "environments:\n" + overlays), ("no-environments", base)):
        shutil.copytree(source / "src", directory / name / "src")
        (directory / name / "service.yaml").write_text(text)
        specs.append(directory / name / "service.yaml")
    return specs[0], specs[1]


def many_problems(functions: int) -> str:
    """A spec whose `functions` functions have three errors each (memory, two actions)."""
    entries = "".join(
        f"  f{i}: {{source: code, handler: main.handler, memory: 1, permissions: [{{actions: [5, 6], resources: ['*']}}]}}\n" for i in range(functions)
    )
    return "service: demo\nfunctions:\n" + entries


def alias_bomb() -> str:
    """Nine levels of nine aliases each: 387 million values once expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\nservice: *a9\nfunctions: {}\n"


def best_of(runs: int, measure: Callable[[], float]) -> float:
    return min(measure() for _ in range(runs))


def behaviour_timings(work: Path) -> dict[str, tuple[float, float]]:
    """What the tests assert as behaviour, timed: name → (seconds, budget)."""
    problems = work / "problems"
    (problems / "code").mkdir(parents=True)
    (problems / "code" / "main.py").write_text("def handler(event, context):\n    return {}\n")
    (problems / "service.yaml").write_text(many_problems(2000))
    bomb = work / "bomb.yaml"
    bomb.write_text(alias_bomb())

    def validate_problems() -> float:
        start = time.perf_counter()
        subprocess.run([*APISPEC, "validate", str(problems / "service.yaml")], capture_output=True, check=False)
        return time.perf_counter() - start

    def load_bomb() -> float:
        from compiler.loader import load

        start = time.perf_counter()
        document = load(bomb)
        assert [f.code for f in document.findings] == ["E006"]
        return time.perf_counter() - start

    timings = {
        "validate, 6,000 problems": (best_of(3, validate_problems), 5.0),
        "read an alias bomb": (best_of(3, load_bomb), 2.0),
    }
    timings.update(serve_timings(work))
    return timings


def serve_timings(work: Path) -> dict[str, tuple[float, float]]:
    """`apispec serve` on the test fixtures: a long line in small writes, concurrency, hot reload beside a big tree."""
    import http.client
    import json
    import os
    from concurrent.futures import ThreadPoolExecutor

    fixtures = ROOT / "tests" / "serve_fixtures"
    reload_dir = work / "reload"
    shutil.copytree(fixtures / "reload", reload_dir)
    empty = work / "empty.py"
    empty.write_bytes(b"")
    for d in range(100):
        package = reload_dir / "code" / "live" / "vendor" / f"pkg{d}"
        package.mkdir(parents=True)
        for i in range(200):
            os.link(empty, package / f"m{i}.py")

    def request(port: int, path: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("GET", path)
            return connection.getresponse().read()
        finally:
            connection.close()

    def timed(port: int, paths: list[str], workers: int = 1) -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda p: request(port, p), paths))
        return time.perf_counter() - start

    timings: dict[str, tuple[float, float]] = {}
    with _serving(fixtures / "api" / "service.yaml", "--param", "secret_word=xyzzy") as port:
        request(port, "/shapes/chatty"), request(port, "/echo")  # warm workers
        timings["serve, a 2 MB line in small writes"] = (best_of(3, lambda: timed(port, ["/shapes/chatty"])), 5.0)
        timings["serve, 32 concurrent 0.3 s requests"] = (
            best_of(3, lambda: timed(port, [f"/echo?sleep=0.3&n={n}" for n in range(32)], workers=32)),
            32 * 0.3 / 2,
        )
    with _serving(reload_dir / "service.yaml") as port:
        json.loads(request(port, "/version"))
        timings["serve, 30 requests beside 20,000 unimported files"] = (best_of(3, lambda: timed(port, ["/version"] * 30)), 0.6)
    return timings


@contextlib.contextmanager
def _serving(spec: Path, *args: str) -> Iterator[int]:
    """`apispec serve SPEC --port 0`, yielding the port it listens on once it is ready."""
    import re

    process = subprocess.Popen([*APISPEC, "serve", str(spec), "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        match = re.match(r"apispec: serving \S+ on http://127\.0\.0\.1:(\d+)$", ready.strip())
        if match is None:
            raise SystemExit(f"apispec serve did not start: {ready!r}")
        threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its output flowing
        yield int(match.group(1))
    finally:
        process.terminate()
        process.wait(timeout=60)


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
        with_envs, without = environment_specs(work / "environments")
        wall([*APISPEC, "validate", str(with_envs)]), wall([*APISPEC, "validate", str(without)])
        five, one = [], []
        for _ in range(args.runs):
            five.append(wall([*APISPEC, "validate", str(with_envs)]))
            one.append(wall([*APISPEC, "validate", str(without)]))
        ratio = statistics.median(five) / statistics.median(one)
        print(f"validate with 5 environments: median {statistics.median(five) * 1000:.0f} ms; without: median "
              f"{statistics.median(one) * 1000:.0f} ms; ratio {ratio:.2f} (budget 2.00) {'OK' if ratio <= 2.0 else 'OVER'}")
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
        for name, (seconds, budget) in behaviour_timings(work).items():
            print(f"{name}: best of 3 {seconds * 1000:.0f} ms (budget {budget * 1000:.0f}) {'OK' if seconds <= budget else 'OVER'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
