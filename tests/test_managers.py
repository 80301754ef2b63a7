"""Account managers: orphaned-customer counts equal the generator's truth, portfolios add up,
and orphaned relationships re-order less than comparable ones, as planted."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from crm_core import build, db, managers, segments
from crm_core.filters import Condition, Filters

AS_OF = date(2026, 11, 15)


def check_orphans_equal_truth(c: duckdb.DuckDBPyConnection) -> int:
    summary = managers.manager_summary(c, Filters(as_of=AS_OF))
    truth = db.run(c, "select manager_id, orphaned_customers, left_without_handover from truth_account_manager")
    got = summary.dropna(subset=["manager_id"]).set_index("manager_id")["orphaned_customers"]
    merged = truth.set_index("manager_id").join(got.rename("got")).fillna({"got": 0})
    assert (merged["got"] == merged["orphaned_customers"]).all(), merged[merged["got"] != merged["orphaned_customers"]]
    # a manager with orphans left without a handover
    assert merged.loc[merged["orphaned_customers"] > 0, "left_without_handover"].all()
    listed = managers.orphaned_customers(c, Filters(as_of=AS_OF))
    truth_ids = set(db.run(c, "select customer_id from truth_customer where is_orphaned")["customer_id"])
    assert set(listed["customer_id"]) == truth_ids
    first = managers.orphaned_customers(c, Filters(as_of=AS_OF), limit=5)
    assert first["customer_id"].tolist() == listed["customer_id"].head(5).tolist()
    if len(listed):
        assert first["listed_customers"].iloc[0] == len(listed)
        assert first["reordered_customers"].iloc[0] == (listed["orders_since_manager_left"] > 0).sum()
    return len(truth_ids)


def test_orphaned_counts_equal_the_truth_on_s(con: duckdb.DuckDBPyConnection) -> None:
    assert check_orphans_equal_truth(con) > 0


def test_orphaned_counts_equal_the_truth_on_m(m_db: Path) -> None:
    c = db.connect(m_db)
    try:
        assert check_orphans_equal_truth(c) > 1000
    finally:
        c.close()


def test_portfolios_add_up(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=AS_OF, period_days=90, regions=("east",))
    s = managers.manager_summary(con, f)
    customers = db.scalar(con, "select count(*) from customers where region = 'east'")
    assert s["customers"].sum() == customers
    stages = s[[f"customers_{x}" for x in ("cognition", "exploration", "commitment", "dissolution")]].sum(axis=1)
    assert (stages == s["customers"]).all()
    revenue = db.scalar(
        con,
        "select sum(o.amount) from orders o join customers c using (customer_id) where c.region = 'east'"
        " and o.status = 'completed' and cast(o.ordered_at as date) > $start and cast(o.ordered_at as date) <= $end",
        {"start": AS_OF - timedelta(days=365), "end": AS_OF},
    )
    assert float(s["revenue_365d"].sum()) == pytest.approx(float(revenue))
    # before anyone left, nobody is orphaned
    early = managers.manager_summary(con, Filters(as_of=date(2024, 1, 31)))
    assert early["orphaned_customers"].sum() == 0 and (early["manager_status"] != "left").all()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(as_of=AS_OF, period_days=30),
        Filters(as_of=date(2025, 6, 17), period_days=90, tiers=("gold", "silver")),
        Filters(as_of=AS_OF, segment=(Condition("value_tier", "in", ("high_value", "potential")),)),
    ],
)
def test_each_portfolio_equals_its_customers(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    """Per manager: customers and their stage mix from the segment list (segment_base), revenue
    in the period and the 365 days from the raw orders, in pandas."""
    check_portfolios(con, filters)


def test_customers_without_a_manager_have_their_own_row(s_db_copy: Path) -> None:
    """The demo gives everyone a manager: take it from some buyers and rebuild; their row
    ('unassigned', manager_id null) holds their revenue too."""
    c = duckdb.connect(str(s_db_copy))
    c.execute(
        "update customers set account_manager_id = null where customer_id in"
        " (select customer_id from orders where status = 'completed' group by 1 order by 1 limit 40)"
    )
    c.close()
    build.build(s_db_copy, score=False)
    c = db.connect(s_db_copy)
    try:
        summary = managers.manager_summary(c, Filters(as_of=AS_OF))
        unassigned = summary[summary["manager_status"] == "unassigned"]
        assert len(unassigned) == 1 and unassigned["customers"].iloc[0] == 40
        assert unassigned["revenue_365d"].iloc[0] > 0
        check_portfolios(c, Filters(as_of=AS_OF))
    finally:
        c.close()


def check_portfolios(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    got = managers.manager_summary(con, filters)
    # the headline of the sections other than the portfolio, in its own light pass, equals the
    # sums of the portfolio's rows (which the rest of this check compares with pandas)
    headline = managers.manager_headline(con, filters)
    assert headline == managers.headline_from(got)
    assert headline["orphaned_customers"] == got["orphaned_customers"].sum()
    got = got.assign(manager=got["manager_id"].fillna(-1).astype(int)).set_index("manager")
    listed = segments.segment_customers(con, filters, limit=None)
    owner = db.run(con, "select customer_id, coalesce(account_manager_id, -1) as manager from customers")
    listed = listed.merge(owner, on="customer_id")
    orders = db.run(
        con,
        "select customer_id, cast(ordered_at as date) as d, amount from orders where status = 'completed'",
    )
    day = orders["d"].dt.date
    orders = orders[(day <= filters.as_of) & (day > filters.as_of - timedelta(days=365))]
    orders = orders.merge(listed[["customer_id", "manager"]], on="customer_id")
    in_period = orders[orders["d"].dt.date >= filters.period_start]
    assert sorted(got.index) == sorted(listed["manager"].unique())
    for manager, group in listed.groupby("manager"):
        row = got.loc[manager]
        assert row["customers"] == len(group)
        for stage in ("cognition", "exploration", "commitment", "dissolution"):
            assert row[f"customers_{stage}"] == (group["lifecycle_stage"] == stage).sum(), (manager, stage)
        assert float(row["revenue_365d"]) == pytest.approx(
            float(orders.loc[orders["manager"] == manager, "amount"].sum())
        )
        assert float(row["revenue_period"]) == pytest.approx(
            float(in_period.loc[in_period["manager"] == manager, "amount"].sum())
        )


def pandas_outcome_counts(c: duckdb.DuckDBPyConnection, horizon: int) -> dict[str, tuple[int, int]]:
    m = db.run(c, "select manager_id, region, hired_at, left_at from account_managers")
    for col in ("hired_at", "left_at"):
        m[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in m[col]]
    cust = db.run(c, "select customer_id, region, account_manager_id, cast(signed_up_at as date) as su from customers")
    cust["su"] = pd.to_datetime(cust["su"]).dt.date
    o = db.run(c, "select customer_id, cast(ordered_at as date) as d from orders where status = 'completed'")
    o["d"] = pd.to_datetime(o["d"]).dt.date
    o = o[o["d"] <= AS_OF]
    own = cust.merge(m, left_on="account_manager_id", right_on="manager_id", how="left")
    n = {"orphaned": 0, "comparison": 0}
    k = {"orphaned": 0, "comparison": 0}
    for _, dep in m.dropna(subset=["left_at"]).iterrows():
        left = dep["left_at"]
        if left + timedelta(days=horizon) > AS_OF:
            continue
        mine = own[(own["region_x"] == dep["region"]) & (own["su"] <= left)]
        orphan = mine[mine["account_manager_id"] == dep["manager_id"]]
        stays = mine[
            (mine["hired_at"] <= left)
            & (
                mine["left_at"].isna()
                | (mine["left_at"].map(lambda d, cut=left + timedelta(days=horizon): d is not None and d > cut))
            )
            & mine["manager_id"].notna()
        ]
        before = set(o.loc[(o["d"] <= left) & (o["d"] > left - timedelta(days=365)), "customer_id"])
        after = set(o.loc[(o["d"] > left) & (o["d"] <= left + timedelta(days=horizon - horizon % 30)), "customer_id"])
        orphan_ids = set(orphan["customer_id"]) & before
        if not orphan_ids:
            continue
        for group, ids in (("orphaned", orphan_ids), ("comparison", set(stays["customer_id"]) & before)):
            n[group] += len(ids)
            k[group] += len(ids & after)
    return {g: (k[g], n[g]) for g in n}


def test_outcome_groups_equal_pandas(con: duckdb.DuckDBPyConnection) -> None:
    outcomes = managers.orphan_outcomes(con, Filters(as_of=AS_OF), 90)
    result = managers.reorder_comparison(outcomes, 90)
    expected = pandas_outcome_counts(con, 90)
    assert (result["orphaned_reordered"], result["orphaned_n"]) == expected["orphaned"]
    assert (result["comparison_reordered"], result["comparison_n"]) == expected["comparison"]
    assert expected["orphaned"][1] > 0


def test_orphaned_relationships_fare_worse_as_planted(m_db: Path) -> None:
    """Half of the orphaned customers drop out when their manager leaves."""
    c = db.connect(m_db)
    try:
        outcomes = managers.orphan_outcomes(c, Filters(as_of=AS_OF), 180)
    finally:
        c.close()
    result = managers.reorder_comparison(outcomes, 180)
    assert result["ci_high"] < -0.1
    assert result["orphaned_rate"] < result["comparison_rate"]
    curves = managers.reorder_curves(outcomes, 180)
    assert curves["months"].max() == 6
    for group in managers.OUTCOME_GROUPS:
        assert curves.loc[curves["outcome_group"] == group, "share_reordered"].is_monotonic_increasing
    with pytest.raises(ValueError, match="horizon_days"):
        managers.orphan_outcomes(db.connect(m_db), Filters(as_of=AS_OF), 7)


def test_the_comparison_sample_on_m(m_db: Path) -> None:
    """At M regions exceed the comparison cap: with the cap lifted the counts equal pandas over
    every comparable customer; with the default cap the orphaned group is unchanged and the
    sampled comparison rate lies inside the full group's 95 % interval."""
    c = db.connect(m_db)
    try:
        f = Filters(as_of=AS_OF)
        full = managers.reorder_comparison(managers.orphan_outcomes(c, f, 180, comparison_cap=10**9), 180)
        expected = pandas_outcome_counts(c, 180)
        sampled = managers.reorder_comparison(managers.orphan_outcomes(c, f, 180), 180)
    finally:
        c.close()
    assert (full["orphaned_reordered"], full["orphaned_n"]) == expected["orphaned"]
    assert (full["comparison_reordered"], full["comparison_n"]) == expected["comparison"]
    assert (sampled["orphaned_reordered"], sampled["orphaned_n"]) == expected["orphaned"]
    assert 0 < sampled["comparison_n"] < full["comparison_n"]
    margin = 2.5 * (full["comparison_high"] - full["comparison_low"])
    assert abs(sampled["comparison_rate"] - full["comparison_rate"]) < margin
