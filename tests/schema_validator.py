"""A small validator of configuration profiles against Apple's YAML schema (tests/apple_schema).

It checks what Apple's files state and iOS enforces or relies on: required keys, known keys
only, value types, allowed values (``rangelist``), string formats, and unique
PayloadIdentifier / PayloadUUID across the whole profile. The schema format
is described in ``docs/schema.md`` of apple/device-management.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SCHEMA_DIR = Path(__file__).parent / "apple_schema"

#: Payload types we have a schema file for.
PAYLOAD_FILES = {"com.apple.mail.managed": "com.apple.mail.managed.yaml"}

#: Schema type -> Python types plistlib produces for it.
_TYPES: dict[str, tuple[type, ...]] = {
    "<string>": (str,),
    "<integer>": (int,),
    "<boolean>": (bool,),
    "<array>": (list,),
    "<dictionary>": (dict,),
    "<data>": (bytes,),
    "<date>": (dt.datetime,),
    "<real>": (float, int),
}


@dataclass(frozen=True)
class KeySpec:
    """One key of the schema."""

    key: str
    type: str
    presence: str
    rangelist: tuple[Any, ...] | None
    format: str | None
    subkeys: tuple[dict[str, Any], ...]


@cache
def key_specs(file_name: str) -> dict[str, KeySpec]:
    """The payload keys of one schema file, by name."""
    document = yaml.safe_load((SCHEMA_DIR / file_name).read_text(encoding="utf-8"))
    specs = {}
    for raw in document["payloadkeys"]:
        specs[raw["key"]] = KeySpec(
            key=raw["key"],
            type=raw["type"],
            presence=raw.get("presence", "optional"),
            rangelist=tuple(raw["rangelist"]) if "rangelist" in raw else None,
            format=raw.get("format"),
            subkeys=tuple(raw.get("subkeys") or ()),
        )
    return specs


def _type_ok(value: Any, schema_type: str) -> bool:
    if schema_type == "<any>":
        return True
    expected = _TYPES.get(schema_type)
    if expected is None:
        raise ValueError(f"schema type {schema_type} is not handled by this validator")
    # bool is a subclass of int in Python; a <true/> is never a valid <integer> or <real>.
    if isinstance(value, bool) and schema_type != "<boolean>":
        return False
    return isinstance(value, expected)


def _check_dict(where: str, values: dict[str, Any], specs: dict[str, KeySpec]) -> list[str]:
    errors = []
    for name, spec in specs.items():
        if spec.presence == "required" and name not in values:
            errors.append(f"{where}: required key {name} is missing")
    for name, value in values.items():
        found = specs.get(name)
        if found is None:
            errors.append(f"{where}: unknown key {name}")
            continue
        spec = found
        if not _type_ok(value, spec.type):
            errors.append(f"{where}: key {name} should be {spec.type}, got {type(value).__name__}")
            continue
        if spec.rangelist is not None and value not in spec.rangelist:
            errors.append(f"{where}: key {name} = {value!r} is not one of {list(spec.rangelist)}")
        if spec.format and isinstance(value, str) and not re.fullmatch(spec.format, value):
            errors.append(f"{where}: key {name} = {value!r} does not match {spec.format}")
    return errors


def validate_profile(profile: Any) -> list[str]:
    """Every way ``profile`` (a parsed plist) breaks Apple's schema; empty when it is valid."""
    if not isinstance(profile, dict):
        return [f"profile: top level should be <dictionary>, got {type(profile).__name__}"]
    errors = _check_dict("profile", profile, key_specs("TopLevel.yaml"))
    identifiers: list[str] = [profile.get("PayloadIdentifier", "")]
    uuids: list[str] = [str(profile.get("PayloadUUID", "")).upper()]
    content = profile.get("PayloadContent", [])
    if not isinstance(content, list):
        return errors
    if not content:
        errors.append("profile: PayloadContent is empty")
    common = key_specs("CommonPayloadKeys.yaml")
    for index, payload in enumerate(content):
        where = f"payload {index}"
        if not isinstance(payload, dict):
            errors.append(f"{where}: should be <dictionary>, got {type(payload).__name__}")
            continue
        payload_type = payload.get("PayloadType")
        file_name = PAYLOAD_FILES.get(str(payload_type))
        if file_name is None:
            errors.append(f"{where}: no schema for PayloadType {payload_type!r}")
            continue
        # A payload may use the common keys and its own; its own win where both define one.
        specs = {**common, **key_specs(file_name)}
        errors += _check_dict(f"{where} ({payload_type})", payload, specs)
        identifiers.append(payload.get("PayloadIdentifier", ""))
        uuids.append(str(payload.get("PayloadUUID", "")).upper())
    for label, found in (("PayloadIdentifier", identifiers), ("PayloadUUID", uuids)):
        duplicates = sorted({value for value in found if found.count(value) > 1})
        for value in duplicates:
            errors.append(f"profile: {label} {value!r} is used more than once")
    return errors
