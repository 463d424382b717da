"""Fuzzing WebSocket frames (issue 11): random text, random JSON, and frames shaped like the
protocol's (every op, random and near-canonical stream names, odd ``since`` and ``ref``
values, stray tokens) on a live daphne, signed in or not. After each batch of frames the
socket still answers a ping: every frame got a JSON answer, none closed the socket (1011) or
broke it. ``FUZZ_MINUTES=10 scripts/fuzz eventhub/realtime/tests/test_fuzz_frames.py`` runs
it long."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.sync.client import connect

from eventhub.testing.factories import EventFactory, ParticipantFactory
from eventhub.testing.fuzz import fuzz
from eventhub.testing.live import daphne, session_token_for, ws_url

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True), pytest.mark.fuzz]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


def _streams(event_id: int, user_id: int) -> st.SearchStrategy:
    canonical = [f"event:{event_id}", f"event:{event_id}:staff", f"user:{user_id}", "user:1", "conversation:1"]
    near = st.sampled_from(canonical).flatmap(
        lambda name: st.sampled_from(
            [name.upper(), name + ":", " " + name, name.replace(":", "::"), name + "0", name.replace("1", "\uff11")]
        )
    )
    return st.sampled_from(canonical) | near | st.text(max_size=40) | JSON


def _frames(event_id: int, user_id: int) -> st.SearchStrategy[str]:
    shaped = st.fixed_dictionaries(
        {"op": st.sampled_from(["ping", "auth", "subscribe", "unsubscribe", "send", "PING", ""]) | JSON},
        optional={
            "stream": _streams(event_id, user_id),
            "since": st.sampled_from([0, -1, 2**63, 1.5, "1", True]) | st.integers() | JSON,
            "ref": JSON,
            "token": st.text(max_size=40) | JSON,
            "display": st.text(max_size=40),
        },
    ).map(json.dumps)
    return st.one_of(shaped, JSON.map(json.dumps), st.text(max_size=200))


def test_hostile_frames_always_get_an_answer_and_never_break_the_socket(tmp_path):
    event = EventFactory()
    user = ParticipantFactory(event=event).user
    token = session_token_for(user)
    env = {"STREAM_AUTH_FAILURES_PER_MINUTE": "1000000"}  # random tokens fail by the thousand here

    with daphne(tmp_path, **env) as base_url:
        url = ws_url(base_url)

        @given(frames=st.lists(_frames(event.pk, user.pk), min_size=1, max_size=8), signed_in=st.booleans())
        def session(frames: list[str], signed_in: bool) -> None:
            headers = {"X-Session-Token": token} if signed_in else None
            with connect(url, additional_headers=headers, open_timeout=30, close_timeout=5) as socket:
                for frame in frames:
                    socket.send(frame)
                socket.send(json.dumps({"op": "ping", "ref": "probe"}))
                while True:
                    answer = json.loads(socket.recv(timeout=30))
                    assert isinstance(answer, dict), answer
                    assert "op" in answer or "stream" in answer, answer
                    assert answer.get("code") != "internal_error", (frames, answer)
                    if answer == {"op": "pong", "ref": "probe"}:
                        break

        fuzz(session, label="WebSocket frames")
