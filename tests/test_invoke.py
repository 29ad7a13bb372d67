"""`apispec invoke`: one function run once through serve's workers, with an event from a file, stdin or a sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compiler.cli import app
from compiler.serve.samples import sample_event

runner = CliRunner()

SPEC = """\
service: tryout
region: eu-west-1
functions:
  worker:
    source: code
    handler: main.handler
    timeout: 3
    environment: {WHERE: "${aws:region}", PREFIX: "${self:prefix}", QUEUE: "${ssm:/tryout/queue}"}
  other:
    source: code
    handler: main.handler
"""
HANDLER = """\
import os
import time


def handler(event, context):
    print("handling", context.function_name)
    if isinstance(event, dict) and event.get("raise"):
        raise RuntimeError("asked to raise")
    if isinstance(event, dict) and event.get("sleep"):
        time.sleep(event["sleep"])
    return {"event": event, "function": context.function_name, "where": os.environ["WHERE"], "prefix": os.environ["PREFIX"], "queue": os.environ["QUEUE"]}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "main.py").write_text(HANDLER)
    (tmp_path / "service.yaml").write_text(SPEC)
    return tmp_path / "service.yaml"


def _invoke(spec: Path, *args: str, stdin: str | None = None) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(app, ["invoke", str(spec), "worker", *args], input=stdin)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}, result.stderr


def test_without_an_event_the_function_gets_an_empty_object(spec: Path) -> None:
    code, result, log = _invoke(spec)
    assert code == 0
    assert result == {"event": {}, "function": "tryout-worker", "where": "eu-west-1", "prefix": "tryout", "queue": ""}
    assert "[worker] handling tryout-worker" in log.splitlines()
    assert "apispec: warning: `${ssm:/tryout/queue}` is read when the stack is deployed; it is left empty in worker.QUEUE" in log.splitlines()


def test_the_sqs_sample_is_an_sqs_batch_of_one_message(spec: Path) -> None:
    code, result, _ = _invoke(spec, "--event", "sqs")
    assert code == 0
    (record,) = result["event"]["Records"]  # type: ignore[index]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:eu-west-1:123456789012:sample-queue"
    assert record["body"] == "Hello from SQS!"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"


def test_the_stream_sample_is_a_dynamodb_stream_insert(spec: Path) -> None:
    code, result, _ = _invoke(spec, "--event", "stream")
    assert code == 0
    (record,) = result["event"]["Records"]  # type: ignore[index]
    assert (record["eventSource"], record["eventName"], record["awsRegion"]) == ("aws:dynamodb", "INSERT", "eu-west-1")
    assert record["dynamodb"]["Keys"] == {"Id": {"N": "101"}}
    assert record["eventSourceARN"].startswith("arn:aws:dynamodb:eu-west-1:123456789012:table/sample-table/stream/")


def test_the_schedule_sample_is_eventbridges_scheduled_event(spec: Path) -> None:
    code, result, _ = _invoke(spec, "--event", "schedule")
    assert code == 0
    assert result["event"] == {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/sample-schedule"],
        "detail": {},
    }


def test_a_schedule_with_an_input_sends_that_input() -> None:
    assert sample_event("schedule", {"job": "nightly"}) == {"job": "nightly"}
    assert sample_event("schedule")["source"] == "aws.events"


def test_invoke_sends_the_first_schedule_s_input_to_a_scheduled_function() -> None:
    """`specs/jobs`' `nightly` runs on `cron(0 2 * * ? *)` with an input, then on `rate(1 hour)` without."""
    root = Path(__file__).resolve().parent.parent
    result = runner.invoke(app, ["invoke", str(root / "specs" / "jobs" / "service.yaml"), "nightly", "--event", "schedule"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"task": "close-day"}
    assert '{"task": "close-day", "dry_run": false}' in result.stderr  # what it printed, in its log


def test_the_http_sample_is_a_payload_2_get_of_the_root(spec: Path) -> None:
    code, result, _ = _invoke(spec, "--event", "http")
    assert code == 0
    event = result["event"]
    assert isinstance(event, dict)
    assert (event["version"], event["routeKey"], event["rawPath"], event["rawQueryString"]) == ("2.0", "GET /", "/", "")
    assert event["requestContext"]["http"] == {"method": "GET", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.10", "userAgent": "curl/8.5.0"}
    assert event["requestContext"]["domainName"] == "sampleapi1.execute-api.eu-west-1.amazonaws.com"
    assert event["isBase64Encoded"] is False


def test_an_event_from_a_file_and_from_stdin(spec: Path) -> None:
    event_file = spec.parent / "event.json"
    event_file.write_text('{"order": 7}')
    assert _invoke(spec, "--event", str(event_file))[:2] == (0, {"event": {"order": 7}, "function": "tryout-worker", "where": "eu-west-1", "prefix": "tryout", "queue": ""})
    code, result, _ = _invoke(spec, "--event", "-", stdin="[1, 2]")
    assert (code, result["event"]) == (0, [1, 2])


def test_a_raising_function_exits_1_with_lambdas_error_object_and_its_traceback_logged(spec: Path) -> None:
    code, result, log = _invoke(spec, "--event", "-", stdin='{"raise": true}')
    assert code == 1
    assert (result["errorType"], result["errorMessage"]) == ("RuntimeError", "asked to raise")
    assert "[worker] [ERROR] RuntimeError: asked to raise" in log.splitlines()
    assert "[worker] Traceback (most recent call last):" in log.splitlines()


def test_a_function_past_its_timeout_exits_1(spec: Path) -> None:
    code, result, log = _invoke(spec, "--event", "-", stdin='{"sleep": 10}')
    assert code == 1
    assert result["errorType"] == "Sandbox.Timedout"
    assert "[worker] Task timed out after 3.00 seconds" in log.splitlines()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "dev"], "--env dev: "),
        (["--event", "missing.json"], "--event missing.json: No such file or directory"),
        (["--param", "novalue"], "--param 'novalue': write NAME=VALUE"),
    ],
)
def test_usage_errors_exit_2(spec: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["invoke", str(spec), "worker", *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_unknown_function_is_a_usage_error_naming_the_functions(spec: Path) -> None:
    result = runner.invoke(app, ["invoke", str(spec), "workr"])
    assert result.exit_code == 2
    assert "has no function `workr` (did you mean `worker`?); its functions: worker, other" in result.stderr


def test_an_event_that_is_not_json_is_a_usage_error(spec: Path) -> None:
    result = runner.invoke(app, ["invoke", str(spec), "worker", "--event", "-"], input="{not json")
    assert result.exit_code == 2
    assert "--event -: not JSON" in result.stderr
