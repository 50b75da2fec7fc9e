"""A Hypothesis strategy for instances of a decision schema.

Covers exactly the JSON Schema subset that agent/schema.py emits (object with properties,
required and additionalProperties false; array with maxItems; anyOf; enum; const; integer and
number ranges; string minLength). A keyword outside it fails loudly, so the test cannot pass
by generating less than the schema allows.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

_IGNORED = {"$schema", "$id", "title", "description", "type"}
_KNOWN = _IGNORED | {"properties", "required", "additionalProperties", "items", "maxItems", "anyOf", "enum", "const", "minimum", "maximum", "minLength"}


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    unknown = set(schema) - _KNOWN
    assert not unknown, f"decision schemas should not use {unknown}"
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        return st.integers(int(schema["minimum"]), int(schema["maximum"]))
    if kind == "number":
        return st.one_of(
            st.integers(int(-(-schema["minimum"] // 1)), int(schema["maximum"] // 1)),
            st.floats(schema["minimum"], schema["maximum"], allow_nan=False).map(lambda x: round(x * 2) / 2).filter(
                lambda x: schema["minimum"] <= x <= schema["maximum"]
            ),
        )
    if kind == "string":
        return st.text(min_size=schema.get("minLength", 0), max_size=20)
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=schema.get("maxItems", 5))
    if kind == "object":
        assert schema.get("additionalProperties") is False
        props, required = schema["properties"], set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: from_schema(v) for k, v in props.items() if k in required},
            optional={k: from_schema(v) for k, v in props.items() if k not in required},
        )
    raise AssertionError(f"unexpected schema {schema}")
