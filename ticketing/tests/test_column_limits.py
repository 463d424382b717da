"""Every request field that feeds a column carries the column's limit, so input beyond it is a
400 naming the field and never a database error (an e-mail of 255+ characters in an order was
a 500, ``DataError``). The fields come from the OpenAPI schema (every operation with a request
body, every string property in it), the limits from the models; each operation says which
models it writes, and a field that feeds no length-limited column says so — a new field or
operation fails here until it is classified."""

from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Profile
from events.models import SessionNote, Speaker
from ticketing.models import CheckIn, Order, OrderPosition, ScanLog, Voucher

# Formats whose values are parsed, not stored as text.
PARSED_FORMATS = {"date-time", "date", "time", "uuid", "binary"}

# operation -> the models whose columns its body fields feed (matched by field name)
WRITES: dict[str, list[type[models.Model]]] = {
    "POST /api/v1/events/{event_id}/orders": [Order, OrderPosition],
    "POST /api/v1/events/{event_id}/orders/{order_code}/checkout-session": [],
    "POST /api/v1/events/{event_id}/scanner/scan": [ScanLog, CheckIn],
    "POST /api/v1/events/{event_id}/scanner/batch": [ScanLog, CheckIn],
    "POST /api/v1/events/{event_id}/scanner/undo": [],
    "PATCH /api/v1/me": [Profile],
    "PATCH /api/v1/events/{event_id}/speakers/me": [Speaker],
    "PUT /api/v1/events/{event_id}/sessions/{session_id}/note": [SessionNote],
}
# (operation, field) -> the column it feeds under another name
ALIASES: dict[tuple[str, str], models.Field] = {
    ("POST /api/v1/events/{event_id}/orders", "voucher"): Voucher._meta.get_field("code"),
}
# (operation, field) -> why it feeds no length-limited column
NO_COLUMN: dict[tuple[str, str], str] = {
    ("POST /api/v1/events/{event_id}/orders/{order_code}/checkout-session", "return_url"): "sent to Stripe",
    ("POST /api/v1/events/{event_id}/scanner/scan", "payload"): "decoded into a ticket id and secret",
    ("POST /api/v1/events/{event_id}/scanner/batch", "scans[].payload"): "decoded into a ticket id and secret",
    ("POST /api/v1/events/{event_id}/scanner/undo", "payload"): "decoded into a ticket id and secret",
    ("PATCH /api/v1/events/{event_id}/speakers/me", "links[].label"): "a JSON column; the service cuts it to 80",
    ("PATCH /api/v1/events/{event_id}/speakers/me", "links[].url"): "a JSON column; URLValidator bounds it",
}


def _request_strings(schema: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """operation -> field path -> its string schema, for every JSON request body."""
    components = schema["components"]["schemas"]

    def walk(node: dict[str, Any], prefix: str, out: dict[str, dict[str, Any]]) -> None:
        if "$ref" in node:
            walk(components[node["$ref"].rsplit("/", 1)[-1]], prefix, out)
            return
        for part in node.get("allOf", []) + node.get("oneOf", []) + node.get("anyOf", []):
            walk(part, prefix, out)
        if node.get("type") == "array" and "items" in node:
            walk(node["items"], f"{prefix}[]", out)
        for name, prop in node.get("properties", {}).items():
            if prop.get("readOnly"):
                continue
            path = f"{prefix}.{name}" if prefix else name
            if prop.get("type") == "string" and "enum" not in prop and prop.get("format") not in PARSED_FORMATS:
                out[path] = prop
            else:
                walk(prop, path, out)

    operations: dict[str, dict[str, dict[str, Any]]] = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" not in content:
                continue
            fields: dict[str, dict[str, Any]] = {}
            walk(content["application/json"]["schema"], "", fields)
            if fields:
                operations[f"{method.upper()} {path}"] = fields
    return operations


@pytest.fixture(scope="module")
def request_strings() -> dict[str, dict[str, dict[str, Any]]]:
    return _request_strings(SchemaGenerator().get_schema(request=None, public=True))


def _columns(operation: str, field: str) -> list[models.Field]:
    if (operation, field) in ALIASES:
        return [ALIASES[(operation, field)]]
    name = field.rsplit(".", 1)[-1].removesuffix("[]")
    found = []
    for model in WRITES[operation]:
        try:
            found.append(model._meta.get_field(name))
        except FieldDoesNotExist:
            pass
    return found


def test_every_operation_with_text_input_is_classified(request_strings):
    assert set(request_strings) == set(WRITES) | {op for op, _ in NO_COLUMN}


def test_every_text_field_that_feeds_a_column_carries_its_limit(request_strings):
    problems = []
    for operation, fields in request_strings.items():
        for field, prop in fields.items():
            columns = _columns(operation, field)
            if not columns:
                if (operation, field) not in NO_COLUMN:
                    problems.append(f"{operation} {field}: feeds which column? (WRITES, ALIASES or NO_COLUMN)")
                continue
            for column in columns:
                if isinstance(column, models.FileField):
                    continue  # an upload: the column holds the storage name we give it
                limit = column.max_length
                if limit is not None and (prop.get("maxLength") is None or prop["maxLength"] > limit):
                    problems.append(
                        f"{operation} {field}: maxLength {prop.get('maxLength')}, column "
                        f"{column.model.__name__}.{column.name} holds {limit}"
                    )
    assert problems == []


def test_every_text_field_without_a_column_is_bounded_all_the_same(request_strings):
    unbounded = [
        f"{operation} {field}"
        for (operation, field) in NO_COLUMN
        if field in request_strings.get(operation, {})
        and "maxLength" not in request_strings[operation][field]
        and "a JSON column" not in NO_COLUMN[(operation, field)]
    ]
    assert unbounded == []


LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 63]) + ".org"  # 260 characters, valid


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"email": LONG_EMAIL}, "email", id="buyer-email"),
        pytest.param({"attendee_email": LONG_EMAIL}, "positions", id="attendee-email"),
        pytest.param({"attendee_name": "N" * 201}, "positions", id="attendee-name"),
        pytest.param({"voucher": "V" * 65}, "voucher", id="voucher"),
    ],
)
def test_an_order_with_a_field_beyond_its_column_is_a_400_naming_it(shop, token_for, body, field):
    assert len(LONG_EMAIL) == 260
    position = {"ticket_type": shop.free.pk, "attendee_name": "A. Guest", "attendee_email": "a@example.org"}
    position.update({k: v for k, v in body.items() if k.startswith("attendee_")})
    order = {"positions": [position], **{k: v for k, v in body.items() if not k.startswith("attendee_")}}
    client = Client(headers={"X-Session-Token": token_for(shop.buyer)}, raise_request_exception=False)

    response = client.post(f"/api/v1/events/{shop.event.pk}/orders", order, content_type="application/json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]
