"""raw -> staging views -> mart tables, in order, into the DuckDB file.

One function serves the CLI, the app and the tests. The build never edits the serving file in
place: it copies the file, builds the copy and swaps it in with os.replace, so readers keep
the old generation until they reopen and a failed build changes nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

from crm_core import campaigns, contract, db

STAGING: tuple[str, ...] = (
    "stg_customers",
    "stg_orders",
    "stg_order_items",
    "stg_products",
    "stg_account_managers",
    "stg_web_events",
    "stg_interactions",
    "stg_reviews",
    "stg_membership_events",
    "stg_points_ledger",
    "stg_campaigns",
    "stg_campaign_sends",
)
# In dependency order.
MARTS: tuple[str, ...] = (
    "calendar",
    "order_facts",
    "membership_tier_spells",
    "customer_features",
    "campaign_results",
    "lifecycle_monthly",
    "customer_rfm_monthly",
    "customer_rfm",
    "customer_milestones",
    "customer_monthly_activity",
    "cart_sessions",
    "customer_timeline",
    "basket_lines",
    "basket_categories",
    "order_baskets",
)
# Temporary tables of the build (sql/intermediate/<name>.sql), each aggregated once for the marts
# that read it: created before the first of them, dropped after the last; never in the file.
INTERMEDIATE: dict[str, tuple[str, ...]] = {"web_sessions": ("cart_sessions", "customer_timeline")}
# Tables whose row order nothing reads (no page query, mart or statistic depends on it): DuckDB
# builds them with preserve_insertion_order off, inserting in parallel without keeping order.
# The others keep it: some are stored sorted for row-group skipping (order_facts, lifecycle_monthly,
# customer_rfm_monthly, customer_timeline, basket_lines, cart_sessions), and campaign_lift sums
# campaign_results.
UNORDERED: frozenset[str] = frozenset(
    {"web_sessions", "membership_tier_spells", "customer_features", "customer_milestones"}
    | {"customer_monthly_activity"}
)
# Enum types of the contract's allowed values, for the low-cardinality text columns that pages
# group millions of rows by (a group-by of an enum groups small integers, of text compares
# strings: 3x at L). Queries get them back as text (db.run).
ENUM_TYPES: dict[str, tuple[str, ...]] = {
    "tier_t": contract.TIERS,
    "sales_channel_t": contract.SALES_CHANNELS,
    "device_t": contract.DEVICES,
}
# Marts computed in Python (statistics), after the SQL marts.
PYTHON_MARTS: tuple[str, ...] = ("campaign_lift",)

RFM_LOOKBACK_DAYS = 365
# The version of the marts' shape (columns, types), kept in build_info: raise it when a change
# needs a rebuild (2: the enum types; 3: customer_monthly_activity carries the filters' customer
# attributes), so that the app asks to rebuild a file built before instead of failing on a query.
SCHEMA_VERSION = 3
Progress = Callable[[float, str], None]
T = TypeVar("T")


class BuildError(Exception):
    """A build that cannot run; the message is one sentence for the user."""


@dataclass
class BuildReport:
    as_of: date
    seconds: float
    mart_rows: dict[str, int] = field(default_factory=dict)
    mart_seconds: dict[str, float] = field(default_factory=dict)
    score: Any = None  # clv.ScoreReport when scoring ran


def _no_progress(fraction: float, message: str) -> None:
    return None


def default_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The data's last day: the latest order, or signup when there are no orders."""
    last = db.scalar(
        con,
        "select greatest((select max(ordered_at) from orders), (select max(signed_up_at) from customers))",
    )
    return last.date() if isinstance(last, datetime) else date.today()


def _keep_order(con: duckdb.DuckDBPyConnection, keep: bool) -> None:
    """This connection's preserve_insertion_order (the scoring thread's cursor keeps its own)."""
    con.execute("set session preserve_insertion_order = " + ("true" if keep else "false"))


