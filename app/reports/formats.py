"""Writing reports as XLSX, as a ZIP of CSV files and as JSON, row by row into a temporary file.

Every writer takes sheets, each `(name, title, columns, rows)` where `rows` is an iterator of
value lists: a ledger's tables or a database cursor read with `yield_per`. Nothing holds all
rows at once (XlsxWriter's `constant_memory` mode writes each row out as it comes; the ZIP and
the JSON are written to the file as they go), so memory stays bounded whatever the size.
"""

import csv
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter

from app.reports.tables import BOOL, DATE, DATETIME, PERCENT, Column, Table, json_value, text_value


@dataclass
class Sheet:
    name: str
    title: Any
    columns: list[Column]
    rows: Iterable[list]


def sheets_of(tables: list[Table]) -> list[Sheet]:
    return [Sheet(t.key, t.title, t.columns, map(t.values, t.all_rows())) for t in tables]


def _sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", text)[:31] or "sheet"
    base, n = name, 2
    while name.lower() in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name.lower())
    return name


def write_xlsx(
    sheets: list[Sheet], out: IO[bytes], *, readme: Iterable[tuple[str, str]] = ()
) -> None:
    """One worksheet per sheet, header row frozen, dates as real dates, percentages as numbers."""
    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "in_memory": False}
    )
    header = book.add_format({"bold": True, "bg_color": "#EEEEEE", "text_wrap": True})
    formats = {
        DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
        DATETIME: book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        PERCENT: book.add_format({"num_format": "0.0%"}),
    }
    used: set[str] = set()
    if readme:
        info = book.add_worksheet(_sheet_name("README", used))
        for r, (key, value) in enumerate(readme):
            info.write_string(r, 0, str(key), header)
            info.write_string(r, 1, str(value))
        info.set_column(0, 0, 20)
        info.set_column(1, 1, 60)
    for sheet in sheets:
        ws = book.add_worksheet(_sheet_name(str(sheet.title), used))
        for c, column in enumerate(sheet.columns):
            ws.write_string(0, c, str(column.label), header)
            ws.set_column(c, c, 14 if column.kind in (DATE, DATETIME, PERCENT) else 18)
        ws.freeze_panes(1, 0)
        for r, values in enumerate(sheet.rows, start=1):
            for c, (column, value) in enumerate(zip(sheet.columns, values, strict=True)):
                _write_cell(ws, r, c, column.kind, value, formats)
    book.close()


def _write_cell(ws, r: int, c: int, kind: str, value, formats) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value.replace(tzinfo=None), formats[DATETIME])
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), formats[DATE])
    elif kind == BOOL or isinstance(value, bool):
        ws.write_boolean(r, c, bool(value))
    elif kind == PERCENT:
        ws.write_number(r, c, float(value), formats[PERCENT])
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


def write_csv_zip(
    sheets: list[Sheet],
    out: IO[bytes],
    *,
    extra: Iterable[tuple[str, str]] = (),
    json_sheets: Iterable[Sheet] = (),
    json_head: dict | None = None,
) -> None:
    """One CSV file per sheet in a ZIP, UTF-8 with a BOM so that Excel reads Chinese right."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for sheet in sheets:
            with zf.open(f"{sheet.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow([str(c.label) for c in sheet.columns])
                for values in sheet.rows:
                    writer.writerow(
                        [text_value(v, c.kind) for c, v in zip(sheet.columns, values, strict=True)]
                    )
                text.flush()
                text.detach()
        for sheet in json_sheets:
            with zf.open(f"{sheet.name}.json", "w") as raw:
                write_json([sheet], raw, json_head or {})
        for name, content in extra:
            zf.writestr(name, content)


def json_chunks(sheets: list[Sheet], head: dict) -> Iterator[str]:
    """The JSON document in pieces: the head, then each sheet's columns and rows one by one."""
    yield json.dumps(head, ensure_ascii=False, default=json_value)[:-1]
    yield ', "tables": {'
    for i, sheet in enumerate(sheets):
        columns = [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in sheet.columns]
        yield ("" if i == 0 else ", ") + json.dumps(sheet.name) + ": {"
        yield f'"title": {json.dumps(str(sheet.title), ensure_ascii=False)}, '
        yield f'"columns": {json.dumps(columns, ensure_ascii=False)}, "rows": ['
        for n, values in enumerate(sheet.rows):
            row = {c.key: json_value(v) for c, v in zip(sheet.columns, values, strict=True)}
            yield ("" if n == 0 else ", ") + json.dumps(row, ensure_ascii=False, default=json_value)
        yield "]}"
    yield "}}"


def write_json(sheets: list[Sheet], out: IO[bytes], head: dict) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8")
    for chunk in json_chunks(sheets, head):
        text.write(chunk)
    text.flush()
    text.detach()


def spooled() -> IO[bytes]:
    """A temporary file on disk (never a growing buffer in memory), removed when closed."""
    return tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that sends it
