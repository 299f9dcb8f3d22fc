"""Tables as files an official opens in Excel: CSV (UTF-8 with a BOM, so Excel reads Vietnamese
right) and XLSX (openpyxl: a real spreadsheet, headers in bold, columns wide enough)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from channel.reports.tables import Table

__all__ = ["CSV_TYPE", "XLSX_TYPE", "to_csv", "to_xlsx"]

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_csv(table: Table) -> bytes:
    """The table as CSV, BOM first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return "\ufeff".encode() + out.getvalue().encode()


def to_xlsx(table: Table) -> bytes:
    """The table as a one-sheet workbook, its title in the first row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = table.title[:31]  # Excel's limit
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(table.headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    for i, header in enumerate(table.headers):
        width = max([len(header), *(len(str(r[i])) for r in table.rows)]) + 2
        sheet.column_dimensions[chr(ord("A") + i)].width = min(width, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
