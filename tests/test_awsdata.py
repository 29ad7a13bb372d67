"""Consistency checks on the AWS facts in compiler.awsdata."""

from __future__ import annotations

import re
from datetime import date

import pytest

from compiler import awsdata
from compiler.awsdata import (
    CONTAINER_ONLY_RUNTIMES,
    HTTP_API_CONTEXT_VARIABLES,
    ISOLATED_REGIONS,
    LATEST_RUNTIME,
    LOG_RETENTION_DAYS,
    PREVIEW_RUNTIMES,
    PYTHON_RUNTIMES,
    REGION_PATTERN,
    REGIONS,
    RESERVED_ENV_NAMES,
    RUNTIMES,
    RuntimeProblem,
    is_http_api_context_variable,
    runtime_problem,
)

TODAY = date(2026, 11, 25)

DEFAULT_ACCESS_LOG_VARIABLES = (
    "$context.requestId",
    "$context.identity.sourceIp",
    "$context.requestTime",
    "$context.httpMethod",
    "$context.status",
    "$context.protocol",
    "$context.integrationErrorMessage",
    "$context.error.message",
)


def test_supported_runtime_has_no_problem() -> None:
    assert runtime_problem("python3.12", TODAY) is None
    assert runtime_problem("nodejs22.x", TODAY) is None
    assert runtime_problem("provided.al2023", TODAY) is None


@pytest.mark.parametrize(
    ("identifier", "today", "expected"),
    [
        ("python3.10", date(2026, 10, 30), None),  # the day before its deprecation
        (
            "python3.10",
            date(2026, 10, 31),
            RuntimeProblem(False, "`python3.10` was deprecated on 2026-10-31; AWS blocks creating functions with it from 2027-02-01; use `python3.14`"),
        ),
        (
            "python3.8",
            date(2027, 1, 31),  # deprecated for years, still accepted
            RuntimeProblem(False, "`python3.8` was deprecated on 2024-10-14; AWS blocks creating functions with it from 2027-02-01; use `python3.14`"),
        ),
        (
            "python3.8",
            date(2027, 2, 1),
            RuntimeProblem(True, "AWS blocks creating functions with `python3.8` since 2027-02-01 (deprecated on 2024-10-14); use `python3.14`"),
        ),
        (
            "nodejs22.x",
            date(2027, 4, 30),
            RuntimeProblem(False, "`nodejs22.x` was deprecated on 2027-04-30; AWS blocks creating functions with it from 2027-06-01; use `nodejs24.x`"),
        ),
        (
            "nodejs22.x",
            date(2027, 6, 1),
            RuntimeProblem(True, "AWS blocks creating functions with `nodejs22.x` since 2027-06-01 (deprecated on 2027-04-30); use `nodejs24.x`"),
        ),
        (
            "java8.al2023",  # no block-create date announced
            date(2029, 7, 1),
            RuntimeProblem(False, "`java8.al2023` was deprecated on 2029-06-30; AWS has announced no date from which it blocks creating functions with it; use `java25`"),
        ),
        (
            "nodejs4.3",  # blocked before its deprecation date
            date(2020, 2, 3),
            RuntimeProblem(True, "AWS blocks creating functions with `nodejs4.3` since 2020-02-03 (deprecated on 2020-03-05); use `nodejs24.x`"),
        ),
    ],
)
def test_a_deprecated_runtime_warns_until_aws_blocks_it(identifier: str, today: date, expected: RuntimeProblem | None) -> None:
    """Format v1.1, clarification 1: a warning from the deprecation date, an error from the block-create date."""
    assert runtime_problem(identifier, today) == expected


def test_go_points_to_os_only_runtime() -> None:
    problem = runtime_problem("go1.x", TODAY)
    assert problem == RuntimeProblem(True, "AWS blocks creating functions with `go1.x` since 2024-02-08 (deprecated on 2024-01-08); use `provided.al2023`")


def test_unknown_and_container_only_identifiers() -> None:
    assert runtime_problem("python3", TODAY) == RuntimeProblem(True, "`python3` is not an AWS Lambda runtime identifier")
    assert runtime_problem("Python3.12", TODAY) == RuntimeProblem(True, "`Python3.12` is not an AWS Lambda runtime identifier")  # the API matches exactly
    assert runtime_problem("dotnet9", TODAY) == RuntimeProblem(
        True, "`dotnet9` is only published as a container base image, not as a Lambda runtime; use `dotnet10`"
    )


@pytest.mark.parametrize("identifier", sorted(RUNTIMES))
def test_replacement_is_a_usable_runtime(identifier: str) -> None:
    runtime = RUNTIMES[identifier]
    assert runtime.identifier == identifier
    if runtime.replacement is None:
        return
    assert runtime.replacement in RUNTIMES
    assert runtime_problem(runtime.replacement, TODAY) is None
    assert runtime.replacement not in PREVIEW_RUNTIMES
    assert RUNTIMES[runtime.replacement].replacement is None


def test_every_deprecated_runtime_has_a_replacement() -> None:
    for runtime in (*RUNTIMES.values(), *CONTAINER_ONLY_RUNTIMES.values()):
        if runtime.deprecated is not None and runtime.deprecated <= TODAY:
            assert runtime.replacement is not None, runtime.identifier


def test_latest_runtimes_are_current_and_known() -> None:
    for latest in LATEST_RUNTIME.values():
        assert latest in RUNTIMES
        assert runtime_problem(latest, TODAY) is None


