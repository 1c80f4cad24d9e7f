"""Spreadsheet exports that do not hold the table in memory.

A CSV export is a generator of encoded lines behind a `StreamingHttpResponse`: the rows
come from a database iterator, so a 100,000-row list is written while it is read. An
XLSX export is written row by row by xlsxwriter in `constant_memory` mode (it flushes
each row to a temporary file as soon as the next one starts) and the finished workbook
is streamed back from disk with a `FileResponse`.

Excel opens a CSV in the system's code page unless it starts with a UTF-8 BOM, so every
CSV starts with one (Chinese text stays readable). A text cell starting with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return, which Excel strips before looking)
would be read as a formula when the file is opened: such cells are prefixed with ``'``
(OWASP "CSV injection"). Numbers are written as numbers and are not touched."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse

__all__ = ["cell_safe", "csv_bytes", "csv_response", "xlsx_response"]

UTF8_BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_safe(value):
    """A cell value that a spreadsheet shows as written: text that would start a formula
    gets a leading apostrophe; None becomes an empty cell; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Line:
    """A file-like object for csv.writer that hands back what was written."""

    def write(self, value):
        return value


def _csv_lines(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield UTF8_BOM + writer.writerow([cell_safe(h) for h in header])
    for row in rows:
        yield writer.writerow([cell_safe(v) for v in row])


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A small CSV file in one piece (a report of a few hundred rows)."""
    return "".join(_csv_lines(header, rows)).encode("utf-8")


def _disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def csv_response(header: Sequence, rows: Iterable[Sequence], *, filename: str
                 ) -> StreamingHttpResponse:
    """Stream a CSV download: `rows` is consumed while the response is sent."""
    lines = (line.encode("utf-8") for line in _csv_lines(header, rows))
    response = StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return cell_safe(value)


def xlsx_response(header: Sequence, rows: Iterable[Sequence], *, filename: str,
                  sheet: str = "Sheet1", widths: Sequence[int] = ()) -> FileResponse:
    """Write the rows to a temporary XLSX file in constant memory and stream it back.
    The file is unlinked once open, so nothing is left on disk after the response."""
    import xlsxwriter

    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    try:
        workbook = xlsxwriter.Workbook(handle.name, {
            "constant_memory": True, "tmpdir": tempfile.gettempdir(),
            # Text is written as text: nothing a merchant's buyer typed becomes a formula
            # or a link.
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False,
        })
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        for col, width in enumerate(widths):
            worksheet.set_column(col, col, width)
        worksheet.write_row(0, 0, [str(h) for h in header], bold)
        row_number = 0
        for row_number, row in enumerate(rows, start=1):  # noqa: B007
            for col, value in enumerate(row):
                value = _xlsx_value(value)
                if isinstance(value, str):
                    worksheet.write_string(row_number, col, value)
                else:
                    worksheet.write_number(row_number, col, value)
        worksheet.freeze_panes(1, 0)
        workbook.close()
        stream = open(handle.name, "rb")  # noqa: SIM115 (closed by the response)
    finally:
        os.unlink(handle.name)
    response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE, as_attachment=True,
                            filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
