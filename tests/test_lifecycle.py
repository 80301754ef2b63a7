"""Lifecycle stages, funnel, flows, cohorts and carts, each checked a second, independent way."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from crm_core import db, lifecycle, privacy
from crm_core.filters import Filters
from crm_core.lifecycle import StageRules

AS_OF = date(2026, 11, 15)


@pytest.fixture(scope="module")
def raw(s_db) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    c = db.connect(s_db)
    try:
        return {
            "customers": db.run(c, "select customer_id, signed_up_at, region from customers"),
            "orders": db.run(c, "select customer_id, ordered_at from orders where status = 'completed'"),
        }
    finally:
        c.close()


def stages_by_pandas(raw: dict[str, pd.DataFrame], day: date, rules: StageRules) -> pd.Series:
    """Stage of every customer known on `day`, straight from raw orders."""
    end = pd.Timestamp(day + timedelta(days=1))
    known = raw["customers"][raw["customers"]["signed_up_at"] < end]
    orders = raw["orders"][raw["orders"]["ordered_at"] < end].copy()
    orders["on"] = orders["ordered_at"].dt.normalize()
    last = orders.groupby("customer_id")["on"].max()
    recent = orders[orders["on"] > pd.Timestamp(day) - pd.Timedelta(days=365)].groupby("customer_id").size()
    days_since = (pd.Timestamp(day) - known["customer_id"].map(last)).dt.days
    count = known["customer_id"].map(recent).fillna(0)
    stage = np.select(
        [days_since.isna(), days_since > rules.dissolution_days, count >= rules.commitment_orders],
        ["cognition", "dissolution", "commitment"],
        "exploration",
    )
    return pd.Series(stage).value_counts()


@pytest.mark.parametrize(
    ("day", "rules"),
    [
        (date(2024, 6, 30), StageRules()),
        (date(2025, 2, 28), StageRules()),
        (date(2025, 12, 31), StageRules(dissolution_days=90, commitment_orders=5)),
        (AS_OF, StageRules()),
        (AS_OF, StageRules(dissolution_days=365, commitment_orders=2)),
    ],
)
def test_stage_counts_equal_a_count_from_raw_orders(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame], day: date, rules: StageRules
) -> None:
    got = lifecycle.stage_mix(con, Filters(as_of=day), rules).set_index("stage")["customers"]
    want = stages_by_pandas(raw, day, rules)
    assert got.sort_index().to_dict() == want.sort_index().to_dict()


def test_a_date_that_is_not_a_snapshot_reads_the_month_end_before(con: duckdb.DuckDBPyConnection) -> None:
    mid = lifecycle.stage_mix(con, Filters(as_of=date(2025, 7, 17)), StageRules())
    end = lifecycle.stage_mix(con, Filters(as_of=date(2025, 6, 30)), StageRules())
    assert mid.equals(end)


@pytest.mark.parametrize("breakdown", ["none", "membership_tier", "signup_cohort"])
def test_funnel_never_widens_and_matches_the_mix(con: duckdb.DuckDBPyConnection, breakdown: str) -> None:
    rules = StageRules(breakdown=breakdown)
    f = lifecycle.funnel(con, Filters(as_of=AS_OF), rules)
    assert (f["reached_exploration"] <= f["reached_cognition"]).all()
    assert (f["reached_commitment"] <= f["reached_exploration"]).all()
    assert (f["reached_exploration_in_window"] <= f["reached_exploration"]).all()
    mix = lifecycle.stage_mix(con, Filters(as_of=AS_OF), rules)
    assert f["reached_cognition"].sum() == mix["customers"].sum()
    ordered = mix[mix["stage"] != "cognition"]["customers"].sum()
    assert f["reached_exploration"].sum() == ordered


def test_commitment_milestone_equals_a_direct_search(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    milestones = db.run(con, "select customer_id, first_commitment_on_3 from customer_milestones").set_index(
        "customer_id"
    )["first_commitment_on_3"]
    days = raw["orders"].assign(on=raw["orders"]["ordered_at"].dt.normalize()).sort_values(["customer_id", "on"])
    days["two_before"] = days.groupby("customer_id")["on"].shift(2)
    hit = days[(days["on"] - days["two_before"]).dt.days < 365]
    first = hit.groupby("customer_id")["on"].min()
    both = pd.concat([milestones.rename("mart"), first.rename("direct")], axis=1)
    assert (pd.to_datetime(both["mart"]) == both["direct"]).sum() == both["direct"].notna().sum()
    assert both["mart"].notna().sum() == both["direct"].notna().sum()


def test_transitions_conserve_customers(con: duckdb.DuckDBPyConnection) -> None:
    a, b = date(2025, 6, 30), date(2026, 10, 31)
    rules = StageRules(dissolution_days=120)
    flows = lifecycle.transitions(con, Filters(as_of=AS_OF), rules, a, b)
    at_a = lifecycle.stage_mix(con, Filters(as_of=a), rules).set_index("stage")["customers"]
    at_b = lifecycle.stage_mix(con, Filters(as_of=b), rules).set_index("stage")["customers"]
    out = flows[flows["from_stage"] != "not_yet_known"].groupby("from_stage")["customers"].sum()
    assert out.sort_index().to_dict() == at_a.sort_index().to_dict()
    into = flows.groupby("to_stage")["customers"].sum()
    assert into.sort_index().to_dict() == at_b.sort_index().to_dict()
    assert flows[(flows["from_stage"] == "dissolution") & (flows["to_stage"] != "dissolution")]["customers"].sum() > 0
    with pytest.raises(ValueError, match="must come before"):
        lifecycle.transitions(con, Filters(as_of=AS_OF), rules, b, a)


def test_drill_down_lists_exactly_the_stage(con: duckdb.DuckDBPyConnection) -> None:
    f, rules = Filters(as_of=AS_OF, regions=("east",)), StageRules()
    mix = lifecycle.stage_mix(con, f, rules).set_index("stage")["customers"]
    count = lifecycle.stage_customer_count(con, f, rules, "commitment")
    assert count == mix["commitment"]
    everyone = lifecycle.stage_customers(con, f, rules, "commitment", limit=None)
    assert len(everyone) == count and set(everyone["region"]) == {"east"}
    completed = db.run(
        con,
        "select customer_id, count(*) as n from orders where status = 'completed'"
        " and cast(ordered_at as date) <= $as_of group by 1",
        {"as_of": AS_OF},
    ).set_index("customer_id")["n"]
    assert (everyone["count_orders_to_date"].to_numpy() == completed.loc[everyone["customer_id"]].to_numpy()).all()
    pages = [
        lifecycle.stage_customers(con, f, rules, "commitment", sort="customer_id", limit=20, offset=o) for o in (0, 20)
    ]
    assert not set(pages[0]["customer_id"]) & set(pages[1]["customer_id"])
    assert pages[0]["customer_id"].is_monotonic_increasing
    assert (pages[1]["listed_customers"] == count).all()  # the page's count is the whole selection's
    moved = lifecycle.stage_customers(
        con, f, rules, "dissolution", from_stage="commitment", from_date=date(2026, 4, 30), limit=None
    )
    assert set(moved["stage_before"]) <= {"commitment"}
    with pytest.raises(ValueError, match="sort must be one of"):
        lifecycle.stage_customers(con, f, rules, "commitment", sort="revenue; drop table orders")
    with pytest.raises(ValueError, match="stage must be one of"):
        lifecycle.stage_customers(con, f, rules, "loyal")


def test_retention_cells_equal_a_direct_count(con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]) -> None:
    cells = lifecycle.cohort_retention(con, Filters(as_of=AS_OF), "signup").set_index(["cohort_month", "months_since"])
    customers = raw["customers"].assign(cohort=raw["customers"]["signed_up_at"].dt.to_period("M"))
    orders = raw["orders"].merge(customers, on="customer_id")
    orders["months_since"] = (orders["ordered_at"].dt.to_period("M") - orders["cohort"]).apply(lambda d: d.n)
    direct = orders.groupby(["cohort", "months_since"])["customer_id"].nunique()
    sizes = customers.groupby("cohort").size()
    for (cohort, months), active in direct.sample(40, random_state=1).items():
        key = (pd.Timestamp(cohort.start_time), months)
        assert cells.loc[key, "active_customers"] == active
        assert cells.loc[key, "share_active"] == pytest.approx(active / sizes[cohort])
    assert len(cells) == len(direct)


def test_first_order_cohorts_of_a_region_equal_a_direct_count(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    """Cohorts by month of first completed order, customers of one region, at a mid-month as-of
    date: every cell, and the drill-down list of a cell in the as-of date's own month, count the
    orders up to that day only (not the rest of the month), and a first order after it makes no
    cohort yet."""
    as_of = AS_OF - timedelta(days=50)
    assert as_of.day > 1  # mid-month: the month has orders after the as-of date
    f = Filters(as_of=as_of, regions=("east",))
    cells = lifecycle.cohort_retention(con, f, "first_order").set_index(["cohort_month", "months_since"])
    end = pd.Timestamp(as_of + timedelta(days=1))
    customers = raw["customers"][(raw["customers"]["region"] == "east") & (raw["customers"]["signed_up_at"] < end)]
    orders = raw["orders"][raw["orders"]["customer_id"].isin(customers["customer_id"])]
    orders = orders[orders["ordered_at"] < end]
    first = orders.groupby("customer_id")["ordered_at"].min().dt.to_period("M").rename("cohort")
    orders = orders.merge(first, left_on="customer_id", right_index=True)
    orders["months_since"] = (orders["ordered_at"].dt.to_period("M") - orders["cohort"]).apply(lambda d: d.n)
    direct = orders.groupby(["cohort", "months_since"])["customer_id"].unique()
    sizes = first.value_counts()
    assert len(cells) == len(direct) > 20
    for (cohort, months), active in direct.items():
        key = (pd.Timestamp(cohort.start_time), months)
        assert cells.loc[key, "active_customers"] == len(active), key
        assert cells.loc[key, "cohort_size"] == sizes[cohort], key
    # a cell of the as-of date's month: its list is the customers with an order up to that day
    in_month = [k for k in direct.index if k[0] + k[1] == pd.Period(as_of, "M")]
    cohort, months = max(in_month, key=lambda k: len(direct[k]))
    listed = lifecycle.cohort_customers(con, f, "first_order", cohort.start_time.date(), months)
    assert sorted(listed["customer_id"]) == sorted(direct[(cohort, months)])
    earlier = next(k for k in direct.index if k[0] + k[1] < pd.Period(as_of, "M") and len(direct[k]) > 1)
    listed = lifecycle.cohort_customers(con, f, "first_order", earlier[0].start_time.date(), earlier[1])
    assert sorted(listed["customer_id"]) == sorted(direct[earlier])


def test_cart_abandonment_matches_the_planted_rate(con: duckdb.DuckDBPyConnection) -> None:
    by = lifecycle.cart_abandonment_by(con, Filters(as_of=AS_OF, period_days=365))
    planted = db.run(con, "select * from truth_web").set_index("channel")["planted_abandonment_rate"]
    channels = by[by["dimension"] == "channel"].set_index("dimension_value")
    for channel, rate in planted.items():
        assert abs(channels.at[channel, "abandonment_rate"] - rate) <= 0.02, channel
    overall = by[by["dimension"] == "all"].iloc[0]
    assert overall["carts"] == channels["carts"].sum()
    direct = db.scalar(con, "select count(distinct session_id) from web_events where event_type = 'add_to_cart'")
    assert overall["carts"] == direct


def test_a_period_without_carts_has_a_row_of_zeros(con: duckdb.DuckDBPyConnection) -> None:
    first = pd.Timestamp(db.scalar(con, "select min(cart_on) from cart_sessions")).date()
    by = lifecycle.cart_abandonment_by(con, Filters(as_of=first - timedelta(days=1), period_days=7))
    overall = by[by["dimension"] == "all"]
    assert len(overall) == 1
    row = overall.iloc[0]
    assert (row["carts"], row["abandoned_carts"], row["abandoned_basket_value"], row["converted_revenue"]) == (
        0,
        0,
        0,
        0,
    )
    assert lifecycle.abandoned_cart_customers(con, Filters(as_of=first - timedelta(days=1), period_days=7)).empty


def test_what_if_doubles_revenue_from_80_to_60() -> None:
    w = lifecycle.abandonment_what_if(carts=1000, abandoned=800, converted_revenue=50_000.0, points=20)
    assert w["factor"] == pytest.approx(2.0) and w["extra_revenue"] == pytest.approx(50_000.0)
    assert np.isnan(lifecycle.abandonment_what_if(0, 0, 0.0, 10)["rate"])


def test_contacts_are_masked() -> None:
    assert privacy.mask_email("u123456789@example.com") == "u1********@example.com"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_email(None) == "" and privacy.mask_phone(float("nan")) == ""


def test_rules_are_validated() -> None:
    with pytest.raises(ValueError, match="dissolution_days must be one of"):
        StageRules(dissolution_days=181)
    with pytest.raises(ValueError, match="breakdown must be one of"):
        StageRules(breakdown="city; drop table x")


def test_cohort_and_cart_drill_downs_match_their_cells(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=AS_OF)
    cells = lifecycle.cohort_retention(con, f, "signup").set_index(["cohort_month", "months_since"])
    for (cohort, months), row in cells.sample(5, random_state=3).iterrows():
        listed = lifecycle.cohort_customers(con, f, "signup", cohort.date(), int(months))
        assert len(listed) == row["active_customers"]
        first = lifecycle.cohort_customers(con, f, "signup", cohort.date(), int(months), limit=3)
        assert len(first) == min(3, len(listed))
        assert (first["listed_customers"] == len(listed)).all()
        assert first["customer_id"].tolist() == listed["customer_id"].head(3).tolist()
    by = lifecycle.cart_abandonment_by(con, f).set_index(["dimension", "dimension_value"])
    web = lifecycle.abandoned_cart_customers(con, f, "channel", "web")
    assert web["abandoned_carts"].sum() == by.loc[("channel", "web"), "abandoned_carts"]
    everyone = lifecycle.abandoned_cart_customers(con, f)
    assert everyone["abandoned_carts"].sum() == by.loc[("all", "all"), "abandoned_carts"]
    top = lifecycle.abandoned_cart_customers(con, f, limit=10)
    assert top["customer_id"].tolist() == everyone["customer_id"].head(10).tolist()
    assert (top["listed_customers"] == len(everyone)).all()
    with pytest.raises(ValueError, match="dimension must be one of"):
        lifecycle.abandoned_cart_customers(con, f, "city")


def test_the_cart_recovery_list_against_pandas_and_the_breakdown(con: duckdb.DuckDBPyConnection) -> None:
    """Every customer row of every dimension value equals pandas over cart_sessions; the sums equal
    the breakdown's row (the list sums per customer before joining the filters' customers)."""
    f = Filters(as_of=AS_OF, period_days=90, regions=("east", "north", "south"))
    by = lifecycle.cart_abandonment_by(con, f).set_index(["dimension", "dimension_value"])
    every = con.execute(
        """select c.customer_id, c.channel, c.device, c.basket_value, c.cart_at, c.cart_on, c.is_abandoned,
                  cast(c.order_amount as double) as order_amount, f.region
           from cart_sessions c join customer_features f using (customer_id)"""
    ).df()
    every = every[every["cart_on"].between(pd.Timestamp(f.period_start), pd.Timestamp(AS_OF))]
    every = every[every["region"].isin(f.regions)]
    # the breakdown itself, overall and per channel and device
    for dimension in ("all", "channel", "device"):
        groups = every.assign(all="all").groupby(dimension)
        for value, rows in groups:
            row = by.loc[(dimension, value)]
            assert row["carts"] == len(rows), (dimension, value)
            assert row["abandoned_carts"] == rows["is_abandoned"].sum()
            assert row["abandoned_basket_value"] == pytest.approx(rows.loc[rows["is_abandoned"], "basket_value"].sum())
            assert row["converted_revenue"] == pytest.approx(rows.loc[~rows["is_abandoned"], "order_amount"].sum())
        assert len([d for d, _ in by.index if d == dimension]) == groups.ngroups
    tiers = by.loc["membership_tier"]
    assert tiers["carts"].sum() == by.loc[("all", "all"), "carts"]
    assert tiers["converted_revenue"].sum() == pytest.approx(by.loc[("all", "all"), "converted_revenue"])
    carts = every[every["is_abandoned"]]
    for dimension in ("all", "channel", "device", "membership_tier"):
        values = [v for d, v in by.index if d == dimension]
        assert values, dimension
        for value in values:
            listed = lifecycle.abandoned_cart_customers(con, f, dimension, value if dimension != "all" else "")
            row = by.loc[(dimension, value)]
            assert listed["abandoned_carts"].sum() == row["abandoned_carts"], (dimension, value)
            assert listed["abandoned_basket_value"].sum() == pytest.approx(row["abandoned_basket_value"])
            assert (listed["listed_customers"] == len(listed)).all()
            if dimension in ("channel", "device"):
                mine = carts[carts[dimension] == value]
            elif dimension == "all":
                mine = carts
            else:
                continue  # the tier on the as-of date: the breakdown's sums above are the check
            expected = (
                mine.groupby("customer_id")
                .agg(abandoned_carts=("cart_at", "size"), value=("basket_value", "sum"), last=("cart_at", "max"))
                .sort_values(["value"], ascending=False)
            )
            got = listed.set_index("customer_id").loc[expected.index]
            assert got["abandoned_carts"].tolist() == expected["abandoned_carts"].tolist()
            assert np.allclose(got["abandoned_basket_value"], expected["value"])
            assert (pd.to_datetime(got["last_abandoned_at"]) == expected["last"]).all()
            assert listed["abandoned_basket_value"].is_monotonic_decreasing


@pytest.mark.parametrize("as_of", [AS_OF, date(2025, 6, 17)])
def test_the_default_rule_reads_the_marts_stage(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """With the default rule the stage is lifecycle_monthly's own column; the rule written out
    per row gives the same counts at every snapshot of the 24 months."""
    f, rules = Filters(as_of=as_of), StageRules()
    shortcut = "when $dissolution_rule = 'days' and $dissolution_days = 180 and $commitment_orders = 3"
    sql = db.load_sql("lifecycle_over_time")
    assert shortcut in sql
    got = lifecycle.stages_over_time(con, f, rules)
    per_row = lifecycle._run(con, sql.replace(shortcut, "when false"), f, rules)
    assert len(got) > 20
    pd.testing.assert_frame_equal(got.reset_index(drop=True), per_row.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("sort", lifecycle.LIST_SORTS)
@pytest.mark.parametrize("descending", [True, False])
def test_a_page_of_the_drill_down_is_that_slice_of_the_whole_sorted_list(
    con: duckdb.DuckDBPyConnection, sort: str, descending: bool
) -> None:
    """The drill-down's page (the selection's sort keys first, contact details for the page's rows
    only) is the slice of the whole list sorted by pandas: every sort, both directions, first,
    middle and last page; each page carries the whole selection's count."""
    f, rules = Filters(as_of=AS_OF, regions=("east", "south")), StageRules(breakdown="membership_tier")
    whole = lifecycle.stage_customers(con, f, rules, "dissolution", sort=sort, descending=descending, limit=None)
    assert len(whole) > 120
    keys = [sort, "customer_id"] if sort != "customer_id" else ["customer_id"]
    by_pandas = whole.sort_values(keys, ascending=[not descending] + [True] * (len(keys) - 1), na_position="last")
    pd.testing.assert_frame_equal(whole.reset_index(drop=True), by_pandas.reset_index(drop=True))
    assert (whole["listed_customers"] == len(whole)).all()
    for offset in (0, 50, len(whole) - len(whole) % 50):
        page = lifecycle.stage_customers(con, f, rules, "dissolution", sort=sort, descending=descending, offset=offset)
        expected = by_pandas.iloc[offset : offset + 50].reset_index(drop=True)
        pd.testing.assert_frame_equal(page.reset_index(drop=True), expected, check_dtype=False)
    assert lifecycle.stage_customer_count(con, f, rules, "dissolution") == len(whole)
