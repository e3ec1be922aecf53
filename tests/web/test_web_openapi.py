"""The OpenAPI page of the live server shows the shape of every JSON answer, field by field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from web.conftest import WebServer

#: FastAPI's own answer to a malformed request (a missing or out-of-range parameter): its
#: ``input`` and ``ctx`` hold whatever was sent, by nature of any type.
FRAMEWORK_SCHEMAS = {"#/components/schemas/HTTPValidationError"}
#: What a schema may say about a value besides its type.
_ANNOTATIONS = {"title", "description", "default", "examples", "deprecated"}


@pytest.fixture(scope="module")
def openapi(web_server: WebServer) -> dict[str, Any]:
    answer = requests.get(web_server.url + "/api/openapi.json", timeout=60)
    assert answer.status_code == 200
    schema: dict[str, Any] = answer.json()
    return schema


def _json_answers(openapi: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(« METHOD path status », schema) of every JSON answer of every operation."""
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if "application/json" in content:
                    where = f"{method.upper()} {path} {status}"
                    yield where, content["application/json"].get("schema", {})


def _untyped(schema: Any, components: dict[str, Any], seen: set[str], where: str) -> list[str]:
    """Where ``schema`` holds a value of no declared type, or an object of no declared fields.

    A map whose values have a declared type passes: the result rows of a list are keyed by
    the file's own column names, which no schema can know (``colonnes`` lists them)."""
    if not isinstance(schema, dict) or not set(schema) - _ANNOTATIONS:
        return [f"{where}: no type"]
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in FRAMEWORK_SCHEMAS or ref in seen:
            return []
        seen.add(ref)
        target = components[ref.rsplit("/", 1)[-1]]
        return _untyped(target, components, seen, ref)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for n, part in enumerate(schema.get(key, [])):
            found += _untyped(part, components, seen, f"{where}.{key}[{n}]")
    if "items" in schema:
        found += _untyped(schema["items"], components, seen, f"{where}[]")
    properties = schema.get("properties", {})
    for name, part in properties.items():
        found += _untyped(part, components, seen, f"{where}.{name}")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found += _untyped(extra, components, seen, f"{where}.*")
    elif schema.get("type") == "object" and (not properties or extra is True):
        found.append(f"{where}: object without declared fields")
    return found


def test_every_json_answer_has_a_typed_schema(openapi: dict[str, Any]) -> None:
    components = openapi.get("components", {}).get("schemas", {})
    answers = list(_json_answers(openapi))
    assert answers
    problems = [p for where, s in answers for p in _untyped(s, components, set(), where)]
    assert not problems, "\n".join(problems)


def test_every_route_answers_json_with_a_schema(openapi: dict[str, Any]) -> None:
    """Every operation of the page has a success answer with a JSON schema (a file, too,
    is offered beside JSON, never instead of it)."""
    bare = [
        f"{method.upper()} {path}"
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
        if not any(
            status.startswith("2") and "application/json" in response.get("content", {})
            for status, response in operation["responses"].items()
        )
    ]
    assert not bare, bare


def test_the_answers_of_the_api_are_on_the_page(openapi: dict[str, Any]) -> None:
    """The answers people script against, with their fields (a few named here)."""
    components = openapi["components"]["schemas"]
    place = components["PlaceAnswer"]["properties"]
    assert {"commune_code", "zone", "decree", "verdict", "motif", "to_verify"} <= set(place)
    assert components["PlaceAnswer"].get("additionalProperties") is False
    check = openapi["paths"]["/api/check"]["get"]["responses"]
    assert check["200"]["content"]["application/json"]["schema"]["$ref"].endswith("PlaceAnswer")
    assert check["404"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorAnswer")
    batch = openapi["paths"]["/api/batch"]["post"]["responses"]["200"]["content"]
    assert "text/csv" in batch and batch["application/json"]["schema"]["$ref"].endswith(
        "BatchAnswer"
    )
