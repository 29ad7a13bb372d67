"""Runs on the schedule: the event is the rule's `input` (`{"task": ..., "dry_run": ...}`), or
EventBridge's scheduled-event document for a rule without one."""

import json


def handler(event, context):
    task = event.get("task", "heartbeat")
    print(json.dumps({"task": task, "dry_run": event.get("dry_run", False)}))
    return {"task": task}
