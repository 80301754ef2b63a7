"""Overview figures equal an independent pandas computation from the raw tables."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from crm_core import db, overview
from crm_core.filters import Filters


@pytest.fixture(scope="module")
def raw(s_db) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    c = db.connect(s_db)
    try:
        return {
            "orders": db.run(c, "select * from orders"),
            "customers": db.run(c, "select * from customers"),
            "tiers": db.run(c, "select * from membership_events"),
        }
    finally:
        c.close()


def tier_on(raw: dict[str, pd.DataFrame], day: date) -> pd.Series:
    """Membership tier of every customer at the end of `day`, from raw tier changes."""
    end = pd.Timestamp(day + timedelta(days=1))
    ev = raw["tiers"][raw["tiers"]["changed_at"] < end].sort_values(["changed_at", "event_id"])
    last = ev.groupby("customer_id")["to_tier"].last()
    return raw["customers"]["customer_id"].map(last).fillna("normal").set_axis(raw["customers"]["customer_id"])


def expected_kpis(raw: dict[str, pd.DataFrame], f: Filters, start: date, end: date) -> dict[str, float]:
    cust = raw["customers"].set_index("customer_id")
    tiers = tier_on(raw, f.as_of)
    keep = cust["signed_up_at"] < pd.Timestamp(f.as_of + timedelta(days=1))
    if f.regions:
        keep &= cust["region"].isin(f.regions)
    if f.channels:
        keep &= cust["acquisition_channel"].isin(f.channels)
    if f.tiers:
        keep &= tiers.reindex(cust.index).isin(f.tiers)
    ids = set(cust.index[keep])
    o = raw["orders"]
    o = o[(o["status"] == "completed") & o["customer_id"].isin(ids)]
    day = o["ordered_at"].dt.date
    period = o[(day >= start) & (day <= end)]
    per_customer = period.groupby("customer_id").size()
    first = o.groupby("customer_id")["ordered_at"].min().dt.date
    revenue = float(period["amount"].astype(float).sum())
    return {
        "customers": int((cust.loc[list(ids), "signed_up_at"].dt.date <= end).sum()),
        "active_customers": len(per_customer),
        "new_customers": int(((first >= start) & (first <= end)).sum()),
        "revenue": revenue,
        "count_orders": len(period),
        "avg_order_value": revenue / len(period) if len(period) else float("nan"),
        "repeat_purchase_rate": (per_customer >= 2).mean() if len(per_customer) else float("nan"),
    }


CASES = [
    Filters(as_of=date(2026, 11, 15)),
    Filters(as_of=date(2026, 6, 30), period_days=90, regions=("east", "south")),
    Filters(as_of=date(2025, 11, 15), period_days=7, tiers=("silver", "gold")),
    Filters(as_of=date(2025, 3, 31), period_days=365, channels=("live_stream",), regions=("north",)),
]


@pytest.mark.parametrize("f", CASES, ids=range(len(CASES)))
def test_kpis_equal_pandas(con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame], f: Filters) -> None:
    got = overview.overview_kpis(con, f).set_index("period")
    for period, start, end in (
        ("current", f.period_start, f.as_of),
        ("previous", f.previous_start, f.period_start - timedelta(days=1)),
    ):
        want = expected_kpis(raw, f, start, end)
        for key, value in want.items():
            assert got.at[period, key] == pytest.approx(value, rel=1e-9, nan_ok=True), (period, key)


def test_trend_adds_up_to_orders(con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]) -> None:
    f = Filters(as_of=date(2026, 11, 15), regions=("east",))
    trend = overview.overview_trend(con, f)
    assert len(trend) == 24
    o = raw["orders"].merge(raw["customers"][["customer_id", "region"]], on="customer_id")
    o = o[(o["status"] == "completed") & (o["region"] == "east") & (o["ordered_at"] >= pd.Timestamp("2024-12-01"))]
    assert trend["count_orders"].sum() == len(o)
    assert trend["revenue"].sum() == pytest.approx(float(o["amount"].astype(float).sum()))
    by_month = o.groupby(o["ordered_at"].dt.to_period("M"))["customer_id"].nunique()
    assert list(trend["active_customers"]) == list(
        by_month.reindex(pd.period_range("2024-12", "2026-11", freq="M"), fill_value=0)
    )
    assert trend["is_partial_month"].tolist() == [False] * 23 + [True]


def test_mix_shares_add_up(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=date(2026, 11, 15), period_days=90)
    mix = overview.overview_mix(con, f)
    kpis = overview.overview_kpis(con, f).set_index("period").loc["current"]
    for _, part in mix.groupby("dimension"):
        assert part["share_of_revenue"].sum() == pytest.approx(1.0)
        assert part["revenue"].sum() == pytest.approx(kpis["revenue"])
        assert part["active_customers"].sum() == kpis["active_customers"]
        assert part["customers"].sum() == kpis["customers"]
    assert set(mix["dimension"]) == {"membership_tier", "region", "acquisition_channel"}
    # every region and channel row against pandas
    people = con.execute("select customer_id, region, acquisition_channel, signed_up_at from customer_features").df()
    people = people[people["signed_up_at"] < pd.Timestamp(f.as_of + pd.Timedelta(days=1))]
    orders = con.execute(
        "select customer_id, ordered_on, cast(amount as double) as amount from order_facts where is_completed"
    ).df()
    orders = orders[orders["ordered_on"].between(pd.Timestamp(f.period_start), pd.Timestamp(f.as_of))]
    spend = orders.groupby("customer_id")["amount"].sum()
    people["revenue"] = people["customer_id"].map(spend).fillna(0.0)
    people["active"] = people["customer_id"].isin(spend.index)
    for dimension in ("region", "acquisition_channel"):
        rows = mix[mix["dimension"] == dimension].set_index("dimension_value")
        expected = people.fillna({dimension: "unknown"}).groupby(dimension)
        assert sorted(rows.index) == sorted(expected.groups)
        for value, group in expected:
            assert rows.at[value, "customers"] == len(group), (dimension, value)
            assert rows.at[value, "active_customers"] == group["active"].sum()
            assert rows.at[value, "revenue"] == pytest.approx(group["revenue"].sum())


def test_filters_with_no_match_give_zeros_not_errors(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=date(2023, 11, 20), period_days=7, tiers=("diamond",))
    got = overview.overview_kpis(con, f).set_index("period")
    assert got.at["current", "revenue"] == 0 and got.at["current", "active_customers"] == 0
    assert pd.isna(got.at["current", "avg_order_value"])
