"""The plumbing's part of the cross-tenant matrix (see eventhub.testing.tenant_matrix): user
media are served by their random file names, like a bearer link."""

from eventhub.testing.tenant_matrix import TenantObjects

TENANT_OBJECTS = TenantObjects(
    missing={},
    populate=lambda tenant: {},
    rows=lambda organization_id, event_ids: {},
    bearer_kwargs={
        "media_path": "user media (/media/<path>): random file names (eventhub/images.py), public by link "
        "as behind nginx",
    },
)
