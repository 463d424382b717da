"""Backup and restore as docs/production.md says to do them: scripts/backup-db (pg_dump -Fc) of
the test database with data in it, scripts/restore-db (pg_restore) into a new database, and every
table compared row for row."""

import os
import subprocess
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django_scopes import scopes_disabled

from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import event_stream
from eventhub.testing.factories import EventFactory, ParticipantFactory
from eventhub.testing.live import ROOT, session_token_for
from eventhub.testing.live import test_database_url as live_database_url

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

TABLE_DIGESTS = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname
"""


def digests(cursor) -> dict[str, tuple[int, str | None]]:
    """Every table's row count and the md5 of its rows in a stable order."""
    cursor.execute(TABLE_DIGESTS)
    tables = [name for (name,) in cursor.fetchall()]
    result = {}
    for table in tables:
        cursor.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{table}\" t")  # noqa: S608
        result[table] = cursor.fetchone()
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
    result["(sequences)"] = tuple(cursor.fetchall())
    return result


@pytest.fixture
def restored_database_url(tmp_path):
    name = f"{settings.DATABASES['default']['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin_url = live_database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_new_database_with_every_row(tmp_path, restored_database_url):
    with scopes_disabled():
        event = EventFactory()
        user = ParticipantFactory(event=event).user
        session_token_for(user)
        for n in range(5):
            with transaction.atomic():
                stream_append(stream=event_stream(event.pk), type="test.tick", data={"n": n, "text": "ünïcødé"})
    archive = tmp_path / "backups" / "eventhub.dump"
    env = dict(os.environ, DATABASE_URL=live_database_url())

    backup = subprocess.run(
        [str(ROOT / "scripts" / "backup-db"), str(archive)], env=env, capture_output=True, text=True, check=False
    )
    assert backup.returncode == 0, backup.stderr
    restore = subprocess.run(
        [str(ROOT / "scripts" / "restore-db"), str(archive)],
        env=dict(env, DATABASE_URL=restored_database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    assert restore.returncode == 0, restore.stderr

    with connection.cursor() as cursor:
        original = digests(cursor)
    with psycopg.connect(restored_database_url) as restored, restored.cursor() as cursor:
        copy = digests(cursor)
    assert original["realtime_streamentry"][0] == 5
    assert original["events_event"][0] >= 1
    assert copy == original
