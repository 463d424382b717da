"""Tabular downloads (CSV and XLSX) in bounded memory, for every app's exports.

A table is a header and an iterator of rows (``Iterable[Sequence[Any]]``), typically a selector's
``queryset.values_list(...).iterator(chunk_size=...)``: nothing here holds more than one chunk.

- CSV is a ``StreamingHttpResponse``: rows are encoded as they are read, a buffer of
  ``CSV_FLUSH_ROWS`` at a time, so the first bytes leave at once and memory stays flat.
- XLSX is a zip, which cannot be written front to back into a socket: openpyxl's write-only
  workbook streams each row into a temporary file on disk, the workbook is closed there, and
  the file is then streamed in blocks and deleted once sent (or when the response closes).
  Memory stays flat; the wait before the first byte grows with the rows.

Under ASGI (daphne) Django would gather a synchronous iterator into one list before sending it
(``StreamingHttpResponse.__aiter__``), so there the chunks are handed over one at a time by an
async generator that pulls each in the request's thread (``sync_to_async(thread_sensitive=True)``,
where the view ran and the server-side cursor lives).

Both set the cookie ``export_<token>`` (the ``download`` query parameter, if it is a short token)
on their answer, so the page that started the download can tell when it began
(``static/js/exports.js``: the progress indicator)."""

import csv
import io
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from openpyxl import Workbook

CSV_FLUSH_ROWS = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOWNLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# A formula in a spreadsheet cell runs when the file is opened (CSV injection): text that starts
# like one is prefixed with a quote, as OWASP recommends.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START) and not isinstance(value, int | float | Decimal):
        return "'" + text
    return text


def _csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM, so spreadsheet apps read UTF-8
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([_text(value) for value in row])
        count += 1
        if count % CSV_FLUSH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


async def _pulled(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    pull = sync_to_async(_next_chunk, thread_sensitive=True)
    while (chunk := await pull(chunks)) is not None:
        yield chunk


def streamed(
    request: HttpRequest, chunks: Iterator[bytes], *, content_type: str, filename: str
) -> StreamingHttpResponse:
    """A download of ``chunks`` that is sent as they come under WSGI and ASGI alike, with the
    progress cookie the portal's download indicator waits for."""
    content = _pulled(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    token = request.GET.get("download", "")
    if _DOWNLOAD_TOKEN.match(token):
        response.set_cookie(f"export_{token}", "1", max_age=120, samesite="Lax")
    return response


def csv_response(
    request: HttpRequest, *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    return streamed(
        request, _csv_chunks(header, rows), content_type="text/csv; charset=utf-8", filename=f"{filename}.csv"
    )


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: the wall-clock time the caller chose (the event's zone).
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, int | float | Decimal | date | bool):
        return value
    return _text(value)


def xlsx_file(*, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export") -> str:
    """Write the table to a temporary XLSX file in write-only mode (rows go to disk as they come)
    and return its path; the caller deletes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    handle, path = tempfile.mkstemp(prefix="eventhub-export-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
    except BaseException:
        os.unlink(path)
        raise
    return path


def _file_blocks(path: str, block_size: int = 64 * 1024) -> Iterator[bytes]:
    """The file's bytes, then the file is gone (also when the client goes away: the generator is
    closed with the response)."""
    try:
        with open(path, "rb") as handle:
            while block := handle.read(block_size):
                yield block
    finally:
        os.unlink(path)


def xlsx_response(
    request: HttpRequest, *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str
) -> StreamingHttpResponse:
    path = xlsx_file(header=header, rows=rows, title=title)
    response = streamed(request, _file_blocks(path), content_type=XLSX_CONTENT_TYPE, filename=f"{filename}.xlsx")
    response["Content-Length"] = str(os.path.getsize(path))

    # A response closed before its first block never runs the generator's ``finally``: Django
    # calls its resource closers when the response closes.
    def remove() -> None:
        if os.path.exists(path):
            os.unlink(path)

    response._resource_closers.append(remove)  # type: ignore[attr-defined]
    return response


def table_response(
    request: HttpRequest, *, fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str
) -> StreamingHttpResponse:
    """``fmt`` is ``"csv"`` or ``"xlsx"`` (the route decides; anything else is the caller's bug)."""
    if fmt == "xlsx":
        return xlsx_response(request, filename=filename, header=header, rows=rows, title=title)
    if fmt != "csv":
        raise ValueError(fmt)
    return csv_response(request, filename=filename, header=header, rows=rows)
