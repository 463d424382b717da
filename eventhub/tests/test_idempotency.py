"""The ``Idempotency-Key`` contract of ``IdempotentMixin`` in the cases no public endpoint can
be made to produce on demand: a server error, and a retry while the first request still runs.
The common cases (replay, key reuse) are tested through ``/api/v1/events/<id>/join`` in
``events/tests/test_api.py``."""

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from eventhub.api.idempotency import IdempotentMixin
from eventhub.models import IdempotencyRecord
from eventhub.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PATH = "/api/v1/test-writes"


class _WriteView(IdempotentMixin, APIView):
    """Answers 201 with a counter; ``fail`` makes it crash like a bug would (a 500)."""

    fail = False
    calls = 0
    inner_response = None

    def post(self, request):
        type(self).calls += 1
        if type(self).fail:
            raise RuntimeError("a bug")
        if request.data.get("retry_inside"):
            # The phone's retry arrives while this first request is still running.
            type(self).inner_response = _post(request.user, key=request.headers["Idempotency-Key"], data=request.data)
        return Response({"call": type(self).calls}, status=201)


@pytest.fixture(autouse=True)
def _fresh_view_state():
    _WriteView.fail, _WriteView.calls, _WriteView.inner_response = False, 0, None


def _post(user, *, key: str, data: dict | None = None):
    request = APIRequestFactory().post(PATH, data or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    force_authenticate(request, user=user)
    response = _WriteView.as_view()(request)
    response.render()
    return response


def test_idempotent_write_after_server_error_runs_again():
    user = UserFactory()
    _WriteView.fail = True
    with pytest.raises(RuntimeError):
        _post(user, key="k1")
    _WriteView.fail = False

    retry = _post(user, key="k1")

    assert (retry.status_code, retry.data) == (201, {"call": 2})
    assert "Idempotent-Replayed" not in retry
    assert list(IdempotencyRecord.objects.values_list("key", "status_code")) == [("k1", 201)]


def test_idempotent_retry_while_first_runs_is_409():
    user = UserFactory()

    first = _post(user, key="k1", data={"retry_inside": True})

    inner = _WriteView.inner_response
    assert (inner.status_code, inner.data) == (
        409,
        {
            "error": {
                "code": "request_in_progress",
                "detail": "A request with this Idempotency-Key is still being processed.",
                "fields": {},
            }
        },
    )
    assert (first.status_code, first.data) == (201, {"call": 1})
    assert _WriteView.calls == 1


def test_idempotency_key_longer_than_128_characters_is_400():
    response = _post(UserFactory(), key="k" * 129)

    assert (response.status_code, response.data) == (
        400,
        {"error": {"code": "invalid", "detail": "Idempotency-Key is limited to 128 characters.", "fields": {}}},
    )
    assert _WriteView.calls == 0
    assert IdempotencyRecord.objects.count() == 0
