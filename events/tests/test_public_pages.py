"""The public event pages, through plain HTTP (no JavaScript): what a visitor, a search engine
and a link preview read, in the event's zone, and nothing of drafts or private events."""

import re

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from eventhub.testing.factories import EventFactory, MemberFactory, ParticipantFactory, UserFactory
from events.enums import EventStatus, EventVisibility, MemberRole
from events.services.agenda import session_update

from .agenda_world import build_world

pytestmark = pytest.mark.django_db


# The site's 404 page embeds a CSRF token, masked afresh per response.
_CSRF_TOKEN = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+')


def _body(response) -> bytes:
    return _CSRF_TOKEN.sub(rb"\1<csrf-token>", response.content)


def _get(url: str, client: Client | None = None):
    return (client or Client()).get(url)


def test_event_page_shows_the_event_and_its_schedule_in_the_events_zone():
    world = build_world(name="PyCon Berlin", venue_name="bcc", description="Three days of Python.")

    response = _get(f"/events/{world.event.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>PyCon Berlin</h1>" in html
    assert "Tue 10 Jun 2031, 09:00" in html  # 09:00 CEST, stored as 07:00 UTC
    assert "(Europe/Berlin time)" in html
    assert "bcc" in html
    assert "Three days of Python." in html
    # the schedule: day headings, times, rooms, speakers with links
    assert "Tuesday 10 June 2031" in html
    assert re.search(r">09:00</time>–<time[^>]*>10:00</time>", html)
    keynote = world.sessions["keynote"]
    assert f'href="/events/{world.event.pk}/sessions/{keynote.pk}/"' in html
    assert "Opening keynote" in html
    assert "Hall A" in html
    ada = world.speakers["ada"]
    assert f'href="/events/{world.event.pk}/speakers/{ada.pk}/">Ada Lovelace</a>' in html
    assert f'href="/app/#/e/{world.event.pk}/agenda"' in html
    assert "<script" not in html.replace('<script type="application/ld+json">', "")  # no JavaScript needed


def test_event_page_carries_title_description_opengraph_and_structured_data():
    world = build_world(name="PyCon Berlin", description="Three days of Python.\nAnd a sprint.")

    html = _get(f"/events/{world.event.pk}/").content.decode()

    assert "<title>PyCon Berlin · EventHub</title>" in html
    assert '<meta name="description" content="Three days of Python. And a sprint.">' in html
    assert '<meta property="og:title" content="PyCon Berlin">' in html
    assert f'<meta property="og:url" content="http://testserver/events/{world.event.pk}/">' in html
    assert f'<link rel="canonical" href="http://testserver/events/{world.event.pk}/">' in html
    assert '"@type": "Event"' in html
    assert '"startDate": "2031-06-10T09:00:00+02:00"' in html
    assert 'name="robots"' not in html


def test_event_page_structured_data_cannot_close_its_script():
    world = build_world(name="</script><script>alert(1)</script>")

    html = _get(f"/events/{world.event.pk}/").content.decode()

    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html


def test_unlisted_event_page_is_shared_by_link_but_not_indexed():
    world = build_world(visibility=EventVisibility.UNLISTED)

    response = _get(f"/events/{world.event.pk}/")

    assert response.status_code == 200
    assert b'<meta name="robots" content="noindex">' in response.content


@pytest.mark.parametrize(
    ("status", "visibility"),
    [(EventStatus.DRAFT, EventVisibility.PUBLIC), (EventStatus.PUBLISHED, EventVisibility.PRIVATE)],
    ids=["draft", "private"],
)
def test_draft_and_private_events_are_a_404_like_a_missing_id_even_for_their_organizers(status, visibility):
    with scopes_disabled():
        event = EventFactory(status=status, visibility=visibility, name="Secret summit")
        owner = MemberFactory(organization=event.organization, role=MemberRole.OWNER).user
        ParticipantFactory(event=event)
    organizer = Client()
    organizer.force_login(owner)

    for client in (Client(), organizer):
        hidden = _get(f"/events/{event.pk}/", client)
        missing = _get("/events/987654321/", client)
        assert hidden.status_code == missing.status_code == 404
        assert _body(hidden) == _body(missing)
        assert b"Secret summit" not in hidden.content


def test_event_page_is_cacheable_by_shared_caches_and_revalidates():
    world = build_world()
    client = Client()

    first = client.get(f"/events/{world.event.pk}/")
    again = client.get(f"/events/{world.event.pk}/", headers={"If-None-Match": first["ETag"]})

    assert first["Cache-Control"] == "public, max-age=60"
    assert "Cookie" not in first.get("Vary", "")
    assert "csrftoken" not in first.cookies
    assert "sessionid" not in first.cookies
    assert again.status_code == 304


def test_event_page_before_the_first_publish_says_the_schedule_is_not_out():
    world = build_world(publish=False)

    html = _get(f"/events/{world.event.pk}/").content.decode()

    assert "The schedule has not been published yet." in html
    assert "Opening keynote" not in html  # drafts stay drafts
    assert "Ada Lovelace" not in html


def test_event_page_shows_the_published_copy_not_the_draft():
    world = build_world()
    with scopes_disabled():
        session_update(actor=world.editor, session=world.sessions["keynote"], title="Draft title nobody saw")

    html = _get(f"/events/{world.event.pk}/").content.decode()

    assert "Opening keynote" in html
    assert "Draft title nobody saw" not in html


def test_session_page_shows_time_room_speakers_and_app_link():
    world = build_world()
    keynote = world.sessions["keynote"]

    response = _get(f"/events/{world.event.pk}/sessions/{keynote.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<title>Opening keynote · " in html
    assert "Tuesday 10 June 2031, 09:00" in html
    assert "Hall A" in html
    assert "Ada Lovelace" in html
    assert "Welcome to the conference." in html
    assert f'href="/app/#/e/{world.event.pk}/sessions/{keynote.pk}"' in html
    assert response["Cache-Control"] == "public, max-age=60"


def test_speaker_page_lists_their_sessions():
    world = build_world()
    grace = world.speakers["grace"]

    response = _get(f"/events/{world.event.pk}/speakers/{grace.pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Grace Hopper</h1>" in html
    assert "Navy" in html
    assert "Async Django" in html
    assert "Opening keynote" not in html


def test_session_and_speaker_of_another_event_are_404():
    world = build_world()
    other = build_world()
    foreign_session = other.sessions["keynote"].pk
    foreign_speaker = other.speakers["ada"].pk

    assert _get(f"/events/{world.event.pk}/sessions/{foreign_session}/").status_code == 404
    assert _get(f"/events/{world.event.pk}/speakers/{foreign_speaker}/").status_code == 404


def test_public_page_query_count_does_not_grow_with_the_agenda(django_assert_max_num_queries):
    world = build_world()
    with django_assert_max_num_queries(12):
        assert _get(f"/events/{world.event.pk}/").status_code == 200


def test_attendee_signing_in_to_the_portal_is_sent_to_their_events():
    world = build_world(name="PyCon Berlin")
    with scopes_disabled():
        EventFactory(status=EventStatus.DRAFT, name="Unannounced")
    client = Client()
    client.force_login(world.attendee)

    home = client.get("/portal/")
    mine = client.get("/my/events/")
    html = mine.content.decode()

    assert home.status_code == 302
    assert home["Location"] == "/my/events/"
    assert mine.status_code == 200
    assert "PyCon Berlin" in html
    assert f'href="/events/{world.event.pk}/"' in html
    assert f'href="/app/#/e/{world.event.pk}/agenda"' in html
    assert "Create an organization" in html  # still one link away
    assert "Unannounced" not in html


def test_organizer_signing_in_to_the_portal_stays_in_the_portal():
    world = build_world()
    client = Client()
    client.force_login(world.editor)

    assert client.get("/portal/").status_code == 200


def test_my_events_needs_a_sign_in():
    response = Client().get("/my/events/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_with_no_events_gets_the_way_to_the_app():
    client = Client()
    client.force_login(UserFactory())

    html = client.get("/my/events/").content.decode()

    assert "You have no events yet." in html
    assert 'href="/app/"' in html
