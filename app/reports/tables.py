"""A ledger is a list of tables: the page, the XLSX sheets, the CSV files and the JSON all read them."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: Column kinds: how a value is written in each format.
TEXT, INT, DATE, DATETIME, PERCENT, BOOL, NUMBER = (
    "text",
    "int",
    "date",
    "datetime",
    "percent",
    "bool",
    "number",
)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string, translated when the table is written
    kind: str = TEXT


@dataclass
class Table:
    """One section of a report: its columns and rows.

    A row is a dict by column key; keys starting with "_" are for the page only (the link of a
    cell is `row["_links"][column key]`, filter values are `row["_<name>"]`) and never exported.
    """

    key: str
    title: Any
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    #: The report section the table belongs to (a page heading, a page break when printed).
    section: str = ""
    #: For a long table: `rows` holds its first rows only, `stream()` reads all of them afresh
    #: (from a `yield_per` query) and `total` counts them.
    stream: Callable[[], Iterator[dict]] | None = None
    total: int | None = None

    def all_rows(self) -> Iterator[dict]:
        return self.stream() if self.stream is not None else iter(self.rows)

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.rows)

    @property
    def is_partial(self) -> bool:
        return self.count > len(self.rows)

    def values(self, row: dict) -> list:
        return [row.get(c.key) for c in self.columns]

    def plain_rows(self) -> Iterator[dict]:
        for row in self.all_rows():
            yield {c.key: row.get(c.key) for c in self.columns}


def json_value(value):
    """Dates as ISO 8601 strings; everything else as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "__html__") or type(value).__name__ == "LazyString":
        return str(value)
    return value


def text_value(value, kind: str) -> str:
    """A cell as CSV text (percent as a fraction with four digits, like the JSON's number)."""
    if value is None:
        return ""
    if kind == PERCENT:
        return f"{value:.4f}"
    if kind == BOOL:
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
