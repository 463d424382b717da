"""The API's side of ticketing's request limits (``ticketing/ratelimits.py``): a view mixin."""

from rest_framework.request import Request

from ..ratelimits import check, consume, count_failure

__all__ = ["RateLimitMixin", "check", "consume", "count_failure"]


class RateLimitMixin:
    """An APIView whose unsafe requests count against ``rate_limit_scope``, checked where DRF
    checks throttles (after authentication, before the view — and before an Idempotency-Key is
    claimed, so a refused request leaves no stored answer)."""

    rate_limit_scope: str = ""
    write_error_statuses = {429: "Rate limited (`rate_limited`): `Retry-After` says in how many seconds to retry."}

    def check_throttles(self, request: Request) -> None:
        super().check_throttles(request)  # type: ignore[misc]
        if self.rate_limit_scope and request.method not in ("GET", "HEAD", "OPTIONS"):
            consume(request, self.rate_limit_scope)
