"""Domain errors become error frames in one place (``frames.error_frame``), with DESIGN §3's
vocabulary: whatever an op calls may raise one, and the socket answers it and keeps working."""

import json
import re

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from eventhub import errors
from eventhub.realtime import consumer, streams
from eventhub.realtime.consumer import StreamConsumer
from eventhub.realtime.frames import error_frame, frame_code_for
from eventhub.realtime.streams import StreamKind, event_stream, stream_can_read


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.PermissionDenied("No."), "forbidden"),
        (errors.NotFound("Gone missing."), "not_found"),
        (errors.RateLimited("Slow down.", retry_after=3), "rate_limited"),
        (errors.Invalid("Bad."), "bad_request"),
        (errors.Invalid(fields={"since": "Must be positive."}), "bad_request"),
        (errors.Conflict("Sold out.", code="sold_out"), "bad_request"),
        (errors.Gone("Revoked."), "bad_request"),
        (errors.Unavailable("Later."), "bad_request"),
    ],
)
def test_each_domain_error_class_maps_to_one_frame_code(error, code):
    assert frame_code_for(error) == code
    assert json.loads(error_frame(error, ref=7)) == {"op": "error", "code": code, "detail": error.detail, "ref": 7}


def test_a_subclass_maps_like_its_base():
    class TicketNotFound(errors.NotFound):
        pass

    assert frame_code_for(TicketNotFound()) == "not_found"


@pytest.fixture
async def socket_():
    communicator = WebsocketCommunicator(StreamConsumer.as_asgi(), "/ws/v1/")
    connected, _ = await communicator.connect()
    assert connected
    yield communicator
    await communicator.disconnect()


async def _answer(communicator: WebsocketCommunicator) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame.get("op") != "heartbeat":
            return frame


async def test_a_domain_error_raised_by_what_an_op_calls_becomes_an_error_frame(socket_, monkeypatch):
    def refuse(*, user, stream):
        raise errors.Conflict("The stream is being moved.", code="moving")

    monkeypatch.setattr(consumer, "stream_can_read", refuse)

    await socket_.send_json_to({"op": "subscribe", "stream": event_stream(1), "ref": "a"})
    answer = await _answer(socket_)
    await socket_.send_json_to({"op": "ping", "ref": "b"})

    assert answer == {"op": "error", "code": "bad_request", "detail": "The stream is being moved.", "ref": "a"}
    assert await _answer(socket_) == {"op": "pong", "ref": "b"}


@pytest.mark.parametrize("error", [errors.NotFound(), errors.PermissionDenied()])
def test_a_stream_kind_that_refuses_with_a_domain_error_is_just_not_readable(error, monkeypatch):
    def can_read(user, object_id):
        raise error

    monkeypatch.setitem(
        streams._kinds, "probe", StreamKind(name="probe", pattern=re.compile(r"probe:(\d+)"), can_read=can_read)
    )

    assert stream_can_read(user=AnonymousUser(), stream="probe:1") is False
