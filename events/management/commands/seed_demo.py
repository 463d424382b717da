"""The demo event (DESIGN §5). Idempotent: running it again changes nothing that exists."""

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from accounts.models import Profile, User
from events.agenda.demo import seed_agenda
from events.enums import EventStatus, EventVisibility, MemberRole, ParticipantKind
from events.models import Event, Organization, OrganizationMember, Participant, Room
from ticketing.demo import seed_ticketing

ATTENDEES = 200
ROOMS = [("Main Hall", 800, "Ground floor"), ("Workshop Room", 60, "First floor"), ("Room B", 150, "First floor")]


class Command(BaseCommand):
    help = "Create (or complete) the demo organization, conference and accounts."

    @transaction.atomic
    def handle(self, *args, **options):
        password = make_password(os.environ.get("DEMO_PASSWORD", "eventhub-demo"))
        with scopes_disabled():
            organization, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": "Demo Events"})
            tz = ZoneInfo("Europe/Berlin")
            start = datetime(2026, 12, 8, 9, 0, tzinfo=tz)
            event, _ = Event.objects.get_or_create(
                organization=organization,
                slug="eventhub-conf-2026",
                defaults={
                    "name": "EventHub Conf 2026",
                    "timezone": "Europe/Berlin",
                    "start": start,
                    "end": start + timedelta(days=2, hours=9),
                    "venue_name": "Berlin Congress Center",
                    "venue_address": "Alexanderstraße 11, 10178 Berlin, Germany",
                    "description": "Three days of talks, workshops and hallway track about running live events.",
                    "status": EventStatus.PUBLISHED,
                    "visibility": EventVisibility.PUBLIC,
                    "open_registration": True,
                },
            )
            for position, (name, capacity, floor) in enumerate(ROOMS):
                Room.objects.get_or_create(
                    event=event, name=name, defaults={"capacity": capacity, "floor": floor, "position": position}
                )

            def account(email: str, full_name: str) -> User:
                user, created = User.objects.get_or_create(email=email, defaults={"password": password})
                Profile.objects.get_or_create(user=user, defaults={"full_name": full_name})
                return user

            members = [
                ("organizer@example.com", "Olivia Organizer", MemberRole.OWNER),
                ("staff@example.com", "Sam Staff", MemberRole.OPERATOR),
            ]
            for email, name, role in members:
                OrganizationMember.objects.get_or_create(
                    organization=organization, user=account(email, name), defaults={"role": role}
                )
            participants = [
                ("speaker@example.com", "Sofia Speaker", ParticipantKind.SPEAKER),
                ("vendor@example.com", "Victor Vendor", ParticipantKind.VENDOR),
            ] + [
                (f"attendee{i}@example.com", f"Attendee {i}", ParticipantKind.ATTENDEE) for i in range(1, ATTENDEES + 1)
            ]
            people = {}
            for email, name, kind in participants:
                people[email] = account(email, name)
                Participant.objects.get_or_create(event=event, user=people[email], defaults={"kind": kind})
            seed_agenda(
                event=event,
                organizer=User.objects.get(email="organizer@example.com"),
                speaker_user=people["speaker@example.com"],
                attendees=[people[f"attendee{i}@example.com"] for i in range(1, ATTENDEES + 1)],
            )
            seed_ticketing(event=event, attendees=[people[f"attendee{i}@example.com"] for i in range(1, ATTENDEES + 1)])
        self.stdout.write(
            self.style.SUCCESS(f"Demo event ready: {event.name} (id {event.pk}, organization '{organization.slug}')")
        )
