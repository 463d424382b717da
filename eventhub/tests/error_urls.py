"""The project's URLs plus a page that fails, for the error-page tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from eventhub.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a page")


urlpatterns = [path("portal-boom/", boom), *urlpatterns]
