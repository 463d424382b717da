"""``Idempotency-Key`` for writes a phone may retry (DESIGN §4).

The first request with a key runs and its response is stored; a retry with the same key and
the same request gets the stored response again; the same key with a different request is a
422; a retry while the first is still running is a 409. Server errors are not stored, so a retry
after a 5xx runs again (the transaction that failed left nothing behind).

By default the response is stored after the write committed, so a crash in between leaves a
claim without an answer (a retry waits until it counts as abandoned, then runs again). A write
that must not run twice (checkout) calls ``self.idempotency_store(response)`` inside its own
transaction: the answer then commits with the write or not at all, a later 5xx (say, a payment
provider call after the commit) keeps it, and ``idempotency_replay`` may rebuild a fresher
answer from what the stored one names.
"""

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub import errors
from eventhub.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_ABANDONED_AFTER = timedelta(minutes=2)


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update((request.method or "").encode())
    digest.update(request.get_full_path().encode())
    digest.update(request.body)
    return digest.hexdigest()


def _claim(*, user_id: int, key: str, fingerprint: str) -> IdempotencyRecord:
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user_id=user_id, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.get(user_id=user_id, key=key)
    if record.fingerprint != fingerprint:
        raise errors.Invalid("This Idempotency-Key was used for a different request.", code="idempotency_key_reused")
    if record.status_code is not None:
        raise _Replay(record)
    if record.created_at < timezone.now() - _ABANDONED_AFTER:
        taken = IdempotencyRecord.objects.filter(pk=record.pk, status_code=None, created_at=record.created_at).update(
            created_at=timezone.now()
        )
        if taken:
            return record
    raise errors.Conflict("A request with this Idempotency-Key is still being processed.", code="request_in_progress")


if TYPE_CHECKING:
    _MixinBase = APIView  # the mixin extends an APIView: type its super() calls and self.request as one
else:
    _MixinBase = object


class IdempotentMixin(_MixinBase):
    """Mix into an APIView before it: unsafe methods honour the ``Idempotency-Key`` header."""

    _idempotency_record: IdempotencyRecord | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        key = request.headers.get(HEADER) if request.method in _UNSAFE else None
        # The fingerprint reads the raw body, so take it before authentication: a session
        # cookie's CSRF check parses a form body, after which Django no longer hands out the
        # raw bytes (RawPostDataException, a 500).
        fingerprint = _fingerprint(request) if key else None
        super().initial(request, *args, **kwargs)
        if key and fingerprint and request.user.is_authenticated:
            if len(key) > 128:
                raise errors.Invalid("Idempotency-Key is limited to 128 characters.")
            self._idempotency_record = _claim(user_id=request.user.pk, key=key, fingerprint=fingerprint)

    def idempotency_store(self, response: Response) -> None:
        """Store the answer now, in the caller's transaction (see the module docstring)."""
        record = self._idempotency_record
        if record is None:
            return
        if isinstance(response, Response) and getattr(response, "accepted_renderer", None) is None:
            # Not finalized yet (the view stores before returning): render as DRF would.
            request = self.request
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]  # set by DRF, not in the stubs
        if hasattr(response, "render"):
            response.render()
        record.status_code = response.status_code
        record.response_body = response.content
        record.content_type = response.get("Content-Type", "application/json")
        record.save(update_fields=["status_code", "response_body", "content_type"])

    def idempotency_replay(self, request: Request, record: IdempotencyRecord) -> HttpResponse:
        """The answer to a retry: the stored one. Views may override to rebuild it."""
        return HttpResponse(
            bytes(record.response_body or b""), status=record.status_code, content_type=record.content_type
        )

    def _stored_durably(self, record: IdempotencyRecord) -> bool:
        return IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=False).exists()

    def handle_exception(self, exc: Exception) -> HttpResponse:  # type: ignore[override]  # a replay is a plain HttpResponse; DRF passes any through
        if isinstance(exc, _Replay):
            response = self.idempotency_replay(self.request, exc.record)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            return super().handle_exception(exc)
        except BaseException:
            # An unhandled error (a 500) skips finalize_response: release the claim here, or a
            # retry would be told "in progress" until the claim counts as abandoned.
            self._release_claim()
            raise

    def _release_claim(self) -> None:
        record, self._idempotency_record = self._idempotency_record, None
        if record is not None and not (record.status_code is not None and self._stored_durably(record)):
            IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()

    def finalize_response(  # type: ignore[override]  # a replay is a plain HttpResponse; DRF passes any through
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)
        record = self._idempotency_record
        if record is not None:
            if response.status_code >= 500:
                self._release_claim()
            elif record.status_code is not None and self._stored_durably(record):
                self._idempotency_record = None  # stored with the write (idempotency_store)
            else:
                self.idempotency_store(response)
                self._idempotency_record = None
        return response
