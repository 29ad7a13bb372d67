"""Fails at import, like a handler whose dependency is not installed."""

import apispec_no_such_module  # noqa: F401


def handler(event, context):
    return "never"