def test_runtime_table_covers_every_family() -> None:
    expected = {
        "python2.7",
        "python3.6",
        "python3.14",
        "nodejs24.x",
        "java8",
        "java8.al2",
        "java11",
        "java17",
        "java21",
        "java25",
        "dotnet6",
        "dotnet8",
        "dotnet10",
        "dotnetcore1.0",
        "dotnetcore3.1",
        "ruby2.5",
        "ruby3.4",
        "go1.x",
        "provided",
        "provided.al2",
        "provided.al2023",
    }
    assert expected <= RUNTIMES.keys()
    assert not CONTAINER_ONLY_RUNTIMES.keys() & RUNTIMES.keys()
    assert {r for r in RUNTIMES if r.startswith("python")} == PYTHON_RUNTIMES
    assert "python3.9" in PYTHON_RUNTIMES


def test_reserved_environment_names() -> None:
    assert "AWS_REGION" in RESERVED_ENV_NAMES
    assert "_HANDLER" in RESERVED_ENV_NAMES
    assert "TZ" not in RESERVED_ENV_NAMES
    assert "AWS_LAMBDA_EXEC_WRAPPER" not in RESERVED_ENV_NAMES  # settable: Lambda's wrapper scripts
    assert {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    } == RESERVED_ENV_NAMES  # fmt: skip
    assert all(re.fullmatch(awsdata.ENV_NAME_PATTERN, n) for n in RESERVED_ENV_NAMES if n[0] != "_")


def test_log_retention_values_are_sorted_and_unique() -> None:
    assert list(LOG_RETENTION_DAYS) == sorted(set(LOG_RETENTION_DAYS))
    assert len(LOG_RETENTION_DAYS) == 22
    assert 30 in LOG_RETENTION_DAYS
    assert 3653 in LOG_RETENTION_DAYS
    assert 2 not in LOG_RETENTION_DAYS


def test_region_pattern_matches_every_region() -> None:
    pattern = re.compile(REGION_PATTERN)
    for region in REGIONS | ISOLATED_REGIONS:
        assert pattern.fullmatch(region), region
    for bad in ("us-east", "US-EAST-1", "useast1", "us_east_1", "us-east-1a"):
        assert not pattern.fullmatch(bad), bad
    assert {"us-east-1", "ap-southeast-7", "mx-central-1", "ca-west-1", "us-gov-west-1"} <= REGIONS
    assert {"cn-north-1", "eusc-de-east-1"} <= REGIONS


def test_default_access_log_variables_are_known() -> None:
    for name in DEFAULT_ACCESS_LOG_VARIABLES:
        assert name in HTTP_API_CONTEXT_VARIABLES, name
        assert is_http_api_context_variable(name), name


def test_access_log_variables_with_a_variable_part() -> None:
    assert is_http_api_context_variable("$context.authorizer.claims.username")
    assert is_http_api_context_variable("$context.authorizer.tenant")
    assert not is_http_api_context_variable("$context.authorizer.")
    assert not is_http_api_context_variable("$context.requestid")
    assert not is_http_api_context_variable("$context.authorize.latency")  # REST API only


def test_limits() -> None:
    assert awsdata.ACCESS_LOG_FORMAT_MAX_BYTES == 3072
    assert awsdata.LAMBDA_ENV_MAX_BYTES == 4096
    assert awsdata.MAX_ROUTES_DEFAULT_QUOTA == 300
    assert awsdata.LAMBDA_POLICY_MAX_BYTES == 20480
    assert awsdata.IAM_ROLE_NAME_MAX == 64
    assert awsdata.LAMBDA_NAME_MAX == 64
    assert awsdata.LOG_GROUP_NAME_MAX == 512
    assert awsdata.API_NAME_MAX == 128
    assert awsdata.TAG_KEY_MAX == 128
    assert awsdata.TAG_VALUE_MAX == 256
    assert awsdata.MAX_TAGS_PER_FUNCTION == 50


def test_http_api_equivalents_name_http_api_variables_and_say_why_there_is_none() -> None:
    for name, equivalents in awsdata.HTTP_API_EQUIVALENTS.items():
        assert not is_http_api_context_variable(name), name
        assert all(is_http_api_context_variable(variable) for variable, _ in equivalents), name
        assert bool(equivalents) != (name in awsdata.HTTP_API_LACKS), name
    assert set(awsdata.HTTP_API_LACKS) <= set(awsdata.HTTP_API_EQUIVALENTS)


def test_the_runtime_table_agrees_with_cfn_lint_date_for_date() -> None:
    """cfn-lint's lifecycle data (what its W2531/E2531/E2533 read; the suite leaves those rules out,
    since they read the clock): the same identifiers, deprecation and block-create dates."""
    from cfnlint.data import AdditionalSpecs
    from cfnlint.helpers import load_resource

    theirs = load_resource(AdditionalSpecs, "LmbdRuntimeLifecycle.json")
    ours = {**RUNTIMES, **CONTAINER_ONLY_RUNTIMES}
    assert set(theirs) <= set(ours)
    for identifier, lifecycle in theirs.items():
        runtime = ours[identifier]
        dates = (runtime.deprecated, runtime.block_create)
        assert tuple(d.isoformat() if d else None for d in dates) == (lifecycle["deprecated"], lifecycle["create-block"]), identifier
