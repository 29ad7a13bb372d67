"""Order handlers: list and create orders (stores are injected through the environment)."""

import json
import logging
import os
import uuid

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))


def list_orders(event, context):
    order_id = (event.get("pathParameters") or {}).get("order_id")
    page_size = int(os.environ.get("PAGE_SIZE", "50"))
    logger.debug("listing orders", extra={"order_id": order_id, "page_size": page_size})
    if order_id:
        return {"statusCode": 200, "body": json.dumps({"id": order_id, "status": "unknown"})}
    return {"statusCode": 200, "body": json.dumps({"orders": [], "pageSize": page_size})}


def create_order(event, context):
    try:
        order = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return {"statusCode": 400, "body": json.dumps({"message": "the body must be JSON"})}
    if not order.get("items"):
        return {"statusCode": 422, "body": json.dumps({"message": "an order needs items"})}
    order_id = str(uuid.uuid4())
    logger.info("order accepted", extra={"order_id": order_id})
    return {
        "statusCode": 201,
        "headers": {"location": f"/orders/{order_id}", "x-request-id": context.aws_request_id},
        "body": json.dumps({"id": order_id}),
    }
