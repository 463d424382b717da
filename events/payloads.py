"""The public JSON shape of agenda objects. One definition, used by the attendee API, the offline
bundle and the stream entries, so that a client that applies stream entries to a bundle ends with
exactly what a fresh bundle says."""

from typing import Any

from rest_framework import serializers

from eventhub.api.fields import EventTimeField

from .enums import AnnouncementPriority, AnnouncementTarget, SessionKind, SessionStatus
from .models import Announcement, PublishedSession, Room, Speaker, Track


class RoomPayload(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    capacity = serializers.IntegerField(allow_null=True)
    floor = serializers.CharField()
    accessibility_notes = serializers.CharField()
    position = serializers.IntegerField()


class TrackPayload(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    colour = serializers.CharField()
    position = serializers.IntegerField()


class SpeakerLinkPayload(serializers.Serializer):
    # The JSON key is "label"; the stubs type Field.label (the form label) as a string.
    label = serializers.CharField()  # type: ignore[assignment]  # see above
    url = serializers.URLField()


class SpeakerPayload(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    bio = serializers.CharField()
    company = serializers.CharField()
    job_title = serializers.CharField()
    photo = serializers.SerializerMethodField()
    links = SpeakerLinkPayload(many=True)

    def get_photo(self, speaker: Speaker) -> str | None:
        return speaker.photo.url if speaker.photo else None


class SessionPayload(serializers.Serializer):
    """A published session. ``room``, ``track`` and ``speakers`` are ids into the bundle's lists."""

    id = serializers.IntegerField(source="session_id")
    title = serializers.CharField()
    abstract = serializers.CharField()
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    start = EventTimeField()
    end = EventTimeField()
    room = serializers.IntegerField(source="room_id", allow_null=True)
    track = serializers.IntegerField(source="track_id", allow_null=True)
    speakers = serializers.SerializerMethodField()
    capacity = serializers.IntegerField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField()
    materials_url = serializers.CharField()
    recording_url = serializers.CharField()
    version = serializers.IntegerField(help_text="The schedule version that last changed this session.")

    def get_speakers(self, session: PublishedSession) -> list[int]:
        return sorted(speaker.pk for speaker in session.speakers.all())


class AnnouncementPayload(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    priority = serializers.ChoiceField(choices=AnnouncementPriority.choices)
    target = serializers.ChoiceField(choices=AnnouncementTarget.choices)
    track = serializers.IntegerField(source="track_id", allow_null=True)
    session = serializers.IntegerField(source="session_id", allow_null=True)
    created_at = EventTimeField()


def room_payload(room: Room) -> dict[str, Any]:
    return dict(RoomPayload(room).data)


def track_payload(track: Track) -> dict[str, Any]:
    return dict(TrackPayload(track).data)


def speaker_payload(speaker: Speaker) -> dict[str, Any]:
    return dict(SpeakerPayload(speaker).data)


def session_payload(session: PublishedSession) -> dict[str, Any]:
    return dict(SessionPayload(session).data)


def announcement_payload(announcement: Announcement) -> dict[str, Any]:
    return dict(AnnouncementPayload(announcement).data)
