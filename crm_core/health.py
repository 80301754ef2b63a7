"""Data health: per raw table its rows, date range and freshness, duplicate keys, orphan keys,
and the share of empty values per column. Identifiers come from the contract only.

The checks scan every raw row (48M web events at scale L: about 25 s), and the raw data only
changes when a build or an import writes a new file, so the build computes them once
(`store_into`) into data_health_tables and data_health_columns; the page reads those. A file
built by older code is checked on the fly."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from crm_core import contract, db
from crm_core.importer import FOREIGN_KEYS

# The column that says when a row happened, per table (its range is the table's date range).
DATE_COLUMNS: dict[str, str] = {
    "account_managers": "hired_at",
    "customers": "signed_up_at",
    "orders": "ordered_at",
    "web_events": "event_at",
    "interactions": "opened_at",
    "reviews": "reviewed_at",
    "membership_events": "changed_at",
    "points_ledger": "entry_at",
    "campaigns": "started_at",
    "campaign_sends": "assigned_at",
}


STORED_TABLES = "data_health_tables"
STORED_COLUMNS = "data_health_columns"


def table_health(con: duckdb.DuckDBPyConnection, today: date | None = None) -> pd.DataFrame:
    """One row per raw table: rows, first and last date, days since the last, duplicate keys,
    orphan keys (rows pointing to a parent that is loaded but lacks the key)."""
    today = today or date.today()
    if STORED_TABLES in db.table_names(con):
        out = db.run(con, f"select * from {STORED_TABLES} order by position")
        out = out.drop(columns="position")
    else:
        out = compute_table_health(con)
    out.insert(
        out.columns.get_loc("last_at") + 1,
        "days_since_last",
        pd.array(
            [None if v is None or pd.isna(v) else (today - pd.Timestamp(v).date()).days for v in out["last_at"]],
            dtype="Int64",
        ),
    )
    return out


def store_into(con: duckdb.DuckDBPyConnection) -> int:
    """Compute every check now and keep it in the file (on the build's read-write copy)."""
    tables = compute_table_health(con)
    tables.insert(0, "position", range(len(tables)))
    columns = pd.concat(
        [compute_null_rates(con, name).assign(table_name=name) for name in tables["table_name"]],
        ignore_index=True,
    )
    for name, frame in ((STORED_TABLES, tables), (STORED_COLUMNS, columns)):
        con.register("health_frame", frame)
        try:
            con.execute(f"create or replace table {name} as select * from health_frame")
        finally:
            con.unregister("health_frame")
    return len(tables)


def compute_table_health(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """table_health's rows from the raw tables themselves (without days_since_last)."""
    names = db.table_names(con)
    counts = {
        t.name: int(db.scalar(con, f"select count(*) from {t.name}")) for t in contract.RAW_TABLES if t.name in names
    }
    rows = []
    for t in contract.RAW_TABLES:
        if t.name not in names:
            continue
        n = counts[t.name]
        first = last = None
        if t.name in DATE_COLUMNS and n:
            col = DATE_COLUMNS[t.name]
            span = db.run(con, f"select min({col}) as first_at, max({col}) as last_at from {t.name}").iloc[0]
            first, last = span["first_at"], span["last_at"]
            first = None if pd.isna(first) else pd.Timestamp(first).to_pydatetime()
            last = None if pd.isna(last) else pd.Timestamp(last).to_pydatetime()
        duplicates = duplicate_keys(con, t, n)
        orphans = 0
        orphan_detail = []
        for (child, ccol), (parent, pcol) in FOREIGN_KEYS.items():
            if child != t.name or not n or counts.get(parent, 0) == 0:
                continue
            k = orphan_keys(con, child, ccol, parent, pcol)
            orphans += k
            if k:
                orphan_detail.append(f"{ccol} → {parent}: {k:,}")
        rows.append(
            {
                "table_name": t.name,
                "rows": n,
                "first_at": first,
                "last_at": last,
                "duplicate_keys": duplicates,
                "orphan_keys": orphans,
                "orphan_detail": "; ".join(orphan_detail),
            }
        )
    return pd.DataFrame(rows)


# Integer keys are counted with a bitmap over their value range when the range is at most this
# many values per row (bitstring_agg: ~1 s instead of ~14 s for 48M web events); wider ranges
# (sparse ids) are grouped.
BITMAP_VALUES_PER_ROW = 64


def duplicate_keys(con: duckdb.DuckDBPyConnection, t: contract.Table, n: int) -> int:
    """Rows beyond the first of each key value: sum(count - 1) over `group by key`. n: the
    table's row count. A key of integer columns without empty values is numbered densely over
    its value ranges (mixed radix) and its distinct values counted as the bits set in a bitmap."""
    if not n:
        return 0
    keys = ", ".join(t.key)
    if all(_is_integer(t.name, k) for k in t.key):
        parts = ", ".join(f"min({k}), max({k}), count({k})" for k in t.key)
        row = db.run(con, f"select {parts} from {t.name}").iloc[0].tolist()
        if all(int(filled) == n for filled in row[2::3]):
            lows = [int(v) for v in row[0::3]]
            sizes = [int(hi) - lo + 1 for lo, hi in zip(lows, row[1::3], strict=True)]
            values = 1
            for size in sizes:
                values *= size
            if values <= BITMAP_VALUES_PER_ROW * n:
                # ((k1 - lo1) * size2 + (k2 - lo2)) * size3 + ...: key column names, bound values
                code = "(" + t.key[0] + " - $lo0)"
                for i, k in enumerate(t.key[1:], start=1):
                    code = "(" + code + f" * $size{i} + ({k} - $lo{i}))"
                params = {f"lo{i}": lo for i, lo in enumerate(lows)} | {f"size{i}": s for i, s in enumerate(sizes)}
                sql = f"select bit_count(bitstring_agg(cast({code} as bigint), 0, $top)) from {t.name}"
                return n - int(db.scalar(con, sql, params | {"top": values - 1}))
    return int(
        db.scalar(con, f"select coalesce(sum(n - 1), 0) from (select count(*) as n from {t.name} group by {keys})")
    )


def _is_integer(table: str, column: str) -> bool:
    types = {c.name: c.sql_type for c in contract.table(table).columns}
    return types.get(column) in {"BIGINT", "INTEGER"}


def orphan_keys(con: duckdb.DuckDBPyConnection, child: str, ccol: str, parent: str, pcol: str) -> int:
    """Rows of child whose ccol is set but not among parent's pcol values (`not in`). With
    integer keys over a range not much wider than the parent, the parent's keys are a bitmap
    and each child row tests one bit instead of probing a hash table."""
    if _is_integer(child, ccol) and _is_integer(parent, pcol):
        lo, hi, filled = db.run(con, f"select min({pcol}), max({pcol}), count({pcol}) from {parent}").iloc[0]
        if filled and int(hi) - int(lo) < BITMAP_VALUES_PER_ROW * int(filled):
            return int(
                db.scalar(
                    con,
                    f"select count(*) from {child}, (select bitstring_agg({pcol}, $lo, $hi) as present from {parent}) "
                    f"where {ccol} is not null and ({ccol} < $lo or {ccol} > $hi "
                    f"or get_bit(present, cast({ccol} - $lo as integer)) = 0)",
                    {"lo": int(lo), "hi": int(hi)},
                )
            )
    return int(
        db.scalar(
            con,
            f"select count(*) from {child} where {ccol} is not null "
            f"and {ccol} not in (select {pcol} from {parent} where {pcol} is not null)",
        )
    )


def null_rates(con: duckdb.DuckDBPyConnection, table_name: str) -> pd.DataFrame:
    """One row per column of a raw table: empty values and their share."""
    contract.table(table_name)  # raises ValueError for a name outside the contract
    if STORED_COLUMNS in db.table_names(con):
        stored = db.run(
            con,
            f"select column_name, required, empty, empty_rate from {STORED_COLUMNS} where table_name = $t",
            {"t": table_name},
        )
        if len(stored):
            return stored
    return compute_null_rates(con, table_name)


def compute_null_rates(con: duckdb.DuckDBPyConnection, table_name: str) -> pd.DataFrame:
    """null_rates from the raw table itself."""
    t = contract.table(table_name)
    parts = ", ".join(f"count(*) - count({c.name}) as {c.name}" for c in t.columns)
    row = db.run(con, f"select count(*) as _rows, {parts} from {t.name}").iloc[0].tolist()
    total = int(row[0])
    return pd.DataFrame(
        [
            {
                "column_name": c.name,
                "required": c.required,
                "empty": int(v),
                "empty_rate": (int(v) / total) if total else 0.0,
            }
            for c, v in zip(t.columns, row[1:], strict=True)
        ]
    )
