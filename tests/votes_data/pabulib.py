"""A small reader of pabulib ``.pb`` files (pabulib.org): participatory-budgeting elections.

A file has three semicolon-separated sections, ``META`` (key;value), ``PROJECTS`` and
``VOTES``, each starting with a header row. Only what the votes domain needs is read: the
budget, the projects (id, name, cost, and the official ``selected`` flag when present) and the
approval ballots. Project ids stay strings, like option ids.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PBElection:
    meta: dict[str, str]
    #: project id -> {"name", "cost" (int), "votes" (int | None), "selected" (bool | None), ...raw}
    projects: dict[str, dict] = field(default_factory=dict)
    #: one approval set per voter, in file order
    ballots: list[list[str]] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return int(float(self.meta["budget"]))

    @property
    def costs(self) -> dict[str, int]:
        return {pid: p["cost"] for pid, p in self.projects.items()}

    @property
    def selected(self) -> set[str]:
        """The officially selected projects (the ``selected`` column)."""
        return {pid for pid, p in self.projects.items() if p.get("selected")}


def parse_pb(text: str) -> PBElection:
    """Parse the text of a ``.pb`` file."""
    sections: dict[str, list[list[str]]] = {}
    current = None
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row:
            continue
        head = row[0].strip()
        if len(row) == 1 and head.upper() in ("META", "PROJECTS", "VOTES"):
            current = head.upper()
            sections[current] = []
        elif current is None:
            raise ValueError("a .pb file starts with its META section")
        else:
            sections[current].append([c.strip() for c in row])
    for name in ("META", "PROJECTS", "VOTES"):
        if not sections.get(name):
            raise ValueError(f"the .pb file has no {name} section")

    meta = {row[0]: row[1] if len(row) > 1 else "" for row in sections["META"][1:]}
    election = PBElection(meta=meta)

    header = sections["PROJECTS"][0]
    for row in sections["PROJECTS"][1:]:
        raw = dict(zip(header, row, strict=False))
        pid = raw["project_id"]
        election.projects[pid] = {
            **raw,
            "name": raw.get("name", ""),
            "cost": int(float(raw["cost"])),
            "votes": int(raw["votes"]) if raw.get("votes") else None,
            "selected": (raw["selected"] == "1") if raw.get("selected") else None,
        }

    header = sections["VOTES"][0]
    vote_col = header.index("vote")
    for row in sections["VOTES"][1:]:
        cell = row[vote_col] if vote_col < len(row) else ""
        election.ballots.append([p.strip() for p in cell.split(",") if p.strip()])
    return election


def read_pb(path: str | Path) -> PBElection:
    """Read a ``.pb`` file."""
    return parse_pb(Path(path).read_text(encoding="utf-8"))
