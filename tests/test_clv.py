"""Lifetime value: the inputs follow the literature, the fit is the maximum-likelihood fit, the
predictions recover the generator's truth, and bad data gets one clear sentence."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1
from scipy.stats import mannwhitneyu

from crm_core import build, clv, db, lifecycle
from crm_core.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 15)


def raw_summary(path: Path, cutoff: date) -> pd.DataFrame:
    """frequency / recency / T / monetary_value from the raw orders table with pandas."""
    c = db.connect(path)
    try:
        orders = c.execute("select customer_id, ordered_at, status, amount from orders").df()
    finally:
        c.close()
    orders = orders[(orders["status"] == "completed") & (orders["ordered_at"].dt.date <= cutoff)].copy()
    orders["day"] = orders["ordered_at"].dt.normalize()
    days = orders.groupby(["customer_id", "day"], as_index=False)["amount"].sum()
    days["amount"] = days["amount"].astype(float)
    days = days.sort_values(["customer_id", "day"])
    g = days.groupby("customer_id")
    first, last, n = g["day"].min(), g["day"].max(), g["day"].size()
    repeat_value = g["amount"].sum() - g["amount"].first()
    out = pd.DataFrame(
        {
            "frequency": (n - 1).astype(float),
            "recency": (last - first).dt.days / 7.0,
            "T": (pd.Timestamp(cutoff) - first).dt.days / 7.0,
            "monetary_value": np.where(n > 1, repeat_value / (n - 1).clip(lower=1), 0.0),
        }
    )
    return out.sort_index()


def reference_bgnbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> dict[str, float]:
    """An independent maximum-likelihood fit of BG/NBD (Fader, Hardie & Lee 2005, eq. 6)."""

    def nll(log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(log_params)
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * np.log(alpha + T)
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x), -np.inf)
        return -float(np.sum(a1 + a2 + np.logaddexp(a3, a4)))

    res = minimize(
        nll,
        np.log([0.5, 1.0, 1.0, 1.0]),
        method="Nelder-Mead",
        options={"maxiter": 20000, "xatol": 1e-9, "fatol": 1e-9},
    )
    res = minimize(nll, res.x, method="Nelder-Mead", options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-10})
    return dict(zip(("r", "alpha", "a", "b"), np.exp(res.x), strict=True))


def reference_gamma_gamma(x: np.ndarray, m: np.ndarray) -> dict[str, float]:
    def nll(log_params: np.ndarray) -> float:
        p, q, v = np.exp(log_params)
        return -float(
            np.sum(
                gammaln(p * x + q)
                - gammaln(p * x)
                - gammaln(q)
                + q * np.log(v)
                + (p * x - 1) * np.log(m)
                + p * x * np.log(x)
                - (p * x + q) * np.log(x * m + v)
            )
        )

    res = minimize(
        nll, np.log([1.0, 1.0, 1.0]), method="Nelder-Mead", options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-10}
    )
    res = minimize(nll, res.x, method="Nelder-Mead", options={"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-10})
    return dict(zip(("p", "q", "v"), np.exp(res.x), strict=True))


def stored_params(path: Path, model: str) -> dict[str, float]:
    c = db.connect(path)
    try:
        rows = c.execute("select parameter, value from clv_model_params where model = $m", {"m": model}).fetchall()
    finally:
        c.close()
    return {str(k): float(v) for k, v in rows}


def read(path: Path, sql: str, params: dict | None = None) -> pd.DataFrame:
    c = db.connect(path)
    try:
        return db.run(c, sql, params or {})
    finally:
        c.close()


# -- inputs --------------------------------------------------------------------------------------
def test_summary_follows_the_literatures_conventions(con: duckdb.DuckDBPyConnection, s_db: Path) -> None:
    for cutoff in (AS_OF, date(2025, 9, 30)):
        ours = clv.rfm_summary(con, cutoff).set_index("customer_id")
        theirs = raw_summary(s_db, cutoff)
        assert list(ours.index) == list(theirs.index)
        for col in ("frequency", "recency", "T", "monetary_value"):
            np.testing.assert_allclose(ours[col].to_numpy(), theirs[col].to_numpy(), rtol=1e-9, atol=1e-9, err_msg=col)


# -- the fit is the maximum-likelihood fit ------------------------------------------------------
def test_parameters_equal_an_independent_maximum_likelihood_fit(s_db: Path) -> None:
    summary = raw_summary(s_db, AS_OF)
    bg_ref = reference_bgnbd(summary["frequency"].to_numpy(), summary["recency"].to_numpy(), summary["T"].to_numpy())
    repeat = summary[summary["frequency"] > 0]
    gg_ref = reference_gamma_gamma(repeat["frequency"].to_numpy(), repeat["monetary_value"].to_numpy())
    bg, gg = stored_params(s_db, "bgnbd"), stored_params(s_db, "gamma_gamma")
    for name, value in bg_ref.items():
        assert bg[name] == pytest.approx(value, rel=0.01), (name, bg, bg_ref)
    for name, value in gg_ref.items():
        assert gg[name] == pytest.approx(value, rel=0.01), (name, gg, gg_ref)


def test_stored_log_likelihood_is_the_maximum(s_db: Path) -> None:
    """Moving any parameter 2 % away lowers the likelihood: the stored point is the maximum."""
    summary = raw_summary(s_db, AS_OF)
    x, t_x, T = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    params = stored_params(s_db, "bgnbd")
    best = clv.bgnbd_loglik(params, x, t_x, T)
    fit = read(s_db, "select log_likelihood from clv_model_fit where model = 'bgnbd'")
    assert fit["log_likelihood"].iloc[0] == pytest.approx(best, rel=1e-9)
    for name in params:
        for factor in (0.98, 1.02):
            assert clv.bgnbd_loglik(params | {name: params[name] * factor}, x, t_x, T) < best


def test_predictions_equal_the_closed_forms(s_db: Path) -> None:
    """P(alive), E[X(t)] and discounted CLV recomputed from the published formulas."""
    r, alpha, a, b = (stored_params(s_db, "bgnbd")[k] for k in ("r", "alpha", "a", "b"))
    p, q, v = (stored_params(s_db, "gamma_gamma")[k] for k in ("p", "q", "v"))
    scores = read(s_db, "select * from customer_clv order by customer_id")
    x, t_x, T, m = (scores[c].to_numpy() for c in ("frequency", "recency_weeks", "t_weeks", "monetary_value"))

    def expected(t: float) -> np.ndarray:  # Fader, Hardie & Lee 2005, eq. 10
        head = (a + b + x - 1) / (a - 1)
        body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        return head * body / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))

    p_alive = np.where(x > 0, 1 / (1 + a / (b + np.maximum(x, 1) - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)), 1.0)
    np.testing.assert_allclose(scores["p_alive"], p_alive, rtol=1e-6)
    np.testing.assert_allclose(scores["expected_purchases_90d"], expected(90 / 7), rtol=1e-6)
    np.testing.assert_allclose(scores["expected_purchases_365d"], expected(365 / 7), rtol=1e-6)
    spend = (p * (v + x * m)) / (p * x + q - 1)  # Fader, Hardie & Lee 2005b, eq. 5
    np.testing.assert_allclose(scores["expected_avg_order_value"], spend, rtol=1e-6)
    months, d, weeks_per_month = clv.DEFAULT_HORIZON_MONTHS, clv.DEFAULT_MONTHLY_DISCOUNT, 4.345
    value = sum(
        spend * (expected(k * weeks_per_month) - expected((k - 1) * weeks_per_month)) / (1 + d) ** k
        for k in range(1, months + 1)
    )
    np.testing.assert_allclose(scores["predicted_clv"], value, rtol=1e-5)
    # equal values (customers with the same history) are ranked by customer id
    ranked = scores.sort_values(["predicted_clv", "customer_id"], ascending=[False, True], kind="stable")
    ranked = ranked["clv_tier"].to_numpy()
    n = len(ranked)
    assert set(ranked[: int(n * 0.1)]) == {"top"} and set(ranked[int(n * 0.7) + 1 :]) == {"low"}


def test_purchase_curve_is_bit_for_bit_the_library(s_db: Path) -> None:
    """The vectorised predictions (one hypergeometric term per distinct frequency and T) equal
    PyMC-Marketing's own expected_purchases, expected_probability_alive and
    customer_lifetime_value exactly, not just closely: scoring got faster, not different."""
    from pymc_marketing.clv.utils import customer_lifetime_value

    c = db.connect(s_db)
    try:
        summary = clv.rfm_summary(c, AS_OF)
    finally:
        c.close()
    _, bg, gg = clv.fit(summary, AS_OF)
    data = summary[["customer_id", "frequency", "recency", "T"]].copy()
    curve = clv.PurchaseCurve(clv._point(bg, ("r", "alpha", "a", "b")), summary)
    assert len(np.unique(summary[["frequency", "T"]].to_numpy(), axis=0)) < len(summary)  # the shortcut is used
    assert np.array_equal(clv._flat(bg.expected_probability_alive(data=data)), curve.probability_alive())
    for t in (90 / 7, 365 / 7, 3, 25.857142857142858):  # int horizons too, as the weekly validation passes
        assert np.array_equal(clv._flat(bg.expected_purchases(data=data, future_t=t)), curve.expected_purchases(t)), t
    spend = clv._flat(gg.expected_customer_spend(data=summary[["customer_id", "monetary_value", "frequency"]]))
    data["future_spend"] = spend
    for months, discount in ((12, 0.01), (6, 0.0)):
        library = customer_lifetime_value(bg, data, future_t=months, discount_rate=discount, time_unit="W")
        assert np.array_equal(clv._flat(library), curve.lifetime_value(spend, months, discount)), (months, discount)


# -- against the generator's truth (scale M) -------------------------------------------------------
def test_p_alive_separates_the_customers_who_dropped_out(m_db: Path) -> None:
    d = read(
        m_db,
        "select clv.p_alive, truth.dropped_out_at is not null and truth.dropped_out_at < $end as dropped "
        "from customer_clv as clv inner join truth_customer as truth using (customer_id)",
        {"end": AS_OF + timedelta(days=1)},
    )
    dropped, alive = d.loc[d["dropped"], "p_alive"], d.loc[~d["dropped"], "p_alive"]
    auc = mannwhitneyu(alive, dropped).statistic / (len(alive) * len(dropped))
    assert auc >= 0.8, auc
    assert dropped.mean() < alive.mean() - 0.3


def test_holdout_prediction_is_within_ten_percent(m_db: Path) -> None:
    weekly = read(m_db, "select * from clv_validation_weekly order by week")
    fit = read(m_db, "select cutoff_date from clv_model_fit where model = 'validation'")
    cutoff = pd.Timestamp(fit["cutoff_date"].iloc[0]).date()
    assert cutoff == AS_OF - timedelta(weeks=clv.DEFAULT_HOLDOUT_WEEKS)
    # the actual count, again from the raw orders: repeat purchase days after the cut-off of the
    # customers who had bought by then
    actual = read(
        m_db,
        """
        with days as (
            select distinct customer_id, cast(ordered_at as date) as day from orders where status = 'completed'
        )
        select count(*) as n from days
        where day > $cutoff and day <= $as_of
            and customer_id in (select customer_id from days where day <= $cutoff)
        """,
        {"cutoff": cutoff, "as_of": AS_OF},
    )["n"].iloc[0]
    assert weekly["actual_cumulative"].iloc[-1] == actual
    predicted = weekly["predicted_cumulative"].iloc[-1]
    assert abs(predicted - actual) / actual <= 0.10, (predicted, actual)
    assert weekly["predicted_cumulative"].is_monotonic_increasing
    by_frequency = read(m_db, "select * from clv_validation_frequency")
    assert (
        by_frequency["customers"].sum()
        == read(
            m_db,
            "select count(distinct customer_id) as n from order_facts where is_completed and ordered_on <= $c",
            {"c": cutoff},
        )["n"].iloc[0]
    )


# -- the P(alive) dissolution rule -----------------------------------------------------------------
def test_p_alive_rule_in_sql_agrees_with_the_model(con: duckdb.DuckDBPyConnection) -> None:
    filters = Filters(as_of=AS_OF)
    rules = lifecycle.StageRules(dissolution_rule="p_alive", p_alive_below=0.3)
    listed = lifecycle.stage_customers(con, filters, rules, "dissolution", limit=None)
    scores = db.run(
        con,
        "select clv.customer_id, clv.frequency, clv.p_alive, lm.days_since_last_order from customer_clv as clv "
        "inner join lifecycle_monthly as lm on lm.customer_id = clv.customer_id and lm.month_end = $d",
        {"d": AS_OF},
    )
    expected = scores[
        ((scores["frequency"] > 0) & (scores["p_alive"] < 0.3))
        | ((scores["frequency"] == 0) & (scores["days_since_last_order"] > 180))
    ]
    assert set(listed["customer_id"]) == set(expected["customer_id"])
    assert 0 < len(expected) < len(scores)
    mix = lifecycle.stage_mix(con, filters, rules)
    assert int(mix.loc[mix["stage"] == "dissolution", "customers"].sum()) == len(expected)


def test_p_alive_rule_on_an_unscored_file_says_so(s_db_copy: Path) -> None:
    build.build(s_db_copy, score=False)
    c = db.connect(s_db_copy)
    try:
        with pytest.raises(lifecycle.NotScoredError, match="crm_core score"):
            lifecycle.stage_mix(c, Filters(as_of=AS_OF), lifecycle.StageRules(dissolution_rule="p_alive"))
    finally:
        c.close()


# -- bad cases -------------------------------------------------------------------------------------
def test_a_customer_with_one_order_gets_finite_scores(s_db: Path) -> None:
    one = read(s_db, "select * from customer_clv where frequency = 0")
    assert len(one) > 0
    assert (one["p_alive"] == 1.0).all()
    assert np.isfinite(one[["expected_purchases_90d", "predicted_clv", "expected_avg_order_value"]].to_numpy()).all()


def _orders_only_file(tmp_path: Path, s_db: Path, sql: str) -> Path:
    path = tmp_path / "bad.duckdb"
    shutil.copyfile(s_db, path)
    c = db.connect(path, read_only=False)
    try:
        c.execute(sql)
    finally:
        c.close()
    build.build(path, score=False)
    return path


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            # keep each customer's first completed order only: nobody repeats
            "delete from orders where order_id not in (select arg_min(order_id, ordered_at) from orders "
            "where status = 'completed' group by customer_id)",
            "bought on two different days",
        ),
        ("update orders set ordered_at = timestamp '2026-11-15 10:00:00'", "first purchase on 2026-11-15"),
        ("delete from orders", "no completed orders"),
    ],
    ids=["no_repeat_buyers", "all_on_one_day", "no_orders"],
)
def test_unfittable_data_gets_one_clear_sentence(tmp_path: Path, s_db: Path, sql: str, message: str) -> None:
    path = _orders_only_file(tmp_path, s_db, sql)
    before = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "crm_core", "score", "--db", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert message in last and "the database was not changed" in last, done.stderr
    assert path.read_bytes() == before
    # a build records the reason for the page instead of failing
    report = build.build(path)
    assert report.score.status == "failed" and message in report.score.message
    fit = read(path, "select status, message from clv_model_fit")
    assert list(fit["status"]) == ["failed"] and message in fit["message"].iloc[0]
    assert read(path, "select count(*) as n from customer_clv")["n"].iloc[0] == 0


def test_score_cli_swaps_in_new_scores_while_a_reader_is_open(s_db_copy: Path) -> None:
    reader = db.connect(s_db_copy)
    before = db.scalar(reader, "select max(horizon_months) from clv_model_fit")
    shorter = db.scalar(reader, "select sum(predicted_clv) from customer_clv")
    done = subprocess.run(
        [sys.executable, "-m", "crm_core", "score", "--db", str(s_db_copy), "--horizon-months", "24"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "BG/NBD" in done.stderr and "holdout" in done.stderr
    assert db.scalar(reader, "select max(horizon_months) from clv_model_fit") == before == 12
    reader.close()
    fresh = db.connect(s_db_copy)
    try:
        assert db.scalar(fresh, "select max(horizon_months) from clv_model_fit") == 24
        longer = db.scalar(fresh, "select sum(predicted_clv) from customer_clv")
    finally:
        fresh.close()
    assert longer > shorter > 0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="horizon_months"):
        clv.ScoreSettings(horizon_months=0)
    with pytest.raises(ValueError, match="monthly_discount"):
        clv.ScoreSettings(monthly_discount=1.5)


@pytest.mark.parametrize("breakdown", clv.BREAKDOWNS)
def test_clv_by_each_breakdown_equals_pandas(con: duckdb.DuckDBPyConnection, breakdown: str) -> None:
    """Customers and CLV per breakdown value (each from its own source, clv.BREAKDOWN_SOURCES)
    against the scored customers grouped by the segment list's attribute, under a tier and a
    region so that the filters matter."""
    from crm_core import segments

    f = Filters(as_of=AS_OF, regions=("east", "south"), tiers=("normal", "silver"))
    people = segments.segment_customers(con, f, limit=None).set_index("customer_id")
    scores = db.run(con, "select customer_id, predicted_clv, clv_tier from customer_clv")
    scores = scores[scores["customer_id"].isin(people.index)]
    column = "clv_tier" if breakdown == "clv_tier" else breakdown
    source = scores if breakdown == "clv_tier" else people.reindex(scores["customer_id"])
    scores["value"] = source[column].fillna("unknown").to_numpy()
    expected = scores.groupby("value")["predicted_clv"].agg(["count", "sum"])
    got = clv.clv_by(con, f, breakdown).set_index("breakdown_value")
    assert len(expected) > 1
    assert sorted(got.index) == sorted(expected.index)
    assert got["customers"].reindex(expected.index).tolist() == expected["count"].tolist()
    assert got["total_clv"].reindex(expected.index).to_numpy() == pytest.approx(expected["sum"].to_numpy())


def test_segments_can_select_on_clv_tier_and_p_alive(con: duckdb.DuckDBPyConnection) -> None:
    from crm_core import segments
    from crm_core.filters import Condition

    conditions = (Condition("clv_tier", "in", ("top", "high")), Condition("p_alive", "between", (None, 0.5)))
    filters = Filters(as_of=AS_OF, segment=conditions)
    count = int(segments.segment_count(con, filters)["customers"].iloc[0])
    direct = db.scalar(con, "select count(*) from customer_clv where clv_tier in ('top', 'high') and p_alive <= 0.5")
    assert count == direct > 0
    unscored = segments.segment_count(con, Filters(as_of=AS_OF, segment=(Condition("clv_tier", "in", ("unscored",)),)))
    never_bought = db.scalar(
        con, "select count(*) from customer_features where customer_id not in (select customer_id from customer_clv)"
    )
    assert int(unscored["customers"].iloc[0]) == never_bought


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 3, 17), date(2025, 12, 31)])
def test_high_value_at_risk_against_pandas(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """Spend to date (a snapshot's running total plus the orders after it) and the top-20 % rank
    against pandas over every completed order, at the build's date, mid-month and a month end."""
    f = Filters(as_of=as_of, regions=("east", "south", "north", "central"))
    got = clv.at_risk_customers(con, f, 0.5, None)
    orders = con.execute(
        "select customer_id, ordered_on, cast(amount as double) as amount from order_facts where is_completed"
    ).df()
    orders = orders[orders["ordered_on"] <= pd.Timestamp(as_of)]
    people = con.execute("select customer_id, region, signed_up_at from customer_features").df()
    people = people[people["region"].isin(f.regions) & (people["signed_up_at"] < pd.Timestamp(as_of + timedelta(1)))]
    spend = (
        orders[orders["customer_id"].isin(people["customer_id"])]
        .groupby("customer_id")
        .agg(past_spend=("amount", "sum"), last=("ordered_on", "max"))
    )
    scores = con.execute("select customer_id, p_alive from customer_clv").df().set_index("customer_id")
    ranked = spend.join(scores, how="inner")
    rank = ranked["past_spend"].round(2).rank(ascending=False, method="min")
    ranked["spend_rank"] = (rank - 1) / (len(ranked) - 1)
    expected = ranked[(ranked["spend_rank"] < 0.2) & (ranked["p_alive"] < 0.5)].reset_index()
    expected = expected.sort_values(["past_spend", "customer_id"], ascending=[False, True])
    assert len(got) > 20
    assert got["customer_id"].tolist() == expected["customer_id"].tolist()
    assert np.allclose(got["past_spend"], expected["past_spend"].round(2))
    assert got["last_ordered_on"].tolist() == [d.date().isoformat() for d in expected["last"]]
    # the page is the whole list's head (its rows are cut before the contacts are read)
    pd.testing.assert_frame_equal(clv.at_risk_customers(con, f, 0.5, 20), got.head(20))


def test_incremental_value_list_against_pandas(m_db: Path) -> None:
    """P(alive) x predicted CLV x the best proven lift of the customer's tier (else of all
    customers), for the filtered customers with their tier on the as-of date, against pandas;
    the page's first rows are the whole list's first rows (the list is cut before contacts are
    read). Scale M: at S no campaign's lift is proven."""
    con = db.connect(m_db, read_only=True)
    as_of = date(2026, 3, 17)
    f = Filters(as_of=as_of, regions=("east", "south"))
    got = clv.incremental_value(con, f, None)
    end = pd.Timestamp(as_of + timedelta(1))
    people = con.execute("select customer_id, region, signed_up_at from customer_features").df()
    people = people[people["region"].isin(f.regions) & (people["signed_up_at"] < end)]
    spells = con.execute("select customer_id, membership_tier, valid_from, valid_to from membership_tier_spells").df()
    held = spells[(spells["valid_from"] < end) & (spells["valid_to"].isna() | (spells["valid_to"] >= end))]
    tiers = people.merge(held[["customer_id", "membership_tier"]].astype({"membership_tier": str}), how="left")
    tiers["membership_tier"] = tiers["membership_tier"].fillna("normal")
    lift = con.execute("select segment, campaign_id, lift_abs, verdict from campaign_lift").df()
    proven = lift[(lift["verdict"] == "positive") & (lift["lift_abs"] > 0)]
    best = proven.sort_values("lift_abs", ascending=False).drop_duplicates("segment").set_index("segment")
    assert len(best) > 1
    scores = con.execute("select customer_id, p_alive, predicted_clv from customer_clv").df()
    rows = tiers.merge(scores, on="customer_id")
    by_tier = rows["membership_tier"].map(best["lift_abs"])
    overall = best["lift_abs"].get("all", np.nan)
    rows["lift_abs"] = by_tier.fillna(overall)
    rows["lift_source"] = np.where(by_tier.notna(), "tier", "all")
    rows = rows[rows["lift_abs"].notna()]
    rows["value"] = rows["p_alive"] * rows["predicted_clv"] * rows["lift_abs"]
    assert len(got) == len(rows) > 100
    merged = got.merge(rows, on="customer_id", suffixes=("", "_pandas"))
    assert len(merged) == len(rows)
    assert np.allclose(merged["expected_incremental_value"], merged["value"], atol=0.006)
    assert (merged["lift_source"] == merged["lift_source_pandas"]).all()
    assert (merged["membership_tier"] == merged["membership_tier_pandas"]).all()
    values = got["expected_incremental_value"].to_numpy()
    assert (np.diff(values) <= 0).all()
    page = clv.incremental_value(con, f, 50)
    pd.testing.assert_frame_equal(page, got.head(50))
    con.close()
