"""Account managers (客户经理): customers, revenue and stage mix per manager, the customers
orphaned when a manager left without a handover (客户关系管理流程脱节), and how those
relationships fared afterwards against similar customers whose manager stayed.

Orphaned: the customer's account_manager_id points to a manager whose left_at is on or before
the as-of date (docs/data-model.md). The comparison is per departure: the departing manager's
customers who were active that day (a completed order in the 365 days before) against active
customers of the same region whose manager stayed for the whole horizon; the two groups are
pooled over departures (a comparison customer can stand in for several departures, so the
interval, which treats rows as independent, is a little narrow).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from crm_core import campaigns, segments
from crm_core.filters import Filters

HORIZONS: tuple[int, ...] = (90, 180, 365)
OUTCOME_GROUPS: tuple[str, ...] = ("orphaned", "comparison")


def manager_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per manager (and 'unassigned'): customers, orphans, stage mix, revenue."""
    return segments.run_filtered(con, "manager_summary", filters)


HEADLINE_KEYS: tuple[str, ...] = (
    "employed_managers",
    "left_managers",
    "customers",
    "orphaned_customers",
    "orphaned_revenue_365d",
)


def manager_headline(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, float]:
    """The page's headline (managers employed and left, customers, orphans and their revenue in
    the 365 days) in one light pass: the orphans' orders only, no stage mix."""
    row = segments.run_filtered(con, "manager_headline", filters).iloc[0]
    return _headline([row[k] for k in HEADLINE_KEYS])


def headline_from(summary: pd.DataFrame) -> dict[str, float]:
    """The same headline from manager_summary's rows (the portfolio section reads those)."""
    left = summary[summary["manager_status"] == "left"]
    employed = (summary["manager_status"] == "employed").sum()
    return _headline(
        [employed, len(left), summary["customers"].sum(), left["customers"].sum(), left["revenue_365d"].sum()]
    )


def _headline(values: list[Any]) -> dict[str, float]:
    out: dict[str, float] = {key: int(value) for key, value in zip(HEADLINE_KEYS[:4], values[:4], strict=True)}
    out["orphaned_revenue_365d"] = round(float(values[4]), 2)
    return out


def orphaned_customers(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = None) -> pd.DataFrame:
    """Customers whose manager left without a handover, by lookback revenue: the first `limit`
    (all when None); listed_customers and reordered_customers count them all."""
    return segments.run_filtered(con, "orphaned_customers", filters, limit=None if limit is None else int(limit))


# customers per region in the comparison pool: every departure pairs with its region's pool, so
# at a million customers the whole region (~140,000) x 383 departures is ~50M pairs; a fixed
# sample of ~2,000 per region keeps hundreds of thousands of comparison pairs
COMPARISON_CAP = 2000


def orphan_outcomes(
    con: duckdb.DuckDBPyConnection, filters: Filters, horizon_days: int = 180, comparison_cap: int = COMPARISON_CAP
) -> pd.DataFrame:
    """Delay to the next completed order after the departure, per group and 30-day bucket.

    The comparison pool of a region with more than `comparison_cap` customers is every k-th
    customer by a hash of the id (k = region size // cap), the same on every run."""
    if horizon_days not in HORIZONS:
        raise ValueError(f"horizon_days must be one of {HORIZONS}, got {horizon_days}")
    return segments.run_filtered(
        con, "orphan_outcomes", filters, horizon_days=horizon_days, comparison_cap=int(comparison_cap)
    )


def reorder_curves(outcomes: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """Cumulative share of each group that ordered again within 1, 2, ... months (30-day steps)
    up to the horizon (every departure is observed that long)."""
    rows = []
    for group in OUTCOME_GROUPS:
        part = outcomes[outcomes["outcome_group"] == group]
        n = int(part["customers"].sum())
        for month in range(1, horizon_days // 30 + 1):
            k = int(part.loc[part["month_bucket"].notna() & (part["month_bucket"] < month), "customers"].sum())
            rows.append({"outcome_group": group, "months": month, "customers": n, "reordered": k})
    out = pd.DataFrame(rows)
    out["share_reordered"] = [
        k / n if n else float("nan") for k, n in zip(out["reordered"], out["customers"], strict=True)
    ]
    return out


def reorder_comparison(outcomes: pd.DataFrame, horizon_days: int) -> dict[str, float]:
    """Share that ordered again within the horizon, per group (Wilson), and the difference
    orphaned - comparison with Newcombe's interval and a score test."""
    months = horizon_days // 30
    counts: dict[str, tuple[int, int]] = {}
    for group in OUTCOME_GROUPS:
        part = outcomes[outcomes["outcome_group"] == group]
        n = int(part["customers"].sum())
        k = int(part.loc[part["month_bucket"].notna() & (part["month_bucket"] < months), "customers"].sum())
        counts[group] = (k, n)
    (k1, n1), (k2, n2) = counts["orphaned"], counts["comparison"]
    low, high, p = campaigns.diff_of_proportions(k1, n1, k2, n2)
    out: dict[str, float] = {"difference": (k1 / n1 - k2 / n2) if n1 and n2 else float("nan")}
    out.update({"ci_low": low, "ci_high": high, "p_value": p})
    for group, (k, n) in counts.items():
        lo, hi = campaigns.wilson(k, n)
        out.update({f"{group}_n": n, f"{group}_reordered": k, f"{group}_rate": k / n if n else float("nan")})
        out.update({f"{group}_low": lo, f"{group}_high": hi})
    departures = outcomes.loc[outcomes["outcome_group"] == "orphaned", "departures"]
    out["departures"] = int(departures.max()) if len(departures) else 0
    return out
