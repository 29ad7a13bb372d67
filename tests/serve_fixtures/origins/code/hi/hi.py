"""Answers, so that the CORS headers around the answer can be checked."""


def handler(event, context):
    return "hi"