def build_into(
    con: duckdb.DuckDBPyConnection,
    as_of: date | None = None,
    progress: Progress = _no_progress,
    on_mart: Callable[[str, date], None] | None = None,
) -> BuildReport:
    """Create staging views and mart tables on an open read-write connection.

    on_mart(name, as_of) runs after each SQL mart is built (rebuild_into starts scoring there).
    """
    t0 = time.perf_counter()
    missing = [t for t in contract.RAW_TABLE_NAMES if t not in db.table_names(con)]
    if missing:
        raise BuildError(f"the database has no raw table {', '.join(missing)}: load it or generate the demo data first")
    as_of = as_of or default_as_of(con)
    report = BuildReport(as_of=as_of, seconds=0.0)
    steps = len(STAGING) + len(MARTS) + len(PYTHON_MARTS) + 1
    for i, name in enumerate(STAGING):
        progress(i / steps, name)
        # identifiers come from the constant tuple above
        con.execute(f"create or replace view {name} as {db.load_sql(name, 'staging')}")
    # the marts go first (their columns may use the types), then the types are made afresh from
    # the contract; identifiers come from the constant dicts and tuples above, values are bound
    for name in reversed(MARTS):
        con.execute(f"drop table if exists {name}")
    for name, values in ENUM_TYPES.items():
        con.execute(f"drop type if exists {name}")
        con.execute(f"create type {name} as enum (select unnest($values))", {"values": list(values)})
    params = {"as_of": as_of, "lookback_days": RFM_LOOKBACK_DAYS}
    for j, name in enumerate(MARTS):
        progress((len(STAGING) + j) / steps, name)
        t1 = time.perf_counter()
        for t, readers in INTERMEDIATE.items():
            if name == readers[0]:
                sql = db.load_sql(t, "intermediate")
                _keep_order(con, t not in UNORDERED)
                con.execute(f"create or replace temp table {t} as {sql}", db.bind(sql, params))
        con.execute(f"drop table if exists {name}")
        sql = db.load_sql(name, "marts")
        _keep_order(con, name not in UNORDERED)
        con.execute(f"create table {name} as {sql}", db.bind(sql, params))
        for t, readers in INTERMEDIATE.items():
            if name == readers[-1]:
                con.execute(f"drop table if exists temp.{t}")
        report.mart_seconds[name] = time.perf_counter() - t1
        report.mart_rows[name] = int(db.scalar(con, f"select count(*) from {name}"))
        if on_mart is not None:
            on_mart(name, as_of)
    con.execute("reset session preserve_insertion_order")
    progress((steps - 1) / steps, "campaign_lift")
    t1 = time.perf_counter()
    report.mart_rows["campaign_lift"] = campaigns.build_campaign_lift(con, as_of)
    report.mart_seconds["campaign_lift"] = time.perf_counter() - t1
    from crm_core import health  # imports the importer, which imports this module

    t1 = time.perf_counter()
    report.mart_rows[health.STORED_TABLES] = health.store_into(con)
    report.mart_seconds[health.STORED_TABLES] = time.perf_counter() - t1
    con.execute("drop table if exists build_info")
    con.execute(
        "create table build_info as select cast($as_of as date) as as_of_date, "
        "cast($built_at as timestamp) as built_at, cast($marts as varchar) as marts, "
        "cast($version as integer) as schema_version",
        {
            "as_of": as_of,
            "built_at": datetime.now().replace(microsecond=0),
            "marts": json.dumps(report.mart_rows),
            "version": SCHEMA_VERSION,
        },
    )
    report.seconds = time.perf_counter() - t0
    progress(1.0, "done")
    return report


