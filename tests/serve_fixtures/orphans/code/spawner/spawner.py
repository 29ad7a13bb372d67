"""Starts a long-lived child process; /hold then keeps the worker busy, /spawn returns at once."""

import subprocess
import sys
import time


def handler(event, context):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    print(f"child {child.pid}")
    if event["rawPath"] == "/hold":
        time.sleep(50)
    return {"child": child.pid}
