"""How an app joins the cross-tenant matrix (``eventhub/tests/test_tenant_matrix.py``).

An app whose routes take URL kwargs of its own (``session_id``, ``order_id`` …) puts a module
``<app>/tests/tenant_objects.py`` next to its tests that defines ``TENANT_OBJECTS``, a
:class:`TenantObjects`. The matrix imports it for every installed project app, so an app never
edits the shared matrix: it says how to build its objects for a tenant, which value of each
kwarg names nothing, and which of its rows must stay unchanged when another tenant pokes at them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TenantObjects:
    # URL kwarg -> a value of the right type that names no object ("missing").
    missing: dict[str, Any]
    # populate(tenant) creates the app's objects for one tenant (scopes are disabled around the
    # call; ``tenant`` has .organization, .owner, .member, .event, .room) and returns the value
    # of each kwarg in ``missing`` for that tenant. It runs once per test module (the world is
    # shared by every case and rolled back after each), so it must not depend on the test.
    populate: Callable[[Any], dict[str, Any]]
    # rows(organization_id, event_ids) -> {label: [row dicts, ordered]}: the tenant's rows of the
    # app's tables; put table sizes in too so that an insert anywhere shows. Read only when a
    # request other than GET wrote a row (a GET must write none; eventhub.testing.db).
    rows: Callable[[int, list[int]], dict[str, Any]]
    # Extra form fields sent with unsafe requests, so that a missing check changes a row
    # instead of failing validation.
    payload: dict[str, Any] = field(default_factory=dict)
    # URL kwargs that carry a bearer secret (a display link, a calendar feed token): routes
    # whose kwargs are all bearer kwargs are outside the matrix, with the reason given here.
    bearer_kwargs: dict[str, str] = field(default_factory=dict)
