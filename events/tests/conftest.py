"""Fixtures shared by the events tests that render portal pages for the "Acme Events"
organization (modules may define their own of the same names, which take precedence)."""

import pytest

from eventhub.testing.factories import MemberFactory, OrganizationFactory
from events.enums import MemberRole


@pytest.fixture
def acme_org():
    return OrganizationFactory(name="Acme Events", slug="acme")


@pytest.fixture
def acme_owner(acme_org):
    return MemberFactory(organization=acme_org, role=MemberRole.OWNER, user__email="owner@example.org").user
