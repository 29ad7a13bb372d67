"""Identity sources (`$request.header.X`, `$request.querystring.X`, `$context.X`, `$stageVariables.X`) read from a request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from compiler.serve.events import Request, query_values

HEADER, QUERY, CONTEXT, STAGE = "$request.header.", "$request.querystring.", "$context.", "$stageVariables."


def identity_value(source: str, request: Request, context: Mapping[str, str], stage_variables: Mapping[str, str]) -> str | None:
    """One identity source's value, or None when the request does not carry it (or carries it empty).

    Header names are case-insensitive and query names case-sensitive, as API Gateway documents; repeated
    ones are joined with `,` as in the 2.0 event. `context` holds the `$context` variables serve knows.
    """
    if source.startswith(HEADER):
        value = request.header(source[len(HEADER) :].lower())
    elif source.startswith(QUERY):
        values = query_values(request.raw_query).get(source[len(QUERY) :])
        value = ",".join(values) if values else None
    elif source.startswith(CONTEXT):
        value = context.get(source[len(CONTEXT) :])
    elif source.startswith(STAGE):
        value = stage_variables.get(source[len(STAGE) :])
    else:
        value = None
    return value or None


def identity_values(
    sources: Sequence[str], request: Request, context: Mapping[str, str], stage_variables: Mapping[str, str] | None = None
) -> list[str] | None:
    """Every source's value in order, or None when one is missing (API Gateway then answers 401 without
    invoking the authorizer)."""
    values: list[str] = []
    for source in sources:
        value = identity_value(source, request, context, stage_variables or {})
        if value is None:
            return None
        values.append(value)
    return values
