"""The demo logins share one published password, so ``seed_demo`` seeds only a demo (issue 11,
Medium 11): debug on or the embedded SQLite; anything else needs ``--allow-non-demo``, and
``make run``'s ``--if-demo`` skips with a note instead of failing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_seed_demo_on_a_non_debug_postgres_database_refuses_and_creates_nothing():
    with pytest.raises(CommandError, match="Not seeding the demo: DJANGO_DEBUG is off"):
        call_command("seed_demo")

    assert get_user_model().objects.filter(email__endswith="@example.com").count() == 0


@override_settings(DEBUG=False)
def test_seed_demo_if_demo_on_a_non_debug_database_notes_it_and_creates_nothing():
    err = io.StringIO()

    call_command("seed_demo", "--if-demo", stderr=err, stdout=io.StringIO())

    assert "Not seeding the demo" in err.getvalue()
    assert get_user_model().objects.filter(email__endswith="@example.com").count() == 0


@override_settings(DEBUG=False)
def test_seed_demo_allow_non_demo_seeds_the_demo_accounts():
    call_command("seed_demo", "--allow-non-demo", stdout=io.StringIO())

    assert get_user_model().objects.filter(email="organizer@example.com").count() == 1
