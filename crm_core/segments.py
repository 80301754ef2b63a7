"""Customer segments: RFM value tiers, the segment builder, saved segments, lists and exports.

A segment is an AND of conditions (filters.Condition) over the allow-listed FIELDS below. It
compiles to a SQL predicate from fixed templates with every value bound as a parameter, and is
applied to every page query through the `-- @segment_filter` marker of filtered_customers.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from crm_core import contract, db
from crm_core.filters import Condition, Filters

RFM_SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new_customers",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose_them",
    "hibernating",
    "lost",
)
VALUE_TIERS: tuple[str, ...] = ("high_value", "potential", "general", "at_risk", "lost")
AGE_BANDS: tuple[str, ...] = ("under_25", "25_34", "35_44", "45_54", "55_plus", "unknown")
STAGES: tuple[str, ...] = ("cognition", "exploration", "commitment", "dissolution")
CLV_TIERS: tuple[str, ...] = ("top", "high", "medium", "low")  # crm_core.clv assigns them
LOOKBACK_DAYS: tuple[int, ...] = (90, 180, 365, 730)
DEFAULT_LOOKBACK = 365


@dataclass(frozen=True)
class Field:
    column: str  # a column of segment_base (an identifier from this allow-list)
    kind: str  # 'in', 'between' or 'is'
    codes: tuple[str, ...] | None = None  # allowed codes for 'in' (None: any text, e.g. city)
    # the lightest CTE of the segment_base snippet that has the column (SOURCES): a segment on
    # people's own attributes or RFM scores selects its members without the other joins
    source: str = "segment_base"


# segment_base's snippet in layers, each with the columns of the one before: customer_features
# alone, then the RFM scores, then tier, lifecycle stage and lifetime value
SOURCES: tuple[str, ...] = ("segment_people", "segment_rfm", "segment_base")


FIELDS: dict[str, Field] = {
    "value_tier": Field("value_tier", "in", (*VALUE_TIERS, "no_purchase"), "segment_rfm"),
    "rfm_segment": Field("rfm_segment", "in", (*RFM_SEGMENTS, "no_purchase"), "segment_rfm"),
    "r_score": Field("r_score", "in", ("1", "2", "3", "4", "5"), "segment_rfm"),
    "f_score": Field("f_score", "in", ("1", "2", "3", "4", "5"), "segment_rfm"),
    "membership_tier": Field("membership_tier", "in", contract.TIERS),
    "lifecycle_stage": Field("lifecycle_stage", "in", STAGES),
    "region": Field("region", "in", contract.REGIONS, "segment_people"),
    "city": Field("city", "in", None, "segment_people"),
    "acquisition_channel": Field("acquisition_channel", "in", contract.ACQUISITION_CHANNELS, "segment_people"),
    "gender": Field("gender", "in", contract.GENDERS, "segment_people"),
    "age_band": Field("age_band", "in", AGE_BANDS, "segment_people"),
    "monetary": Field("monetary", "between", source="segment_rfm"),
    "days_since_last_order": Field("days_since_last_order", "between", source="segment_rfm"),
    "clv_tier": Field("clv_tier", "in", (*CLV_TIERS, "unscored")),
    "p_alive": Field("p_alive", "between"),
    "email_consent": Field("has_email_consent", "is", source="segment_people"),
    "sms_consent": Field("has_sms_consent", "is", source="segment_people"),
}


def validate(conditions: tuple[Condition, ...]) -> None:
    """One clear ValueError for a condition the builder cannot express."""
    for c in conditions:
        spec = FIELDS.get(c.field)
        if spec is None:
            raise ValueError(f"unknown segment field {c.field!r}; expected one of {', '.join(FIELDS)}")
        if c.op != spec.kind:
            raise ValueError(f"field {c.field} takes the operator {spec.kind!r}, not {c.op!r}")
        if spec.kind == "in":
            if not c.values:
                raise ValueError(f"field {c.field}: choose at least one value")
            bad = [v for v in c.values if spec.codes is not None and v not in spec.codes]
            if bad:
                allowed = ", ".join(spec.codes or ())
                raise ValueError(f"field {c.field}: unknown values {bad}; expected some of {allowed}")
        elif spec.kind == "between":
            if len(c.values) != 2 or all(v is None for v in c.values):
                raise ValueError(f"field {c.field}: give a low bound, a high bound or both")
            for v in c.values:
                if v is not None and (not isinstance(v, (int, float)) or math.isnan(float(v))):
                    raise ValueError(f"field {c.field}: bounds must be numbers, got {v!r}")
        elif len(c.values) != 1 or not isinstance(c.values[0], bool):
            raise ValueError(f"field {c.field}: expected yes or no")


def compile_predicate(conditions: tuple[Condition, ...]) -> tuple[str, dict[str, Any]]:
    """SQL predicate over segment_base (identifiers from FIELDS, values bound as $seg_N)."""
    validate(conditions)
    parts: list[str] = []
    params: dict[str, Any] = {}
    for i, c in enumerate(conditions):
        column = FIELDS[c.field].column
        key = f"seg_{i}"
        if c.op == "in":
            parts.append(f"list_contains(${key}, segment_base.{column})")
            params[key] = [str(v) for v in c.values]
        elif c.op == "between":
            low, high = c.values
            if low is not None:
                parts.append(f"segment_base.{column} >= ${key}_low")
                params[f"{key}_low"] = float(low)
            if high is not None:
                parts.append(f"segment_base.{column} <= ${key}_high")
                params[f"{key}_high"] = float(high)
        else:
            parts.append(f"segment_base.{column} = ${key}")
            params[key] = bool(c.values[0])
    return (" and ".join(parts) or "true"), params


RFM_MART_LOOKBACK = 365  # customer_rfm_monthly holds the rfm_scored snippet's rows for 365 days
_RFM_SNIPPET = re.compile(r"[ \t]*-- rfm_scored: begin.*?-- rfm_scored: end", re.DOTALL)
_RFM_FROM_MART = "rfm_scored as (\n    select * from customer_rfm_monthly where snapshot_date = $rfm_snapshot\n)"


def rfm_snapshot(as_of: date, built: date | None) -> date | None:
    """The snapshot the 365-day RFM scores are read at for `as_of`: the build's as-of date itself,
    else the last month end on or before `as_of` (customer_rfm_monthly keeps month ends). None
    while the file has no finished build (scores are then computed at `as_of` exactly)."""
    if built is None:
        return None
    if as_of >= built:
        return built
    return as_of if (as_of + timedelta(days=1)).day == 1 else as_of.replace(day=1) - timedelta(days=1)


# `-- @filtered_rows <alias>` on its own line of a where clause: keep the rows of <alias> (a mart
# with one customer per row) whose customer passes the filters. The mart carries the customer's
# signup day, region and acquisition channel: without a tier or a segment to select those are all
# filtered_customers reads, so the rows are kept by their own columns (a scan) instead of a
# semi-join with a million customers; otherwise by the semi-join.
_FILTERED_ROWS = re.compile(r"^([ \t]*)--[ \t]*@filtered_rows[ \t]+([a-z_]+)[ \t]*$", re.MULTILINE)


def _rows_of_filtered_customers(indent: str, alias: str, fast: bool) -> str:
    if not fast:
        return f"{indent}and {alias}.customer_id in (select customer_id from filtered_customers)"
    return "\n".join(
        indent + line
        for line in (
            f"and {alias}.signed_up_on <= $as_of",
            f"and (len($regions) = 0 or list_contains($regions, {alias}.region))",
            f"and (len($channels) = 0 or list_contains($channels, {alias}.acquisition_channel))",
        )
    )


def filtered_sql(
    name_or_sql: str,
    filters: Filters,
    built_as_of: date | None = None,
    lookback_days: int = DEFAULT_LOOKBACK,
) -> tuple[str, dict[str, Any]]:
    """The query's SQL with the active segment applied, and its parameters.

    With the 365-day lookback, RFM scores are read from the customer_rfm_monthly mart (built by
    the same scoring for every month end and the build's as-of date) at `rfm_snapshot(...)`
    instead of being recomputed from every order: at a million customers that is the difference
    between ~1 s and ~10 ms. Other lookbacks are computed at the as-of date itself.
    """
    sql = db.load_sql(name_or_sql) if re.fullmatch(r"[a-z][a-z0-9_]*", name_or_sql) else name_or_sql
    params: dict[str, Any] = {**filters.params(), "lookback_days": DEFAULT_LOOKBACK, "built_as_of": built_as_of}
    full = db.load_sql("filtered_customers", "snippets").strip()
    if not filters.tiers and full in sql and "membership_tier" not in sql.replace(full, ""):
        # no tier to select and none read: the same customers without the join with the spells
        sql = sql.replace(full, db.load_sql("filtered_customers_untiered", "snippets").strip())
    sql = _FILTERED_ROWS.sub(
        lambda m: _rows_of_filtered_customers(m.group(1), m.group(2), fast=not filters.tiers and not filters.segment),
        sql,
    )
    if filters.segment and "-- @segment_filter" in sql:
        predicate, seg_params = compile_predicate(filters.segment)
        # the predicate names its columns segment_base.<column>; the lightest layer with them all
        source = max((FIELDS[c.field].source for c in filters.segment), key=SOURCES.index, default=SOURCES[0])
        members = (
            "and customers.customer_id in (\n    with\n"
            + db.load_sql("segment_base", "snippets")
            + f"\n    select segment_base.customer_id from {source} as segment_base where {predicate}\n)"
        )
        sql = sql.replace("-- @segment_filter", members)
        params.update(seg_params)
    snapshot = rfm_snapshot(filters.as_of, built_as_of)
    if snapshot is not None and lookback_days == RFM_MART_LOOKBACK:
        sql = _RFM_SNIPPET.sub(_RFM_FROM_MART, sql)
        params["rfm_snapshot"] = snapshot
    if snapshot is not None:
        # the same date as segment_snapshot's subquery (lifecycle_monthly keeps the same month
        # ends), bound as a value so that DuckDB skips the other snapshots' row groups
        sql = sql.replace("(select snapshot_date from segment_snapshot)", "$rfm_snapshot")
        params["rfm_snapshot"] = snapshot
    return sql, params


def built_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    """The as-of date of the file's finished build (None while building a new file)."""
    try:
        value = db.scalar(con, "select max(as_of_date) from build_info")
    except duckdb.Error:
        return None
    return None if value is None else date.fromisoformat(str(value)[:10])


def run_filtered(con: duckdb.DuckDBPyConnection, name_or_sql: str, filters: Filters, **extra: Any) -> pd.DataFrame:
    lookback = int(extra.get("lookback_days", DEFAULT_LOOKBACK))
    sql, params = filtered_sql(name_or_sql, filters, built_as_of(con), lookback)
    return db.run(con, sql, {**params, **extra})


# -- segment definitions as JSON ---------------------------------------------------------------
def to_json(conditions: tuple[Condition, ...]) -> str:
    validate(conditions)
    return json.dumps(
        [{"field": c.field, "op": c.op, "values": list(c.values)} for c in conditions], ensure_ascii=False
    )


def from_json(text: str) -> tuple[Condition, ...]:
    try:
        raw = json.loads(text)
        conditions = tuple(Condition(str(r["field"]), str(r["op"]), tuple(r["values"])) for r in raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a segment definition: {exc}") from None
    validate(conditions)
    return conditions


# -- queries -----------------------------------------------------------------------------------
def rfm_scores(con: duckdb.DuckDBPyConnection, filters: Filters, lookback_days: int = DEFAULT_LOOKBACK) -> pd.DataFrame:
    """RFM rows of the filtered customers at the as-of date (one row per customer with an order)."""
    if lookback_days not in LOOKBACK_DAYS:
        raise ValueError(f"lookback_days must be one of {LOOKBACK_DAYS}, got {lookback_days}")
    return run_filtered(con, "rfm_scores", filters, lookback_days=lookback_days)


def rfm_grid(con: duckdb.DuckDBPyConnection, filters: Filters, lookback_days: int = DEFAULT_LOOKBACK) -> pd.DataFrame:
    if lookback_days not in LOOKBACK_DAYS:
        raise ValueError(f"lookback_days must be one of {LOOKBACK_DAYS}, got {lookback_days}")
    return run_filtered(con, "rfm_grid", filters, lookback_days=lookback_days)


def segment_summary(
    con: duckdb.DuckDBPyConnection, filters: Filters, lookback_days: int = DEFAULT_LOOKBACK
) -> pd.DataFrame:
    """Customers and revenue by rfm_segment, value_tier and membership_tier (long format)."""
    return run_filtered(con, "segment_summary", filters, lookback_days=lookback_days)


def segment_profiles(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rfm_segments: tuple[str, ...],
    lookback_days: int = DEFAULT_LOOKBACK,
) -> pd.DataFrame:
    """The profiles of several RFM segments in one pass (rfm_segment, dimension, dimension_value,
    share); a segment without customers has no rows."""
    for rfm_segment in rfm_segments:
        if rfm_segment not in (*RFM_SEGMENTS, "no_purchase"):
            raise ValueError(f"rfm_segment must be one of {RFM_SEGMENTS}, got {rfm_segment!r}")
    return run_filtered(
        con, "segment_profile", filters, lookback_days=lookback_days, rfm_segments=list(dict.fromkeys(rfm_segments))
    )


def segment_profile(
    con: duckdb.DuckDBPyConnection, filters: Filters, rfm_segment: str, lookback_days: int = DEFAULT_LOOKBACK
) -> pd.DataFrame:
    """One segment's profile (dimension, dimension_value, share)."""
    profiles = segment_profiles(con, filters, (rfm_segment,), lookback_days)
    return profiles.drop(columns="rfm_segment").reset_index(drop=True)


def rfm_migration(con: duckdb.DuckDBPyConnection, filters: Filters, from_date: date, to_date: date) -> pd.DataFrame:
    """Customers of the filters on `to_date` counted by RFM segment and value tier on both dates
    (from_segment, to_segment, from_value_tier, to_value_tier, customers; 'no_purchase' before a
    first order), 365-day lookback. Customers are those the filters select on `to_date`; their
    scores on `from_date` rank them among everyone then. Both dates read monthly snapshots."""
    if from_date >= to_date:
        raise ValueError(f"the first date ({from_date}) must come before the second ({to_date})")
    return run_filtered(
        con, "rfm_migration", replace(filters, as_of=to_date), from_snapshot=_from_snapshot(con, from_date)
    )


MIGRATION_LEVELS: tuple[str, ...] = ("rfm_segment", "value_tier")


def migration_customers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    from_date: date,
    to_date: date,
    level: str,
    from_value: str,
    to_value: str,
    limit: int | None = 200,
) -> pd.DataFrame:
    """The customers of one migration cell (level `level`: from_value on from_date, to_value on
    to_date), as segment_customers lists them, by lookback revenue."""
    if level not in MIGRATION_LEVELS:
        raise ValueError(f"level must be one of {MIGRATION_LEVELS}, got {level!r}")
    page = "" if limit is None else " limit $limit"
    sql = db.load_sql("migration_customers") + f"\norder by monetary desc nulls last, customer_id{page}"
    return run_filtered(
        con,
        sql,
        replace(filters, as_of=to_date),
        from_snapshot=_from_snapshot(con, from_date),
        level=level,
        from_value=from_value,
        to_value=to_value,
        limit=limit or 0,
    )


def _from_snapshot(con: duckdb.DuckDBPyConnection, from_date: date) -> date:
    return rfm_snapshot(from_date, built_as_of(con)) or from_date


LIST_SORTS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "monetary",
    "frequency",
    "days_since_last_order",
    "signed_up_on",
)
_RFM_KEY_JOIN = "left join rfm_scored on rfm_scored.customer_id = filtered_customers.customer_id"
# Each sort's key as segment_base computes it, from the one table it needs: the list's page is
# picked before segment_base's other joins (tier spells, lifetime value, lifecycle, RFM) are made
# for its 50 rows (at L: five joins of a million rows -> one or two).
LIST_SORT_KEYS: dict[str, tuple[str, str]] = {
    "customer_id": ("filtered_customers.customer_id", ""),
    "customer_name": (
        "features.customer_name",
        "left join customer_features as features on features.customer_id = filtered_customers.customer_id",
    ),
    "monetary": ("coalesce(rfm_scored.monetary, 0)", _RFM_KEY_JOIN),
    "frequency": ("coalesce(rfm_scored.frequency, 0)", _RFM_KEY_JOIN),
    "days_since_last_order": ("rfm_scored.recency_days", _RFM_KEY_JOIN),
    "signed_up_on": ("filtered_customers.signed_up_on", ""),
}
EXPORT_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "email",
    "phone",
    "has_email_consent",
    "has_sms_consent",
    "city",
    "region",
    "acquisition_channel",
    "membership_tier",
    "value_tier",
    "rfm_segment",
    "lifecycle_stage",
    "days_since_last_order",
    "frequency",
    "monetary",
    "signed_up_on",
)


def segment_customers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    sort: str = "monetary",
    descending: bool = True,
    limit: int | None = 50,
    offset: int = 0,
) -> pd.DataFrame:
    """The customers of the filters and segment, sorted (allow-listed column) and paged."""
    if sort not in LIST_SORTS:
        raise ValueError(f"sort must be one of {LIST_SORTS}, got {sort!r}")
    direction = "desc" if descending else "asc"
    key, join = LIST_SORT_KEYS[sort]
    sql = db.load_filled("segment_customers", sort_key=key, sort_join=join, sort=sort, direction=direction)
    return run_filtered(con, sql, filters, limit=limit, offset=offset)


def segment_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row: customers and revenue of the segment, and the totals of the filters without it."""
    return run_filtered(con, "segment_count", filters)


def export_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    """The whole list as CSV (UTF-8 with BOM, for Excel and Chinese) or as an Excel workbook."""
    out = frame[[c for c in EXPORT_COLUMNS if c in frame.columns]]
    if fmt == "csv":
        return out.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            out.to_excel(writer, index=False, sheet_name="customers")
        return buffer.getvalue()
    raise ValueError(f"format must be csv or xlsx, got {fmt!r}")
