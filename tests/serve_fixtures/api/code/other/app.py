"""Same module name as echo's handler, different code: the functions must not share modules."""

import importlib.util
import os


def handler(event, context):
    return {
        "who": "other",
        "routeKey": event["routeKey"],
        "bodyChars": len(event.get("body") or ""),
        "env": {name: os.environ.get(name) for name in ("FLAVOR", "WORD", "SHARED", "OTHER_ONLY")},
        "sees_echo_helper": importlib.util.find_spec("helper") is not None,
        "module": os.path.abspath(__file__),
    }
