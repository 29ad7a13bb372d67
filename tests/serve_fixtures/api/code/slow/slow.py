"""Sleeps past its 1 s timeout."""

import time


def handler(event, context):
    print("slow starts")
    time.sleep(5)
    return "too late"
