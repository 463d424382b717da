"""User media (profile and speaker photos, later attachments) served by the application, in
every profile: with debug off Django serves nothing under ``MEDIA_URL`` by itself, and not every
deployment puts nginx in front (``deploy/nginx.conf.template`` serves ``/media/`` itself, with
the same headers).

Only files under ``MEDIA_ROOT``; an image we stored is served as that image type, anything else
as an opaque download; every answer says ``nosniff`` and carries a sandboxing policy, so no
uploaded byte is ever rendered as a document or run as a script on our origin. File names are
random (``eventhub/images.py``): a media URL is a link to one picture, not a listing."""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe
from django.views.static import serve

from eventhub.images import content_type_for

MEDIA_POLICY = "default-src 'none'; img-src 'self'; sandbox"


@require_safe
def media(request: HttpRequest, media_path: str) -> HttpResponseBase:
    try:
        response = serve(request, media_path, document_root=str(settings.MEDIA_ROOT), show_indexes=False)
    except SuspiciousFileOperation:  # a path out of MEDIA_ROOT names nothing we serve
        raise Http404 from None
    content_type = content_type_for(media_path)
    if content_type is None:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    else:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_POLICY
    response["Cache-Control"] = "public, max-age=3600"
    return response
