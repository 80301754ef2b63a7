"""Headline figures for managers: KPIs with change against the previous period, trends, mix."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from crm_core import db, segments
from crm_core.filters import Filters

KPI_COLUMNS: tuple[str, ...] = (
    "customers",
    "active_customers",
    "new_customers",
    "revenue",
    "count_orders",
    "avg_order_value",
    "repeat_purchase_rate",
)


def overview_kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Two rows, 'current' and 'previous' period, with the KPI_COLUMNS."""
    return segments.run_filtered(con, "overview_kpis", filters)


def overview_trend(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per month for the 24 months up to the as-of date."""
    return segments.run_filtered(con, "overview_trend", filters)


def overview_mix(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Customers and period revenue by membership tier, region and acquisition channel."""
    return segments.run_filtered(con, "overview_mix", filters)


def data_bounds(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """(first day, as-of date of the build)."""
    row = db.run(con, "data_bounds").iloc[0]
    return pd.Timestamp(row["first_day"]).date(), pd.Timestamp(row["as_of_date"]).date()
