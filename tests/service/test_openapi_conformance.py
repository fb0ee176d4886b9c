"""The OpenAPI document says what the service does: which operations need a token (called without one, an
operation answers 401 exactly when its declared security requires a token), what a 405 allows, and the
answers given before any handler runs (400, 413, 429)."""

from __future__ import annotations

from typing import Any

from tests.service.support import Office

PATH_VALUES = {
    "year": "2024",
    "unit": "370102",
    "version": "1",
    "fmt": "html",
    "system_id": "jinan-district-digital",
    "token_id": "1",
    "kind": "coordination",
    "department": "JN-TJJ",
    "indicator": "DI-02",
    "evidence_id": "1",
}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/rounds"): {"json": {"year": 2024, "system_id": "x", "version": "1"}},
    ("post", "/rounds/{year}/units/{unit}/submissions/{version}/review"): {"json": {"decision": "accept"}},
    ("post", "/tokens"): {"json": {"role": "admin"}},
    ("post", "/systems"): {"files": {"file": ("s.yaml", b"id: x\n", "application/yaml")}},
    ("post", "/rounds/{year}/units/{unit}/submissions"): {"files": {"file": ("f.csv", b"a\n", "text/csv")}},
    ("post", "/rounds/{year}/departments/{department}/submissions/{version}/review"): {
        "json": {"decision": "accept"}
    },
    ("post", "/rounds/{year}/departments/{department}/submissions"): {
        "files": {"file": ("f.csv", b"a\n", "text/csv")}
    },
    ("post", "/rounds/{year}/units/{unit}/submissions/{version}/evidence/{indicator}"): {
        "files": {"file": ("e.pdf", b"%PDF-1.4\n", "application/pdf")}
    },
}


def operations(office: Office) -> list[tuple[str, str, dict[str, Any]]]:
    spec = office.client.get("/openapi.json").json()
    return [(method, path, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def test_declared_security_is_what_the_service_does(office: Office) -> None:
    seen = {"required": 0, "optional": 0, "none": 0}
    for method, path, operation in operations(office):
        security = operation.get("security")
        kind = "none" if not security else ("optional" if {} in security else "required")
        seen[kind] += 1
        url = path.format(**PATH_VALUES)
        response = office.client.request(method.upper(), url, **BODIES.get((method, path), {}))
        if kind == "required":
            assert response.status_code == 401, (method, path, response.status_code)
            assert "429" in operation["responses"]
        else:
            assert response.status_code != 401, (method, path, kind)
    assert seen["required"] >= 15 and seen["optional"] == 8 and seen["none"] >= 6, seen


def test_operations_with_a_body_declare_400_and_413(office: Office) -> None:
    for method, path, operation in operations(office):
        if "requestBody" in operation:
            assert {"400", "413"} <= set(operation["responses"]), (method, path)
    broken = office.client.post(
        "/rounds", content=b"{not json", headers=office.admin | {"Content-Type": "application/json"}
    )
    assert broken.status_code in (400, 422)


def test_a_405_allows_every_method_of_the_path(office: Office) -> None:
    for path, allowed in (("/rounds", "GET, POST"), ("/tokens", "POST"), ("/health", "GET")):
        refused = office.client.request("DELETE", path)
        assert refused.status_code == 405 and refused.headers["allow"] == allowed, path
    refused = office.client.put("/rounds/2024/units/370102/submissions")
    assert refused.headers["allow"] == "GET, POST"
