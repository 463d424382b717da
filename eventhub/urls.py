from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularSwaggerView

from eventhub import health, media, views, webapp
from eventhub.api.errors import json_404
from eventhub.api.schema_view import SchemaView
from eventhub.realtime.api import StreamEntriesView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("events.api.urls")),
    path("", include("ticketing.api.urls")),
    path("streams/<str:stream>/entries", StreamEntriesView.as_view(), name="stream-entries"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Unknown API paths answer JSON even with DEBUG on (Django's debug 404 page is HTML).
    re_path(r"^.*$", json_404, name="not-found"),
]

# The attendee app (a PWA, docs/app.md): a shell with no data, its worker, manifest and strings.
app_routes: list[URLPattern | URLResolver] = [
    path("", webapp.shell, name="shell"),
    path("sw.js", webapp.service_worker, name="service-worker"),
    path("manifest.webmanifest", webapp.manifest, name="manifest"),
    path("jsi18n.js", JavaScriptCatalog.as_view(packages=["eventhub"]), name="jsi18n"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("api/v1/", include((api_v1, "api"))),
    path("app/", include((app_routes, "app"))),
    path("portal/", include("events.portal.urls")),
    path("portal/", include("ticketing.portal.urls")),
    path("", include("events.urls")),
    path("", include("events.public.urls")),
    path("", include("ticketing.public.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
]

# User media in every profile (eventhub/media.py); nginx serves /media/ itself when in front.
urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:media_path>", media.media, name="media"))

handler400 = "eventhub.views.bad_request"
handler403 = "eventhub.views.permission_denied"
handler404 = "eventhub.views.not_found"
handler500 = "eventhub.views.server_error"
