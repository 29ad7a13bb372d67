"""The test rewrites this file while the server runs."""

import os

VERSION = 1


def handler(event, context):
    return {"version": VERSION, "pid": os.getpid()}
