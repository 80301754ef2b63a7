"""Connections and the one function every query goes through.

`run(con, name_or_sql, params)` takes the name of a file in sql/queries (or literal SQL from
the core itself) and binds every value as a parameter. Each call uses its own cursor, because a
DuckDB connection is not thread-safe and Streamlit serves sessions from several threads.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parent / "sql"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_INCLUDE = re.compile(r"^([ \t]*)--[ \t]*@include[ \t]+([a-z_]+)[ \t]*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@lru_cache(maxsize=256)
def load_sql(name: str, folder: str = "queries") -> str:
    """Text of sql/<folder>/<name>.sql with `-- @include snippet` lines expanded."""
    if not _NAME.match(name) or folder not in {"queries", "staging", "marts", "intermediate", "snippets"}:
        raise ValueError(f"not a query name: {name!r}")
    path = SQL_DIR / folder / f"{name}.sql"
    if not path.exists():
        raise ValueError(f"no such query: {folder}/{name}.sql")
    text = path.read_text(encoding="utf-8")
    return _INCLUDE.sub(
        lambda m: "\n".join(m.group(1) + line for line in load_sql(m.group(2), "snippets").strip().splitlines()),
        text,
    )


def load_filled(name: str, **parts: str) -> str:
    """A query with its `{placeholder}`s written in from `parts`: what a $-parameter cannot be
    (a sort key, a join, a clause), always taken by the caller from an allow-list. Every
    placeholder of the text must get a part and every part must have a placeholder."""
    sql = load_sql(name)
    named = set(_PLACEHOLDER.findall(sql))
    if named != parts.keys():
        raise ValueError(f"{name} has placeholders {sorted(named)}, was given {sorted(parts)}")
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], sql)


def connect(path: str | Path, read_only: bool = True, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A connection; `memory_limit` (e.g. "1GB") caps DuckDB's buffer pool for this database
    (the app's serving connection sets it: queries spill to disk rather than grow the process)."""
    con = duckdb.connect(str(path), read_only=read_only)
    if memory_limit:
        # a setting of the open database, not a connect-time config: other connections to the
        # same file in this process (an import's, a test's) must not differ in configuration
        con.execute("set global memory_limit = $limit", {"limit": memory_limit})
    # DuckDB turns an ASOF join whose left side it *estimates* below 64 rows into a nested loop
    # over every order of those customers; its estimates for filtered CTEs are often that low
    # while the real side has 100,000 rows (orphan_outcomes at M: 7 s instead of 0.2 s)
    con.execute("set global asof_loop_join_threshold = 0")
    return con


def run(con: duckdb.DuckDBPyConnection, sql_or_name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run a named query (sql/queries/<name>.sql) or core SQL with bound parameters."""
    sql = load_sql(sql_or_name) if _NAME.match(sql_or_name) else sql_or_name
    cur = con.cursor()
    try:
        cur.execute(sql, bind(sql, params or {}))
        df = cur.fetch_df()
    finally:
        cur.close()
    # an enum column (build.ENUM_TYPES) arrives as a pandas category: text like any other column
    for column in df.columns[[isinstance(t, pd.CategoricalDtype) for t in df.dtypes]]:
        df[column] = df[column].astype("str")
    return df


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters the SQL names (DuckDB rejects extra ones); a missing one is an error."""
    used = set(_PARAM.findall(sql))
    missing = used - params.keys()
    if missing:
        raise ValueError(f"query needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in used}


def scalar(con: duckdb.DuckDBPyConnection, sql_or_name: str, params: dict[str, Any] | None = None) -> Any:
    df = run(con, sql_or_name, params)
    return None if df.empty else df.iat[0, 0]


def generation(path: str | Path) -> tuple[int, int, int]:
    """Identity of the file's current contents; it changes when a build swaps in a new file."""
    st = Path(path).stat()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    df = run(con, "select table_name from information_schema.tables")
    return set(df["table_name"].tolist())