def atomic_update(path: str | Path, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run `work` on a read-write copy of the file at `path`, then swap the copy in.

    Readers keep the old generation until they reopen; if `work` raises, the file is untouched
    and the copy is removed. Every writer (build, scoring, import) goes through here.
    """
    src = Path(path)
    if not src.exists():
        raise BuildError(f"{src} does not exist: run `make data` or `python -m sample_data.generate` first")
    # One writer at a time: two writers on copies of the same file would each swap in their
    # copy and the first one's change would be lost. Readers never take the lock.
    with open(src.with_name(f".{src.name}.write.lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        tmp = src.with_name(f".{src.name}.build-{os.getpid()}-{threading.get_ident()}.tmp")
        tmp.unlink(missing_ok=True)
        shutil.copyfile(src, tmp)
        try:
            con = db.connect(tmp, read_only=False)
            try:
                result = work(con)
                con.execute("checkpoint")
            finally:
                con.close()
            os.replace(tmp, src)
        except BaseException:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
            raise
    return result


def build(
    path: str | Path, as_of: date | None = None, progress: Progress = _no_progress, score: bool = True
) -> BuildReport:
    """Build a copy of the file at `path` and swap it in atomically.

    With `score` (the default), lifetime-value scoring runs on the same copy after the marts, so
    readers never see marts and scores of different data; data the models cannot be fitted to
    leaves the reason in clv_model_fit instead of failing the build.
    """

    return atomic_update(path, lambda con: rebuild_into(con, as_of, progress, score))


def rebuild_into(
    con: duckdb.DuckDBPyConnection, as_of: date | None, progress: Progress = _no_progress, score: bool = True
) -> BuildReport:
    """The marts, then (with `score`) lifetime-value scoring, on an open read-write connection:
    what `build` runs on its copy, and what an import runs after loading.

    Scoring reads only order_facts, so it starts in a background thread as soon as that mart is
    built and runs alongside the other marts: it is mostly one core of Python (model fits), and
    the SQL marts leave the other core idle for much of their time."""
    from crm_core import clv  # PyMC-Marketing itself is imported only when scoring fits a model

    t0 = time.perf_counter()
    share = 0.8 if score else 1.0  # the marts; then waiting for scoring
    scoring: list[clv.BackgroundScore] = []

    def start_scoring(name: str, mart_as_of: date) -> None:
        if score and name == clv.SCORING_READS:
            scoring.append(clv.BackgroundScore(con, mart_as_of))

    try:
        report = build_into(con, as_of, lambda f, step: progress(f * share, step), start_scoring)
    except BaseException:
        for job in scoring:
            job.cancel()
        raise
    if score:
        job = scoring[0] if scoring else clv.BackgroundScore(con, report.as_of)
        report.score = job.wait(lambda f, step: progress(share + f * (1 - share), f"clv {step}"))
        report.mart_seconds["customer_clv"] = job.seconds
        report.mart_rows["customer_clv"] = int(db.scalar(con, "select count(*) from customer_clv"))
    else:
        clv.create_empty_tables(con)  # scores of other data must not outlive a rebuild
    report.seconds = time.perf_counter() - t0
    return report


def schema_version_of(con: duckdb.DuckDBPyConnection) -> int | None:
    """The SCHEMA_VERSION the file was built with (None: not built, or built before versions)."""
    columns = db.run(con, "select column_name from information_schema.columns where table_name = 'build_info'")
    if "schema_version" not in set(columns["column_name"]):
        return None
    value = db.scalar(con, "select max(schema_version) from build_info")
    return None if value is None or pd.isna(value) else int(value)


def as_of_of(con: duckdb.DuckDBPyConnection) -> date:
    """The as-of date the file was built for."""
    value = db.scalar(con, "select max(as_of_date) from build_info")
    if value is None:
        raise BuildError("the database has not been built: run `python -m crm_core build --db FILE`")
    return date.fromisoformat(str(value)[:10])


def stats(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """A JSON-able summary of the raw data: rows per table, date range, customers, revenue."""
    names = db.table_names(con)
    rows = {t: int(db.scalar(con, f"select count(*) from {t}")) for t in contract.RAW_TABLE_NAMES if t in names}
    summary = db.run(
        con,
        """
        select
            min(ordered_at) as first_ordered_at,
            max(ordered_at) as last_ordered_at,
            count(*) filter (where status = 'completed') as completed_orders,
            count(distinct customer_id) filter (where status = 'completed') as customers_with_completed_orders,
            coalesce(sum(amount) filter (where status = 'completed'), 0) as revenue
        from orders
        """,
    ).iloc[0]
    as_of = db.scalar(con, "select max(as_of_date) from build_info") if "build_info" in names else None
    lines = db.scalar(
        con,
        "select count(*) from order_items where order_id in (select order_id from orders where status = 'completed')",
    )
    # customers derived from the orders when no archive is loaded (see stg_customers)
    customers = (
        db.scalar(con, "select count(*) from stg_customers") if "stg_customers" in names else rows.get("customers", 0)
    )
    return {
        "rows": rows,
        "first_ordered_at": str(summary["first_ordered_at"]),
        "last_ordered_at": str(summary["last_ordered_at"]),
        "customers": int(customers or 0),
        "customers_derived_from_orders": rows.get("customers", 0) == 0 and int(customers or 0) > 0,
        "customers_with_completed_orders": int(summary["customers_with_completed_orders"]),
        "completed_orders": int(summary["completed_orders"]),
        "completed_order_lines": int(lines or 0),
        "revenue": round(float(summary["revenue"]), 2),
        "built_as_of": str(as_of)[:10] if as_of is not None else None,
    }
