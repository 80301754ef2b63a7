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


# --- import log and dataset settings (issue 7) -----------------------------------------------
# Kept here, not in the served DuckDB file: the log survives every swap of that file, and a
# failed import (which leaves the database untouched) is logged too.
@dataclass(frozen=True)
class ImportLogEntry:
    started_at: str
    finished_at: str
    table_name: str
    mode: str
    file_name: str
    file_sha256: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    status: str  # accepted | rejected
    summary: str  # JSON: reasons with counts, file-level problems
    user: str | None = None  # who ran it, once the app has logins (the OS user on the CLI)


_IMPORT_COLUMNS = tuple(ImportLogEntry.__dataclass_fields__)


def _connect_log(path: Path) -> sqlite3.Connection:
    con = _connect(path)
    con.execute(
        "create table if not exists import_log ("
        " import_id integer primary key autoincrement,"
        " started_at text not null, finished_at text not null, table_name text not null,"
        " mode text not null, file_name text not null, file_sha256 text,"
        " rows_read integer not null, rows_accepted integer not null, rows_rejected integer not null,"
        " status text not null, summary text not null, user text)"
    )
    con.execute("create table if not exists settings (name text primary key, value text not null)")
    return con


def log_import(path: Path, entry: ImportLogEntry) -> int:
    values = tuple(getattr(entry, c) for c in _IMPORT_COLUMNS)
    with closing(_connect_log(path)) as con, con:
        cur = con.execute(
            "insert into import_log (started_at, finished_at, table_name, mode, file_name, file_sha256,"
            " rows_read, rows_accepted, rows_rejected, status, summary, user)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        return int(cur.lastrowid or 0)


def import_log(path: Path, limit: int = 200) -> list[dict[str, object]]:
    """The latest imports first."""
    if not path.exists():
        return []
    with closing(_connect_log(path)) as con:
        cur = con.execute(
            "select import_id, started_at, finished_at, table_name, mode, file_name, file_sha256, rows_read,"
            " rows_accepted, rows_rejected, status, summary, user from import_log"
            " order by import_id desc limit ?",
            (limit,),
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def set_setting(path: Path, name: str, value: str) -> None:
    with closing(_connect_log(path)) as con, con:
        con.execute(
            "insert into settings (name, value) values (?, ?) on conflict (name) do update set value = excluded.value",
            (name, value),
        )


def get_setting(path: Path, name: str) -> str | None:
    """Read-only and cheap (the app asks on every run); None when unset or no store yet."""
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)) as con:
            row = con.execute("select value from settings where name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:  # no settings table yet
        return None
    return None if row is None else str(row[0])
