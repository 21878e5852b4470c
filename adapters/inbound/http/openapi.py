"""What the OpenAPI document promises beyond what Litestar writes by itself (decision 0021): bodies
that refuse unknown fields say so, the member token is a declared bearer scheme, the framework's
own answers are described as they are, and links tell a client (and schemathesis's stateful
phase) which answer feeds which next request."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Components, Link, OpenAPIResponse, Schema, SecurityScheme

from adapters.inbound.http.problems import UNSUPPORTED_MEDIA_TYPE

BEARER_SCHEME = "memberToken"  # the scheme's name in the document, not a token
SECURITY_COMPONENTS = Components(
    security_schemes={
        BEARER_SCHEME: SecurityScheme(
            type="http",
            scheme="bearer",
            description="A member's token (an admin's for the routes that change things).",
        )
    }
)
MEMBERS_ONLY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]


class StrictStructs(StructSchemaPlugin):
    """Litestar's schema of a msgspec Struct, plus ``additionalProperties: false`` when the Struct
    forbids unknown fields (msgspec refuses them, so the document must not allow them)."""

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields:
            schema.additional_properties = False
        return schema


def _body(pointer: str) -> str:
    return f"$response.body#/{pointer}"


_DASHBOARD = {"dashboard_id": _body("id")}
_WIDGET = {"dashboard_id": "$request.path.dashboard_id", "widget_id": _body("id")}
# (operation, status) → the operations its answer leads to, with the parameters it fills.
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("createDashboard", "201"): {
        "ReadIt": ("getDashboard", _DASHBOARD),
        "RenameIt": ("renameDashboard", _DASHBOARD),
        "AddAWidget": ("addWidget", _DASHBOARD),
        "DeleteIt": ("deleteDashboard", _DASHBOARD),
    },
    ("getDashboard", "200"): {
        "AddAWidget": ("addWidget", _DASHBOARD),
        "RenameIt": ("renameDashboard", _DASHBOARD),
    },
    ("addWidget", "201"): {
        "ItsData": ("getWidgetData", _WIDGET),
        "ConfigureIt": ("configureWidget", _WIDGET),
        "RemoveIt": ("removeWidget", _WIDGET),
    },
    ("configureWidget", "200"): {
        "ItsData": ("getWidgetData", _WIDGET),
        "RemoveIt": ("removeWidget", _WIDGET),
    },
    ("addMember", "201"): {"RevokeThem": ("revokeMember", {"member_id": _body("id")})},
}


def describe(app: Litestar) -> None:
    """Finish the app's document: the framework's answers as they are, and the links."""
    operations = {
        operation.operation_id: operation
        for path_item in (app.openapi_schema.paths or {}).values()
        for operation in (
            path_item.get,
            path_item.put,
            path_item.post,
            path_item.delete,
            path_item.patch,
        )
        if operation is not None
    }
    for operation in operations.values():
        _framework_answers(operation)
    for (source, status), targets in LINKS.items():
        response = (operations[source].responses or {}).get(status)
        assert isinstance(response, OpenAPIResponse), (source, status)
        response.links = {
            name: Link(operation_id=target, parameters=parameters)
            for name, (target, parameters) in targets.items()
        }


def _framework_answers(operation: Any) -> None:
    """Litestar documents a generic 400 for every route with inputs; ours answer malformed input
    with the 422 problem each route documents, so the 400 entries would only mislead clients.
    Every route with a body answers 415 for a body that is not JSON (``readable_body``): its entry
    is the 422's problem schema under its own status."""
    if not operation.responses:
        return
    operation.responses.pop("400", None)
    malformed = operation.responses.get("422")
    if operation.request_body is not None and isinstance(malformed, OpenAPIResponse):
        operation.responses["415"] = OpenAPIResponse(
            description=UNSUPPORTED_MEDIA_TYPE.slug, content=malformed.content
        )
        operation.responses = dict(sorted(operation.responses.items()))
