"""The relationship lifecycle: cognition -> exploration -> commitment -> dissolution (认知 → 探索 →
承诺 → 解体), with backward moves and win-backs, cohorts, and cart abandonment.

Stages are read from the lifecycle_monthly mart (one row per customer per month end) with
thresholds bound as parameters, so moving a threshold re-reads the mart instead of rebuilding.
A date that is not a snapshot (a month end or the build's as-of date) reads the latest snapshot
before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from crm_core import db, segments
from crm_core.filters import Filters

STAGES: tuple[str, ...] = ("cognition", "exploration", "commitment", "dissolution")
BREAKDOWNS: tuple[str, ...] = ("none", "membership_tier", "acquisition_channel", "region", "signup_cohort")
DISSOLUTION_DAYS: tuple[int, ...] = (90, 120, 180, 270, 365)
COMMITMENT_ORDERS: tuple[int, ...] = (2, 3, 4, 5)
CONVERSION_DAYS: tuple[int, ...] = (7, 14, 30, 60, 90, 180)
DISSOLUTION_RULES: tuple[str, ...] = ("days", "p_alive")
P_ALIVE_BELOW: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5)
# Bound when the days rule is chosen (the SQL names the parameters either way).
_UNUSED_BGNBD = {"r": 1.0, "alpha": 1.0, "a": 1.0, "b": 1.0}


class NotScoredError(Exception):
    """The P(alive) rule was asked for on a file without fitted lifetime-value models."""


COHORT_BASES: tuple[str, ...] = ("signup", "first_order")
# Sortable columns of the drill-down list (identifiers: allow-listed, then quoted).
LIST_SORTS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "signed_up_on",
    "days_since_last_order",
    "count_orders_365d",
    "count_orders_to_date",
)
# Each sort's key in lifecycle_customers' narrow selection (and the join a name needs): the page
# is cut before the customers' names and contacts are read (at L: ~260k rows -> 50)
LIST_SORT_KEYS: dict[str, tuple[str, str]] = {
    "customer_id": ("selected.customer_id", ""),
    "customer_name": (
        "names.customer_name",
        "left join customer_features as names on names.customer_id = selected.customer_id",
    ),
    **{key: (f"selected.{key}", "") for key in LIST_SORTS if key not in ("customer_id", "customer_name")},
}


@dataclass(frozen=True)
class StageRules:
    """The stage thresholds (defaults from the CRM literature's rule in docs/data-model.md)."""

    dissolution_days: int = 180
    commitment_orders: int = 3
    conversion_days: int = 30
    breakdown: str = "none"
    # 'days': dissolved after dissolution_days without an order; 'p_alive': dissolved when the
    # BG/NBD probability of being active falls below p_alive_below (one-time buyers keep 'days').
    dissolution_rule: str = "days"
    p_alive_below: float = 0.3

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("dissolution_days", self.dissolution_days, DISSOLUTION_DAYS),
            ("commitment_orders", self.commitment_orders, COMMITMENT_ORDERS),
            ("conversion_days", self.conversion_days, CONVERSION_DAYS),
            ("breakdown", self.breakdown, BREAKDOWNS),
            ("dissolution_rule", self.dissolution_rule, DISSOLUTION_RULES),
            ("p_alive_below", self.p_alive_below, P_ALIVE_BELOW),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")

    def params(self) -> dict[str, Any]:
        return {
            "dissolution_days": self.dissolution_days,
            "commitment_orders": self.commitment_orders,
            "conversion_days": self.conversion_days,
            "breakdown": self.breakdown,
            "dissolution_rule": self.dissolution_rule,
            "p_alive_below": self.p_alive_below,
        }


def _run(
    con: duckdb.DuckDBPyConnection, name_or_sql: str, filters: Filters, rules: StageRules, **extra: Any
) -> pd.DataFrame:
    return segments.run_filtered(con, name_or_sql, filters, **rules.params(), **_bgnbd(con, rules), **extra)


def _bgnbd(con: duckdb.DuckDBPyConnection, rules: StageRules) -> dict[str, float]:
    """The fitted BG/NBD parameters as $bg_* for the P(alive) rule."""
    params = _UNUSED_BGNBD
    if rules.dissolution_rule == "p_alive":
        from crm_core import clv

        fitted = clv.bgnbd_params(con)
        if fitted is None:
            raise NotScoredError(
                "the P(alive) rule needs lifetime-value scores: run `python -m crm_core score --db FILE`"
            )
        params = fitted
    return {f"bg_{k}": v for k, v in params.items()}


def snapshots(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[date]:
    df = segments.run_filtered(con, "lifecycle_snapshots", filters)
    return [pd.Timestamp(d).date() for d in df["month_end"]]


def stage_mix(con: duckdb.DuckDBPyConnection, filters: Filters, rules: StageRules) -> pd.DataFrame:
    """Customers per stage (and breakdown value) at the snapshot on or before the as-of date."""
    return _run(con, "lifecycle_stage_mix", filters, rules)


def stages_over_time(con: duckdb.DuckDBPyConnection, filters: Filters, rules: StageRules) -> pd.DataFrame:
    return _run(con, "lifecycle_over_time", filters, rules)


def transitions(
    con: duckdb.DuckDBPyConnection, filters: Filters, rules: StageRules, from_date: date, to_date: date
) -> pd.DataFrame:
    """from_stage x to_stage counts between two snapshots (from_stage 'not_yet_known' for new)."""
    if from_date >= to_date:
        raise ValueError(f"the first date ({from_date}) must come before the second ({to_date})")
    return _run(con, "lifecycle_transitions", filters, rules, from_date=from_date, to_date=to_date)


def funnel(con: duckdb.DuckDBPyConnection, filters: Filters, rules: StageRules) -> pd.DataFrame:
    """Relationships that ever reached each stage by the snapshot, with median times between."""
    return _run(con, "lifecycle_funnel", filters, rules)


def dissolved_age(con: duckdb.DuckDBPyConnection, filters: Filters, rules: StageRules) -> pd.DataFrame:
    return _run(con, "lifecycle_dissolved_age", filters, rules)


def _list_params(
    filters: Filters, stage: str, from_stage: str, from_date: date | None, breakdown_value: str
) -> dict[str, Any]:
    """The drill-down selection, checked: one stage now, optionally coming from `from_stage`."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    if from_stage and from_stage not in (*STAGES, "not_yet_known"):
        raise ValueError(f"from_stage must be empty or one of {STAGES}, got {from_stage!r}")
    return {
        "stage": stage,
        "from_stage": from_stage,
        "from_date": from_date or filters.as_of,
        "breakdown_value": breakdown_value,
    }


def stage_customers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: StageRules,
    stage: str,
    from_stage: str = "",
    from_date: date | None = None,
    breakdown_value: str = "",
    sort: str = "days_since_last_order",
    descending: bool = False,
    limit: int | None = 50,
    offset: int = 0,
) -> pd.DataFrame:
    """The drill-down list: customers in `stage` at the snapshot (optionally coming from
    `from_stage` at `from_date`, optionally in one breakdown value), sorted and paged."""
    selection = _list_params(filters, stage, from_stage, from_date, breakdown_value)
    if sort not in LIST_SORTS:
        raise ValueError(f"sort must be one of {LIST_SORTS}, got {sort!r}")
    direction = "desc" if descending else "asc"
    key, join = LIST_SORT_KEYS[sort]
    page = f"order by {key} {direction} nulls last, selected.customer_id" + (
        "" if limit is None else " limit $limit offset $offset"
    )
    sql = (
        db.load_filled("lifecycle_customers", sort_join=join, page=page)
        + f'\norder by "{sort}" {direction} nulls last, customer_id'  # allow-listed above
    )
    return _run(con, sql, filters, rules, **selection, limit=limit or 0, offset=offset)


def stage_customer_count(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: StageRules,
    stage: str,
    from_stage: str = "",
    from_date: date | None = None,
    breakdown_value: str = "",
) -> int:
    listed = db.load_filled("lifecycle_customers", sort_join="", page="")
    sql = "select count(*) from (" + listed + ") as listed"
    selection = _list_params(filters, stage, from_stage, from_date, breakdown_value)
    return int(_run(con, sql, filters, rules, **selection).iat[0, 0])


def cohort_retention(con: duckdb.DuckDBPyConnection, filters: Filters, basis: str = "signup") -> pd.DataFrame:
    if basis not in COHORT_BASES:
        raise ValueError(f"basis must be one of {COHORT_BASES}, got {basis!r}")
    return segments.run_filtered(con, "cohort_retention", filters, basis=basis)


def cohort_customers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    basis: str,
    cohort_month: date,
    months_since: int,
    limit: int | None = None,
) -> pd.DataFrame:
    """The customers of one cohort cell (the drill-down of the retention matrix), the first
    `limit` (all when None); `listed_customers` counts them all."""
    if basis not in COHORT_BASES:
        raise ValueError(f"basis must be one of {COHORT_BASES}, got {basis!r}")
    return segments.run_filtered(
        con,
        "cohort_customers",
        filters,
        basis=basis,
        cohort_month=cohort_month,
        months_since=int(months_since),
        limit=None if limit is None else int(limit),
    )


CART_DIMENSIONS: tuple[str, ...] = ("all", "channel", "device", "membership_tier")


def abandoned_cart_customers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dimension: str = "all",
    dimension_value: str = "",
    limit: int | None = None,
) -> pd.DataFrame:
    """Customers with an abandoned cart in the period (optionally in one channel, device or tier),
    the first `limit` by abandoned value (all when None); `listed_customers` counts them all."""
    if dimension not in CART_DIMENSIONS:
        raise ValueError(f"dimension must be one of {CART_DIMENSIONS}, got {dimension!r}")
    return segments.run_filtered(
        con,
        "abandoned_cart_customers",
        filters,
        dimension=dimension,
        dimension_value=dimension_value,
        limit=None if limit is None else int(limit),
    )


def cart_abandonment_by(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Cart sessions of the period, overall ('all') and by channel, device and membership tier."""
    return segments.run_filtered(con, "cart_abandonment_by", filters)


def cart_abandonment_trend(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return segments.run_filtered(con, "cart_abandonment_trend", filters)


def abandonment_what_if(carts: int, abandoned: int, converted_revenue: float, points: float) -> dict[str, float]:
    """The literature's what-if: revenue if the abandonment rate fell by `points` percentage points,
    with the same revenue per converted cart. (From 80 % to 60 % doubles conversions.)"""
    if carts == 0 or abandoned == carts:
        return {"rate": float("nan"), "new_rate": float("nan"), "extra_revenue": 0.0, "factor": float("nan")}
    rate = abandoned / carts
    new_rate = max(rate - points / 100.0, 0.0)
    converted = carts - abandoned
    factor = (1 - new_rate) / (1 - rate)
    return {
        "rate": rate,
        "new_rate": new_rate,
        "extra_revenue": converted_revenue * (factor - 1),
        "factor": factor,
        "extra_conversions": converted * (factor - 1),
    }
