"""The test rewrites this file while the server runs."""

VERSION = 1


def handler(event, context):
    return {"version": VERSION}
