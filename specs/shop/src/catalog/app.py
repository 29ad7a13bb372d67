"""The public catalog; also answers every path no other route matches."""

PRODUCTS = {
    "books": {"dune": {"title": "Dune", "price": 9.99}},
    "games": {"go": {"title": "Go board", "price": 49.0}},
}


def handler(event, context):
    params = event.get("pathParameters") or {}
    category, item = params.get("category"), params.get("item")
    if category is None:
        if event.get("rawPath") in ("/", "/v1", "/v1/"):
            return {"categories": sorted(PRODUCTS)}
        return {"statusCode": 404, "body": '{"message":"no such page"}'}
    product = PRODUCTS.get(category, {}).get(item)
    if product is None:
        return {"statusCode": 404, "body": '{"message":"no such product"}'}
    return product
