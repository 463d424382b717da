"""The agenda import page (``…/agenda/import``): upload a CSV or XLSX file of rooms, speakers or
sessions, see the dry run (what each row would do, and each bad row's errors with its row
number), then apply it. The upload is kept in the cache for ``UPLOAD_TTL`` between the preview
and the apply, under a key bound to the user and the event, so the file is sent once."""

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eventhub import errors
from eventhub.portal import apply_service_errors

from ..models import Event
from ..services.imports import COLUMNS, MAX_BYTES, REQUIRED, agenda_import
from .access import PortalRequest, event_page
from .pages import EDIT, agenda_page, event_url

UPLOAD_TTL = 30 * 60


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[
            ("rooms", gettext_lazy("Rooms")),
            ("speakers", gettext_lazy("Speakers")),
            ("sessions", gettext_lazy("Sessions")),
        ],
    )
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


def _cache_key(request: PortalRequest, event: Event, upload: str) -> str:
    return f"agenda-import:{request.user.pk}:{event.pk}:{upload}"


def _columns() -> list[dict[str, Any]]:
    return [{"kind": kind, "columns": columns, "required": REQUIRED[kind]} for kind, columns in COLUMNS.items()]


@event_page(EDIT)
def agenda_import_page(request: PortalRequest, event: Event) -> HttpResponse:
    """GET: the upload form. POST with a file: the dry run (``apply`` absent) or the import;
    POST with ``upload`` (the preview's key): apply the file previewed."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": _columns()}
    if request.method != "POST":
        return agenda_page(request, "io/import.html", context, tab="import")
    apply = "apply" in request.POST
    upload = request.POST.get("upload", "")
    stored = cache.get(_cache_key(request, event, upload)) if upload else None
    if stored is None and not form.is_valid():
        if upload:
            form.errors.clear()
            form.add_error(None, _("That preview has expired: upload the file again."))
        return agenda_page(request, "io/import.html", context, tab="import")
    if stored is None:
        file = form.cleaned_data["file"]
        stored = {"kind": form.cleaned_data["kind"], "filename": file.name, "content": file.read()}
    try:
        report = agenda_import(actor=request.user, event=event, dry_run=not apply, **stored)
    except (errors.NotFound, errors.PermissionDenied):
        raise
    except errors.DomainError as error:
        apply_service_errors(form, error)
        return agenda_page(request, "io/import.html", context, tab="import")
    if report.applied:
        cache.delete(_cache_key(request, event, upload))
        messages.success(
            request,
            _("Imported %(kind)s from %(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "kind": report.kind,
                "file": stored["filename"],
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        return HttpResponseRedirect(event_url("agenda-import", event))
    if not report.failed:
        upload = upload or secrets.token_urlsafe(16)
        cache.set(_cache_key(request, event, upload), stored, UPLOAD_TTL)
    context.update({"report": report, "upload": upload, "filename": stored["filename"]})
    return agenda_page(request, "io/import.html", context, tab="import")
