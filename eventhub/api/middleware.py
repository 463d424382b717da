from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


class PrivateApiResponsesMiddleware:
    """API answers depend on who asks (session token or cookie): shared caches must neither
    store them nor serve one user's answer to another. Phones still revalidate with ETags."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(("/api/", "/_allauth/")):
            patch_vary_headers(response, ("X-Session-Token", "Cookie"))
            patch_cache_control(response, private=True, no_cache=True)
        return response
