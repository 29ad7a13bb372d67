"""The `service.yaml` format: models (`models`), the compiled validator and the JSON Schema."""
