"""Campaign lift: textbook intervals, the planted truth recovered, counts checked a second way."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from crm_core import campaigns, db
from crm_core.filters import Filters

AS_OF = date(2026, 11, 15)


def test_newcombe_interval_matches_the_textbook() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, example (a): 56/70 vs 48/80
    low, high, p = campaigns.diff_of_proportions(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    assert 0 < p < 0.05


def test_wilson_interval_matches_the_textbook() -> None:
    # Newcombe (1998), companion paper 17:857-872, table I: 81/263
    assert tuple(round(x, 4) for x in campaigns.wilson(81, 263)) == (0.2553, 0.3662)


def test_intervals_survive_zero_events_and_tiny_groups() -> None:
    low, high, p = campaigns.diff_of_proportions(0, 10, 0, 20)
    assert low < 0 < high and p == 1.0
    assert all(np.isnan(campaigns.diff_of_proportions(3, 10, 0, 0)))


def test_welch_matches_statsmodels_on_raw_data() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.gamma(2, 50, 300), rng.gamma(2, 40, 45)
    low, high, p = campaigns.welch(a.mean(), a.var(ddof=1), len(a), b.mean(), b.var(ddof=1), len(b))
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    ref_low, ref_high = cm.tconfint_diff(usevar="unequal")
    assert (low, high) == pytest.approx((ref_low, ref_high), rel=1e-9)
    assert p == pytest.approx(cm.ttest_ind(usevar="unequal")[1], rel=1e-9)


@pytest.fixture(scope="module")
def m_lift(m_db: Path) -> pd.DataFrame:
    c = db.connect(m_db)
    try:
        lift = db.run(c, "select * from campaign_lift")
        truth = db.run(c, "select *, membership_tier as segment from truth_campaign_lift")
    finally:
        c.close()
    return truth.merge(lift, on=["campaign_id", "segment"], how="left", validate="one_to_one")


def test_planted_lifts_fall_inside_the_intervals(m_lift: pd.DataFrame) -> None:
    measurable = m_lift[m_lift["lift_ci_low"].notna()]
    assert len(measurable) >= 40
    inside = (measurable["lift_ci_low"] <= measurable["true_lift"]) & (
        measurable["true_lift"] <= measurable["lift_ci_high"]
    )
    assert inside.mean() >= 0.85, f"coverage {inside.mean():.1%} over {len(measurable)} lifts"


def test_large_planted_lifts_are_found_with_the_right_sign(m_lift: pd.DataFrame) -> None:
    """At exactly 3 standard errors a two-sided 5 % test has about 85 % power, so a few misses
    there are chance; beyond 4.5 SE (power > 99.9 %) every lift must be found, and no
    significant result for them may have the wrong sign."""
    m = m_lift[m_lift["lift_ci_low"].notna()]
    p_t, p_h = m["conversion_prob_treated"], m["conversion_prob_holdout"]
    se = np.sqrt(p_t * (1 - p_t) / m["n_treated"] + p_h * (1 - p_h) / m["n_holdout"])
    found = np.where(m["true_lift"] > 0, m["lift_ci_low"] > 0, m["lift_ci_high"] < 0)
    wrong = np.where(m["true_lift"] > 0, m["lift_ci_high"] < 0, m["lift_ci_low"] > 0) & (m["true_lift"] != 0)
    beyond_3, beyond_45 = m["true_lift"].abs() > 3 * se, m["true_lift"].abs() > 4.5 * se
    assert beyond_3.sum() >= 3
    assert found[beyond_45].all(), m[beyond_45 & ~found][["campaign_id", "segment", "true_lift", "lift_ci_low"]]
    assert found[beyond_3].mean() >= 0.75
    assert not wrong[beyond_3].any()


def test_zero_lift_groups_are_mostly_not_significant(m_lift: pd.DataFrame) -> None:
    zero = m_lift[(m_lift["planted_uplift"] == 0) & m_lift["p_value"].notna()]
    assert len(zero) >= 20
    assert (zero["p_value"] < 0.05).mean() <= 0.15


def test_tier_at_assignment_matches_the_generator(m_lift: pd.DataFrame) -> None:
    assert (m_lift["n_treated"] + m_lift["n_holdout"] == m_lift["n_assigned"]).all()


def direct_conversions(con: duckdb.DuckDBPyConnection, window: int | None) -> pd.DataFrame:
    """Conversions per campaign and group straight from raw sends and orders, in pandas."""
    sends = db.run(
        con, "select s.*, c.attribution_window_days from campaign_sends s join campaigns c using (campaign_id)"
    )
    orders = db.run(con, "select customer_id, ordered_at from orders where status = 'completed'")
    merged = sends.merge(orders, on="customer_id", how="left")
    days = merged["attribution_window_days"] if window is None else window
    hit = (merged["ordered_at"] > merged["assigned_at"]) & (
        merged["ordered_at"] <= merged["assigned_at"] + pd.to_timedelta(days, unit="D")
    )
    merged["hit"] = hit.fillna(False)
    per_customer = merged.groupby(["campaign_id", "customer_id", "is_holdout"])["hit"].any().reset_index()
    return per_customer.groupby(["campaign_id", "is_holdout"])["hit"].agg(["sum", "count"]).reset_index()


@pytest.mark.parametrize("window", [None, 30])
def test_conversions_equal_a_direct_count(con: duckdb.DuckDBPyConnection, window: int | None) -> None:
    perf = campaigns.campaign_performance(con, Filters(as_of=AS_OF), window or 0)
    perf = perf[perf["segment"] == "all"].set_index("campaign_id")
    direct = direct_conversions(con, window)
    for row in direct.itertuples():
        group = "holdout" if row.is_holdout else "treated"
        assert perf.at[row.campaign_id, f"n_{group}"] == row.count
        assert perf.at[row.campaign_id, f"conversions_{group}"] == row.sum, (row.campaign_id, group)


def test_filters_restrict_the_customers(con: duckdb.DuckDBPyConnection) -> None:
    everyone = campaigns.campaign_performance(con, Filters(as_of=AS_OF))
    east = campaigns.campaign_performance(con, Filters(as_of=AS_OF, regions=("east",)))
    n_all = everyone[everyone["segment"] == "all"]["n_treated"].sum()
    n_east = east[east["segment"] == "all"]["n_treated"].sum()
    direct = db.scalar(
        con,
        "select count(*) from campaign_sends s join customers c using (customer_id) "
        "where c.region = 'east' and not s.is_holdout",
    )
    assert n_east == direct < n_all


def test_open_windows_and_small_groups_get_their_verdicts(con: duckdb.DuckDBPyConnection) -> None:
    last_start = db.scalar(con, "select max(started_at) from campaigns").date()
    lift = campaigns.campaign_lift(con, Filters(as_of=last_start + timedelta(days=1)))
    latest = lift[(lift["segment"] == "all") & (lift["started_at"].dt.date == last_start)]
    assert (latest["verdict"] == "open").all()
    strict = campaigns.campaign_lift(con, Filters(as_of=AS_OF), campaigns.LiftSettings(min_group=10**6))
    assert set(strict["verdict"]) <= {"too_small", "open"}


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="window_days must be one of"):
        campaigns.LiftSettings(window_days=5)
    with pytest.raises(ValueError, match="min_group"):
        campaigns.LiftSettings(min_group=0)


def test_every_arm_aggregate_equals_pandas_on_the_assignments(con: duckdb.DuckDBPyConnection) -> None:
    """Counts, sums, means and sample variances per campaign, overall and per tier, each arm
    (the query pivots per-arm aggregates: a treated figure must not come from the holdout)."""
    perf = campaigns.campaign_performance(con, Filters(as_of=AS_OF)).set_index(["campaign_id", "segment"])
    r = db.run(con, "select * from campaign_results where assigned_at < $end", {"end": AS_OF + timedelta(days=1)})
    r["converted"] = (r["first_order_after_days"] <= r["attribution_window_days"]).fillna(False)
    money = ["revenue_in_window", "spend_90d_before", "revenue_30d", "revenue_60d", "revenue_90d"]
    r[money] = r[money].astype(float)
    parts = [r.assign(segment="all"), r.assign(segment=r["membership_tier_at_assignment"])]
    rows = pd.concat(parts)
    checked = 0
    for (campaign_id, segment), g in rows.groupby(["campaign_id", "segment"]):
        mine = perf.loc[(campaign_id, segment)]
        for arm, part in (("treated", g[~g["is_holdout"]]), ("holdout", g[g["is_holdout"]])):
            assert mine[f"n_{arm}"] == len(part)
            assert mine[f"conversions_{arm}"] == int(part["converted"].sum())
            assert mine[f"revenue_{arm}"] == pytest.approx(part["revenue_in_window"].sum())
            for ours, theirs in (
                ("revenue_var", "revenue_in_window"),
                ("spend_before_var", "spend_90d_before"),
                ("spend_90d_var", "revenue_90d"),
            ):
                expected = part[theirs].var(ddof=1)
                assert mine[f"{ours}_{arm}"] == pytest.approx(expected, nan_ok=True), (campaign_id, segment, ours)
            for ours, theirs in (("spend_before", "spend_90d_before"), ("spend_30d", "revenue_30d")):
                assert mine[f"{ours}_{arm}"] == pytest.approx(part[theirs].mean(), nan_ok=True)
        treated = g[~g["is_holdout"]]
        assert mine["count_opened"] == int(treated["is_opened"].sum())
        assert mine["count_clicked_not_converted"] == int((treated["is_clicked"] & ~treated["converted"]).sum())
        checked += 1
    assert checked == len(perf) > 10
