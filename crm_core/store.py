"""A small writable store beside the read-only serving file: saved segments (SQLite, stdlib).

Saving a segment never needs the DuckDB file to be writable, so it works while others read and
survives rebuilds and imports (which swap the DuckDB file).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crm_core import segments
from crm_core.filters import Condition

MAX_NAME = 80


@dataclass(frozen=True)
class SavedSegment:
    segment_id: int
    name: str
    conditions: tuple[Condition, ...]
    updated_at: str


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10)
    con.execute(
        "create table if not exists saved_segments ("
        " segment_id integer primary key autoincrement,"
        " name text not null unique,"
        " definition text not null,"
        " created_at text not null,"
        " updated_at text not null)"
    )
    return con


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise ValueError("a segment needs a name")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"a segment name has at most {MAX_NAME} characters, this one has {len(cleaned)}")
    return cleaned


def list_segments(path: Path) -> list[SavedSegment]:
    if not path.exists():
        return []
    with closing(_connect(path)) as con:
        rows = con.execute(
            "select segment_id, name, definition, updated_at from saved_segments order by name, segment_id"
        ).fetchall()
    out = []
    for segment_id, name, definition, updated_at in rows:
        try:
            conditions = segments.from_json(definition)
        except ValueError:
            continue  # written by a newer version or damaged: skip rather than fail every page
        out.append(SavedSegment(int(segment_id), str(name), conditions, str(updated_at)))
    return out


def get_segment(path: Path, segment_id: int) -> SavedSegment | None:
    return next((s for s in list_segments(path) if s.segment_id == segment_id), None)


def find_segment(path: Path, name: str) -> SavedSegment | None:
    wanted = " ".join(str(name).split())
    return next((s for s in list_segments(path) if s.name == wanted), None)


def save_segment(path: Path, name: str, conditions: tuple[Condition, ...]) -> int:
    """Save a new named segment; ValueError if the name is taken or the definition is invalid."""
    cleaned = _clean_name(name)
    definition = segments.to_json(conditions)
    now = datetime.now().isoformat(timespec="seconds")
    with closing(_connect(path)) as con, con:
        try:
            cur = con.execute(
                "insert into saved_segments (name, definition, created_at, updated_at) values (?, ?, ?, ?)",
                (cleaned, definition, now, now),
            )
        except sqlite3.IntegrityError:
            raise ValueError(f"a segment named {cleaned!r} already exists: choose another name") from None
        return int(cur.lastrowid or 0)


def rename_segment(path: Path, segment_id: int, new_name: str) -> None:
    cleaned = _clean_name(new_name)
    with closing(_connect(path)) as con, con:
        try:
            cur = con.execute(
                "update saved_segments set name = ?, updated_at = ? where segment_id = ?",
                (cleaned, datetime.now().isoformat(timespec="seconds"), segment_id),
            )
        except sqlite3.IntegrityError:
            raise ValueError(f"a segment named {cleaned!r} already exists: choose another name") from None
        if cur.rowcount == 0:
            raise ValueError(f"no saved segment has the id {segment_id}")


def delete_segment(path: Path, segment_id: int) -> None:
    with closing(_connect(path)) as con, con:
        cur = con.execute("delete from saved_segments where segment_id = ?", (segment_id,))
        if cur.rowcount == 0:
            raise ValueError(f"no saved segment has the id {segment_id}")
