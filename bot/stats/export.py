"""The shown report as a file: JSON (the contract of docs/INTERFACES.md), CSV in UTF-8 with a BOM (so Excel
opens it in Japanese; the tables one after another, each under its title) and XLSX (openpyxl, one sheet per
table). Only shown counts go in: a hidden one is "<k" in every format."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.stats.tables import Table, tables

FORMATS = ("json", "csv", "xlsx")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_SHEET_NAME = 31  # Excel's longest sheet name
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: "・" for c in "[]:*?/\\"})


def export(shown: dict[str, Any], fmt: str, heading: str) -> bytes:
    """The report in a format; `heading` says whose and when (the first row of the CSV and of each sheet)."""
    if fmt == "json":
        return (json.dumps(shown, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "csv":
        return to_csv(tables(shown), heading)
    return to_xlsx(tables(shown), heading)


def to_csv(measures: list[Table], heading: str) -> bytes:
    """Every table under its title, a blank line between them; UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading])
    for table in measures:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.heads)
        for label, cells in table.rows:
            writer.writerow([label, *("" if cell is None else cell for cell in cells)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(measures: list[Table], heading: str) -> bytes:
    """One sheet per table: the heading, the title, the heads in bold, the rows."""
    book = Workbook()
    for blank in list(book.worksheets):
        book.remove(blank)
    for number, table in enumerate(measures, start=1):
        sheet = book.create_sheet(f"{number} {table.title}".translate(_FORBIDDEN_IN_SHEET_NAMES)[:_SHEET_NAME])
        sheet.append([heading])
        sheet.append([table.title])
        sheet.append(list(table.heads))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for label, cells in table.rows:
            sheet.append([label, *cells])
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
