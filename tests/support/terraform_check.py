"""What the real Terraform CLI does not check in a Terraform JSON module, checked against the provider schemas.

`check_module(directory)` merges the `*.tf.json` files in `directory` and returns one readable string
per problem (empty list: nothing found). It checks only:

- `terraform.required_providers`: every provider a block uses is declared, with a `source` and a
  `version` pinned to one major version (`~> 6.0`). Terraform accepts a module without either and
  takes the newest release, breaking changes included.
- deprecated arguments and nested blocks of resources and data sources, and computed-only (read-only)
  arguments that are set. In real use the provider reports these (the plugin SDK's validation), not
  Terraform; the stub provider in `tests/support/stub_provider/` does not validate, so this stays here.
- `terraform.required_version` against the language features the module uses (`moved` blocks need
  Terraform 1.1, ...): the suite runs one Terraform, which accepts what older ones would refuse.

Everything else this checker once did, the real Terraform CLI now does on every output
(`tests/support/real_terraform.py`; each verified by experiment against Terraform 1.15.5): top-level
block types, names declared twice, duplicate JSON properties, unknown or mistyped arguments, required
arguments, nested block counts, meta-arguments and `lifecycle`, variables, outputs, provider blocks,
every reference (declared, with an attribute the provider has, instance keys against `count` and
`for_each`), function names, and references to deprecated attributes (a "Deprecated value used" warning).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Json = Any
Schema = Mapping[str, Any]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "terraform-provider-schema"
# Language features the outputs could use that older Terraform versions refuse, and the first version with each.
NEWER_FEATURES: dict[str, tuple[int, int]] = {
    "moved": (1, 1),
    "import": (1, 5),
    "check": (1, 5),
    "removed": (1, 7),
    "lifecycle.replace_triggered_by": (1, 2),
    "lifecycle.precondition": (1, 2),
    "lifecycle.postcondition": (1, 2),
    "resource terraform_data": (1, 4),
}
META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection", "//"})


@dataclass(frozen=True)
class ProviderSchema:
    """One provider's resource and data source schema blocks, by type."""

    address: str
    version: str
    resources: Mapping[str, Schema]
    data_sources: Mapping[str, Schema]


def load_schemas(directory: Path = SCHEMA_DIR) -> dict[str, ProviderSchema]:
    """The provider schemas of the test data (`aws.json`, `archive.json`) by local name."""
    schemas: dict[str, ProviderSchema] = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        schemas[path.stem] = ProviderSchema(
            address=data["provider"],
            version=data["provider_version"],
            resources={name: s["block"] for name, s in data["resource_schemas"].items()},
            data_sources={name: s["block"] for name, s in data["data_source_schemas"].items()},
        )
    return schemas


def check_module(directory: Path, schemas: Mapping[str, ProviderSchema] | None = None) -> list[str]:
    """Every problem of the Terraform JSON module in `directory` that Terraform itself does not report."""
    schemas = load_schemas() if schemas is None else schemas
    problems: list[str] = []
    declared: dict[str, tuple[str, Json]] = {}  # provider -> (file, its requirement)
    floor: tuple[str, tuple[int, int]] | None = None  # the file and version of `required_version`
    features: dict[str, str] = {}  # feature -> the first file using it
    used: dict[str, str] = {}
    for path in sorted(Path(directory).glob("*.tf.json")):
        module = json.loads(path.read_text(encoding="utf-8"))
        features |= {f: path.name for f in _features(module) if f not in features}
        for terraform in _bodies(module.get("terraform")):
            if isinstance(terraform.get("required_version"), str):
                floor = (path.name, _lowest(terraform["required_version"]))
            for requirements in _bodies(terraform.get("required_providers")):
                declared.update({k: (path.name, v) for k, v in requirements.items() if k != "//"})
        for name in module.get("provider") or {}:
            used.setdefault(name, f"{path.name}: provider {name}")
        for kind in ("resource", "data"):
            for type_, instances in (module.get(kind) or {}).items():
                provider = type_.split("_", 1)[0]
                for name, body in instances.items():
                    where = f"{path.name}: {kind} {type_}.{name}"
                    used.setdefault(provider, where)
                    schema = schemas.get(provider)
                    block = None if schema is None else (schema.resources if kind == "resource" else schema.data_sources).get(type_)
                    if block is None:
                        problems.append(f"{where}: no schema for {type_} in the test data")
                        continue
                    for body_ in _bodies(body):
                        problems += [f"{where}: {p}" for p in _provider_side(body_, block, META_ARGUMENTS)]
    for provider, user in sorted(used.items()):
        if provider not in declared:
            problems.append(f'{user}: provider "{provider}" is not declared in terraform.required_providers')
            continue
        file, requirement = declared[provider]
        problems += [f"{file}: terraform.required_providers.{provider}: {p}" for p in _requirement(requirement, schemas.get(provider))]
    for feature, file in sorted(features.items()):
        needed = NEWER_FEATURES[feature]
        if floor is None or floor[1] < needed:
            version = ".".join(map(str, needed))
            problems.append(f"{file}: {feature} needs Terraform {version}, but required_version admits older ones")
    return problems


