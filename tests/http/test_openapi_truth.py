"""What schemathesis found where the service and its OpenAPI document disagreed (issue 11),
each pinned by the behaviour the document now promises."""

from __future__ import annotations

import pytest

from tests.http.client import ADMIN, Api


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/members", "GET, OPTIONS, POST"),
        ("/api/dashboards", "GET, OPTIONS, POST"),
        ("/api/integrations/neon", "DELETE, GET, OPTIONS"),
        ("/api/dashboards/0", "DELETE, GET, OPTIONS, PATCH"),
        ("/api/dashboards/0/widgets/0", "DELETE, OPTIONS, PATCH"),
    ],
)
async def test_options_allows_every_method_of_the_path(api: Api, path: str, methods: str) -> None:
    response = await api.client.options(path)
    assert response.status_code == 204
    assert response.headers.get_list("allow") == [methods]


@pytest.mark.parametrize(
    "board_id",
    [
        "0",
        "{12345678-1234-5678-1234-567812345678}",
        "urn:uuid:12345678-1234-5678-1234-567812345678",
        "12345678123456781234567812345678",
    ],
)
async def test_an_id_that_is_not_a_hyphenated_uuid_is_invalid(api: Api, board_id: str) -> None:
    response = await api.client.get(f"/api/dashboards/{board_id}", headers=ADMIN)
    assert (response.status_code, response.json()["type"]) == (422, "/problems/invalid-request")


async def test_an_upper_case_uuid_names_the_same_dashboard(api: Api) -> None:
    created = await api.client.post("/api/dashboards", json={"name": "Ops"}, headers=ADMIN)
    read = await api.client.get(f"/api/dashboards/{created.json()['id'].upper()}", headers=ADMIN)
    assert read.status_code == 200 and read.json()["id"] == created.json()["id"]


async def test_the_document_declares_what_bodies_refuse(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for name in ("DashboardIn", "MemberIn", "SelectionIn", "WidgetIn", "WidgetPatchIn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["WidgetKind"]["enum"] == ["neon_metrics"]
    extra = await api.client.post(
        "/api/dashboards", json={"name": "Ops", "colour": "red"}, headers=ADMIN
    )
    assert extra.status_code == 422


async def test_the_document_declares_the_bearer_scheme_on_every_api_operation(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    assert document["components"]["securitySchemes"]["memberToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A member's token (an admin's for the routes that change things).",
    }
    for path, item in document["paths"].items():
        for operation in item.values():
            expected: list[dict[str, list[str]]] | None = (
                [{"memberToken": []}] if path.startswith("/api/") else None
            )
            assert operation.get("security") == expected, (path, operation["operationId"])


async def test_metrics_answers_the_content_type_the_document_lists(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    listed = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    response = await api.client.get("/metrics")
    assert list(listed) == [response.headers["content-type"]]
