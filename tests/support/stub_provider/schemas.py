"""The provider schemas the stub serves: the project's test data, turned into protocol messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.stub_provider.cty import type_json

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "terraform-provider-schema"
PROVIDERS = {"aws": "6.47.0", "archive": "2.4.2"}  # the versions the test data was captured from

Block = dict[str, Any]  # a `block` of `terraform providers schema -json`

NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}


@dataclass(frozen=True)
class ProviderSchema:
    """One provider's configuration block and its resource and data source blocks (with versions)."""

    config: Block
    resources: dict[str, tuple[int, Block]]
    data_sources: dict[str, tuple[int, Block]]


def load(provider: str) -> ProviderSchema:
    """The schema of `aws` or `archive` from the test data, with its configuration block."""
    data = json.loads((SCHEMA_DIR / f"{provider}.json").read_text(encoding="utf-8"))
    config = json.loads((SCHEMA_DIR / "provider-config" / f"{provider}.json").read_text(encoding="utf-8"))
    return ProviderSchema(
        config=config["block"],
        resources={name: (s.get("version", 0), s["block"]) for name, s in data["resource_schemas"].items()},
        data_sources={name: (s.get("version", 0), s["block"]) for name, s in data["data_source_schemas"].items()},
    )


def to_proto(pb: Any, block: Block, version: int = 0) -> Any:
    """A `tfplugin6.Schema` message for a schema block (`pb` is the generated protobuf module)."""
    return pb.Schema(version=version, block=_block(pb, block))


def _block(pb: Any, block: Block) -> Any:
    return pb.Schema.Block(
        attributes=[_attribute(pb, name, a) for name, a in sorted((block.get("attributes") or {}).items())],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=name,
                block=_block(pb, nested["block"]),
                nesting=NESTING[nested["nesting_mode"]],
                min_items=nested.get("min_items", 0),
                max_items=nested.get("max_items", 0),
            )
            for name, nested in sorted((block.get("block_types") or {}).items())
        ],
        description=block.get("description", ""),
        deprecated=bool(block.get("deprecated")),
    )


def _attribute(pb: Any, name: str, attribute: dict[str, Any]) -> Any:
    message = pb.Schema.Attribute(
        name=name,
        description=attribute.get("description", ""),
        required=bool(attribute.get("required")),
        optional=bool(attribute.get("optional")),
        computed=bool(attribute.get("computed")),
        sensitive=bool(attribute.get("sensitive")),
        deprecated=bool(attribute.get("deprecated")),
    )
    if "nested_type" in attribute:
        nested = attribute["nested_type"]
        message.nested_type.CopyFrom(
            pb.Schema.Object(
                attributes=[_attribute(pb, n, a) for n, a in sorted(nested["attributes"].items())],
                nesting=NESTING[nested["nesting_mode"]],
            )
        )
    else:
        message.type = type_json(attribute["type"])
    return message
