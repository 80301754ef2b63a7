"""Membership tiers and points: movement, the points liability, customers near the next tier.

The tier thresholds are the programme's rule (yearly spend for silver, gold, diamond); the demo
uses 1,500 / 5,000 / 15,000. Another programme sets CRM_TIER_THRESHOLDS="a,b,c".
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd

from crm_core import contract, segments
from crm_core.filters import Filters

DEFAULT_THRESHOLDS: tuple[float, float, float] = (1_500.0, 5_000.0, 15_000.0)
POINTS_PER_YUAN = 100  # 1,000 points redeem as a 10-yuan coupon


def tier_thresholds(env: dict[str, str] | None = None) -> tuple[float, float, float]:
    raw = (os.environ if env is None else env).get("CRM_TIER_THRESHOLDS", "")
    if not raw:
        return DEFAULT_THRESHOLDS
    try:
        values = tuple(float(v) for v in raw.split(","))
    except ValueError:
        raise ValueError(f"CRM_TIER_THRESHOLDS must be three numbers like 1500,5000,15000, got {raw!r}") from None
    if len(values) != 3 or not values[0] < values[1] < values[2]:
        raise ValueError(f"CRM_TIER_THRESHOLDS must be three increasing numbers, got {raw!r}")
    return (values[0], values[1], values[2])


def membership_movement(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Tier changes in the period: from_tier x to_tier x reason with counts, and tier counts now."""
    return segments.run_filtered(con, "membership_movement", filters)


def points_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Points earned, redeemed and expired in the period (by reason) and the balance on the as-of date."""
    # the contract's lists (the ledger's values are checked against them on import): the query
    # numbers each (entry type, reason) pair by their positions
    return segments.run_filtered(
        con,
        "points_summary",
        filters,
        entry_types=list(contract.POINT_ENTRY_TYPES),
        reasons=list(contract.POINT_REASONS),
    )


def upgrade_targets(con: duckdb.DuckDBPyConnection, filters: Filters, within: float = 0.10) -> pd.DataFrame:
    """Customers whose spend this calendar year is within `within` (10 %) below the next threshold."""
    if not 0 < within < 1:
        raise ValueError("within must be a share between 0 and 1")
    silver, gold, diamond = tier_thresholds()
    return segments.run_filtered(
        con, "upgrade_targets", filters, within=within, silver=silver, gold=gold, diamond=diamond
    )
