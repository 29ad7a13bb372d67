"""Says which route answered."""


def handler(event, context):
    return {"routeKey": event["routeKey"], "method": event["requestContext"]["http"]["method"]}