def _features(module: dict[str, Json]) -> Iterator[str]:
    """The keys of NEWER_FEATURES a module file uses."""
    yield from (key for key in ("moved", "import", "check", "removed") if key in module)
    for type_, instances in (module.get("resource") or {}).items():
        if f"resource {type_}" in NEWER_FEATURES:
            yield f"resource {type_}"
        for body in (b for value in instances.values() for b in _bodies(value)):
            for lifecycle in _bodies(body.get("lifecycle")):
                yield from (f"lifecycle.{key}" for key in lifecycle if f"lifecycle.{key}" in NEWER_FEATURES)


def _lowest(constraint: str) -> tuple[int, int]:
    """The (major, minor) of the oldest version a `required_version` constraint's floor admits."""
    floors = [
        (int(m.group(2)), int(m.group(3) or 0))
        for clause in constraint.split(",")
        if (m := _CLAUSE.fullmatch(clause)) and (m.group(1) or "=") in ("=", ">=", ">", "~>")
    ]
    return max(floors, default=(0, 0))


def _bodies(value: Json) -> Iterator[dict[str, Json]]:
    """A block's bodies: JSON syntax allows one object or an array of objects."""
    for item in value if isinstance(value, list) else [value] if value is not None else []:
        if isinstance(item, dict):
            yield item


def _provider_side(body: dict[str, Json], block: Schema, skip: frozenset[str] = frozenset({"//"}), path: str = "") -> Iterator[str]:
    """Deprecated arguments and blocks, and arguments the provider computes, set in a body (recursively)."""
    attributes: Mapping[str, Schema] = block.get("attributes") or {}
    block_types: Mapping[str, Schema] = block.get("block_types") or {}
    for key, value in body.items():
        if key in skip:
            continue
        if key in attributes:
            attribute = attributes[key]
            if attribute.get("deprecated"):
                yield f'argument "{path}{key}" is deprecated in the provider schema'
            if attribute.get("computed") and not attribute.get("optional") and not attribute.get("required"):
                yield f'argument "{path}{key}" is computed by the provider (read-only) and cannot be set'
        elif key in block_types:
            nested = block_types[key]
            if nested["block"].get("deprecated"):
                yield f'block "{path}{key}" is deprecated in the provider schema'
            items = value.values() if nested.get("nesting_mode") == "map" and isinstance(value, dict) else _bodies(value)
            for item in items:
                yield from _provider_side(item, nested["block"], path=f"{path}{key}.")


def _requirement(requirement: Json, schema: ProviderSchema | None) -> Iterator[str]:
    source = requirement.get("source") if isinstance(requirement, dict) else None
    version = requirement.get("version") if isinstance(requirement, dict) else None
    if schema is not None and (not isinstance(source, str) or f"registry.terraform.io/{source.lower()}" != schema.address):
        yield f'source {json.dumps(source)} is not {schema.address.removeprefix("registry.terraform.io/")}'
    if not isinstance(version, str) or not _pins_major(version):
        yield f'version {json.dumps(version)} does not pin one major version (e.g. "~> 6.0")'


_CLAUSE = re.compile(r"\s*(=|!=|>=|<=|>|<|~>)?\s*v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-[0-9A-Za-z.-]+)?\s*")


def _pins_major(constraint: str) -> bool:
    """Whether every version the constraint admits has one major version (and it admits some)."""
    lowest: int | None = None
    highest: float | None = None  # the highest major admitted (inclusive)
    for clause in constraint.split(","):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            return False
        op, major, minor, patch = match.group(1) or "=", int(match.group(2)), match.group(3), match.group(4)
        if op in ("=", ">=", ">", "~>"):
            lowest = major if lowest is None else max(lowest, major)
        if op == "=" or (op == "~>" and minor is not None):
            top = float(major)
        elif op in ("<", "<="):
            zero = (minor in (None, "0")) and (patch in (None, "0"))
            top = major - 1 if op == "<" and zero else float(major)
        else:
            continue
        highest = top if highest is None else min(highest, top)
    return lowest is not None and highest is not None and lowest == highest
