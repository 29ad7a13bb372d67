"""`apispec invoke`: one function run once, as Lambda would, with `serve`'s runtime emulation.

The function runs in the same worker as under `serve` (`workers.Pool` and `_worker.py`: its
environment, context, timeout and log format); only the event differs, which comes from a file,
standard input or a sample (`samples`), and the outcome, which is printed instead of answered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from compiler.resolve import Resolved
from compiler.serve import config, events, samples
from compiler.serve.app import error_log
from compiler.serve.workers import Invocation, Outcome, Pool, PoolClosedError

Emit = Callable[[str], None]
SAMPLE_KINDS = samples.KINDS  # what `--event` takes besides a file name


class Result(NamedTuple):
    """How the invocation ended: the payload to print (the result, or Lambda's error object) and whether it failed."""

    payload: str
    failed: bool


def sample(kind: str, resolved: Resolved, key: str) -> Any:
    """A sample event (`samples.KINDS`) for function `key`, in this spec's region and serve's account.
    `schedule` sends what the function's first schedule would: its `input` when it has one, else
    EventBridge's Scheduled Event envelope."""
    fn = next(f for f in resolved.functions if f.key == key)
    first = next((event for event in fn.config.events or () if event.schedule is not None), None)
    schedule_input = first.input if first is not None else None
    return samples.sample_event(kind, schedule_input, region=resolved.region or config.DEFAULT_REGION, account_id=config.ACCOUNT_ID)


def invoke(resolved: Resolved, spec_dir: Path, key: str, event: Any, params: Mapping[str, str], *, log: Emit, notice: Emit) -> Result:
    """Run function `key` once on `event`; its log lines go to `log`, apispec's warnings to `notice`."""
    loaded = config.load(resolved, spec_dir, params)
    for warning in loaded.warnings:
        notice(f"apispec: warning: {warning}")
    fn = loaded.functions[key]
    if not fn.is_python:
        error = {"errorType": "Runtime.Unavailable", "errorMessage": f"runtime {fn.runtime} is not run locally: apispec runs Python functions only"}
        return Result(json.dumps(error), failed=True)
    request: Invocation = {
        "event": event,
        "requestId": events.new_lambda_request_id(),
        "timeoutMs": fn.timeout * 1000,
        "invokedFunctionArn": fn.arn,
        "traceId": events.trace_id(time.time()),
    }
    pool = Pool(fn, log, notice, max_workers=1)
    try:
        outcome = pool.invoke(request)
    except (OSError, PoolClosedError) as exc:
        outcome = Outcome(error={"errorType": "Runtime.Unavailable", "errorMessage": f"cannot run the function: {exc}"}, keep=False)
    finally:
        pool.close()
    if outcome.error is not None:
        prefix = f"[{key}] "
        for text in error_log(outcome.error, timed_out=outcome.timed_out):
            for line in text.replace("\r\n", "\n").split("\n"):
                log(prefix + line)
        return Result(json.dumps(outcome.error, ensure_ascii=False), failed=True)
    assert outcome.result is not None
    return Result(outcome.result, failed=False)
