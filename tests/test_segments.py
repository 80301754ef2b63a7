"""Segments: RFM row for row against pandas, the builder, saved segments, exports, hostile input."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest

from crm_core import db, membership, overview, segments, store
from crm_core.filters import Condition, Filters

AS_OF = date(2026, 11, 15)
ROOT = Path(__file__).resolve().parent.parent
HOSTILE = 'Robert\'); DROP TABLE saved_segments;-- "引号" 🎯 高价值'

# the 11-segment map, written out again by hand as (R, FM) -> segment
MAP = {}
for r in range(1, 6):
    for fm in range(1, 6):
        if r == 5:
            seg = "new_customers" if fm == 1 else "potential_loyalists" if fm <= 3 else "champions"
        elif r == 4:
            seg = {1: "promising", 2: "potential_loyalists", 3: "potential_loyalists", 4: "loyal", 5: "champions"}[fm]
        elif r == 3:
            seg = "about_to_sleep" if fm <= 2 else "need_attention" if fm == 3 else "loyal"
        else:
            seg = "cant_lose_them" if fm == 5 else "at_risk" if fm >= 3 else ("hibernating" if r == 2 else "lost")
        MAP[(r, fm)] = seg


def pandas_rfm(con: duckdb.DuckDBPyConnection, as_of: date, lookback: int) -> pd.DataFrame:
    orders = db.run(con, "select customer_id, ordered_at, amount from orders where status = 'completed'")
    orders["on"] = orders["ordered_at"].dt.normalize()
    orders = orders[orders["on"] <= pd.Timestamp(as_of)]
    orders["amount"] = orders["amount"].astype(float)
    recent = orders[orders["on"] > pd.Timestamp(as_of - timedelta(days=lookback))]
    out = pd.DataFrame({"recency_days": (pd.Timestamp(as_of) - orders.groupby("customer_id")["on"].max()).dt.days})
    out["frequency"] = recent.groupby("customer_id").size().reindex(out.index).fillna(0).astype(int)
    out["monetary"] = recent.groupby("customer_id")["amount"].sum().reindex(out.index).fillna(0.0)
    n = len(out)

    def score(values: pd.Series) -> pd.Series:
        pr = (values.rank(method="min") - 1) / (n - 1)
        return np.minimum(5, 1 + np.floor(5 * pr)).astype(int)

    out["r_score"] = score(-out["recency_days"])
    out["f_score"] = score(out["frequency"].astype(float))
    out["m_score"] = score(out["monetary"].round(2))
    fm = np.floor((out["f_score"] + out["m_score"] + 1) / 2).astype(int)
    out["rfm_segment"] = [MAP[(r, f)] for r, f in zip(out["r_score"], fm, strict=True)]
    out["value_tier"] = np.select(
        [
            out["recency_days"] > 365,
            out["recency_days"] > 180,
            (out["m_score"] == 5) & (out["f_score"] >= 4),
            (out["r_score"] >= 4) | (out["f_score"] + out["m_score"] >= 7),
        ],
        ["lost", "at_risk", "high_value", "potential"],
        "general",
    )
    return out.sort_index()


@pytest.mark.parametrize(
    ("as_of", "lookback"), [(AS_OF, 365), (date(2025, 8, 31), 180), (date(2025, 8, 31), 365), (date(2024, 2, 29), 365)]
)
def test_rfm_equals_pandas_row_for_row(con: duckdb.DuckDBPyConnection, as_of: date, lookback: int) -> None:
    got = segments.rfm_scores(con, Filters(as_of=as_of), lookback).set_index("customer_id").sort_index()
    want = pandas_rfm(con, as_of, lookback)
    assert list(got.index) == list(want.index)
    for column in ("recency_days", "frequency", "r_score", "f_score", "m_score", "rfm_segment", "value_tier"):
        mismatch = (got[column].to_numpy() != want[column].to_numpy()).sum()
        assert mismatch == 0, f"{column}: {mismatch} rows differ"
    assert np.allclose(got["monetary"].astype(float), want["monetary"])


def test_the_mart_equals_the_as_of_query(con: duckdb.DuckDBPyConnection) -> None:
    mart = db.run(con, "select * from customer_rfm order by customer_id")
    query = segments.rfm_scores(con, Filters(as_of=AS_OF)).sort_values("customer_id").reset_index(drop=True)
    assert mart["rfm_segment"].tolist() == query["rfm_segment"].tolist()
    assert mart["value_tier"].tolist() == query["value_tier"].tolist()


@pytest.mark.parametrize("snapshot", [date(2024, 2, 29), date(2024, 12, 31), date(2025, 8, 31), AS_OF])
def test_monthly_snapshots_equal_the_scores_computed_at_that_date(
    con: duckdb.DuckDBPyConnection, snapshot: date
) -> None:
    """customer_rfm_monthly (running totals of lifecycle_monthly) against the rfm_scored snippet
    computed from every order at the same date (built_as_of=None forces the computation)."""
    sql, params = segments.filtered_sql("rfm_scores", Filters(as_of=snapshot), None)
    assert "from customer_rfm_monthly" not in sql
    computed = db.run(con, sql, params).drop(columns="snapshot_date").sort_values("customer_id")
    stored = db.run(
        con, "select * from customer_rfm_monthly where snapshot_date = $d order by customer_id", {"d": snapshot}
    ).drop(columns="snapshot_date")
    assert len(stored) > 0
    pd.testing.assert_frame_equal(
        stored.reset_index(drop=True), computed[stored.columns].reset_index(drop=True), check_dtype=False
    )


def test_a_date_between_month_ends_reads_the_month_end_before(con: duckdb.DuckDBPyConnection) -> None:
    assert segments.rfm_snapshot(date(2025, 9, 17), AS_OF) == date(2025, 8, 31)
    assert segments.rfm_snapshot(date(2025, 8, 31), AS_OF) == date(2025, 8, 31)
    assert segments.rfm_snapshot(AS_OF, AS_OF) == AS_OF
    assert segments.rfm_snapshot(date(2025, 9, 17), None) is None
    got = segments.rfm_scores(con, Filters(as_of=date(2025, 9, 17))).set_index("customer_id").sort_index()
    want = pandas_rfm(con, date(2025, 8, 31), 365)
    assert list(got.index) == list(want.index)
    assert (got["rfm_segment"].to_numpy() == want["rfm_segment"].to_numpy()).all()


def test_tier_and_segment_counts_add_up(con: duckdb.DuckDBPyConnection) -> None:
    summary = segments.segment_summary(con, Filters(as_of=AS_OF))
    buyers = db.scalar(
        con,
        "select count(distinct customer_id) from orders where status = 'completed' and ordered_at < '2026-11-16'",
    )
    for _, part in summary.groupby("dimension"):
        assert part["customers"].sum() == buyers
        assert part["share_of_revenue"].sum() == pytest.approx(1.0)
    assert set(summary[summary["dimension"] == "rfm_segment"]["dimension_value"]) <= set(segments.RFM_SEGMENTS)


def test_a_segment_applies_to_every_page_query(con: duckdb.DuckDBPyConnection) -> None:
    seg = (Condition("value_tier", "in", ("high_value",)), Condition("email_consent", "is", (True,)))
    f = Filters(as_of=AS_OF, segment=seg, segment_id=1)
    count = int(segments.segment_count(con, f).iloc[0]["customers"])
    direct = segments.rfm_scores(con, Filters(as_of=AS_OF))
    consent = db.run(con, "select customer_id from customers where email_consent")["customer_id"]
    expected = direct[(direct["value_tier"] == "high_value") & direct["customer_id"].isin(consent)]
    assert count == len(expected) > 0
    kpis = overview.overview_kpis(con, f).set_index("period")
    assert kpis.at["current", "customers"] == count
    listed = segments.segment_customers(con, f, limit=None)
    assert set(listed["customer_id"]) == set(expected["customer_id"])


def test_ranges_and_hostile_values_are_plain_data(con: duckdb.DuckDBPyConnection) -> None:
    spend = (Condition("monetary", "between", (1000.0, 5000.0)),)
    listed = segments.segment_customers(con, Filters(as_of=AS_OF, segment=spend), limit=None)
    assert len(listed) and listed["monetary"].between(1000, 5000).all()
    hostile = (Condition("city", "in", ("上海' or '1'='1", HOSTILE)),)
    assert segments.segment_count(con, Filters(as_of=AS_OF, segment=hostile)).iloc[0]["customers"] == 0
    assert db.scalar(con, "select count(*) from customers") == 2000  # nothing was dropped


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (Condition("password", "in", ("x",)), "unknown segment field"),
        (Condition("region", "in", ("atlantis",)), "unknown values"),
        (Condition("region", "between", (1, 2)), "takes the operator"),
        (Condition("monetary", "between", (None, None)), "give a low bound"),
        (Condition("email_consent", "is", ("yes",)), "expected yes or no"),
    ],
)
def test_bad_conditions_get_one_sentence(condition: Condition, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        segments.compile_predicate((condition,))


def test_saved_segments_round_trip_with_hostile_names(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    conditions = (Condition("city", "in", ("上海", HOSTILE)), Condition("monetary", "between", (None, 100.0)))
    seg_id = store.save_segment(path, HOSTILE, conditions)
    again = store.list_segments(path)
    assert [(s.segment_id, s.name, s.conditions) for s in again] == [(seg_id, HOSTILE, conditions)]
    with pytest.raises(ValueError, match="already exists"):
        store.save_segment(path, HOSTILE, conditions)
    store.rename_segment(path, seg_id, "  高价值 客户  ")
    assert store.get_segment(path, seg_id).name == "高价值 客户"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="needs a name"):
        store.save_segment(path, "   ", conditions)
    store.delete_segment(path, seg_id)
    assert store.list_segments(path) == []
    with pytest.raises(ValueError, match="no saved segment"):
        store.delete_segment(path, seg_id)


def test_export_holds_the_whole_segment(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=AS_OF, segment=(Condition("value_tier", "in", ("potential", "general")),))
    frame = segments.segment_customers(con, f, limit=None)
    count = int(segments.segment_count(con, f).iloc[0]["customers"])
    csv = segments.export_bytes(frame, "csv")
    assert csv.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert len(back) == count and {"email", "phone", "has_sms_consent"} <= set(back.columns)
    book = openpyxl.load_workbook(io.BytesIO(segments.export_bytes(frame, "xlsx")))
    assert book.active.max_row == count + 1


def test_export_cli(s_db_copy: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    store.save_segment(state, "高价值 🎯", (Condition("value_tier", "in", ("high_value",)),))
    out = tmp_path / "list.xlsx"
    cmd = [sys.executable, "-m", "crm_core", "export", "--db", str(s_db_copy), "--state", str(state)]
    done = subprocess.run(
        [*cmd, "--segment", "高价值 🎯", "--format", "xlsx", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    c = db.connect(s_db_copy)
    try:
        expected = (segments.rfm_scores(c, Filters(as_of=AS_OF))["value_tier"] == "high_value").sum()
    finally:
        c.close()
    assert openpyxl.load_workbook(out).active.max_row == expected + 1
    missing = subprocess.run([*cmd, "--segment", "nope", "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert missing.returncode == 2 and "no saved segment named 'nope'" in missing.stderr


def test_upgrade_targets_and_points(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=AS_OF)
    targets = membership.upgrade_targets(con, f)
    silver, gold, diamond = membership.tier_thresholds()
    limits = targets["membership_tier"].map({"normal": silver, "silver": gold, "gold": diamond})
    assert (targets["spend_this_year"] < limits).all() and (targets["spend_this_year"] >= 0.9 * limits).all()
    spend = db.run(
        con,
        "select customer_id, sum(amount) as s from orders where status = 'completed' "
        "and ordered_at >= '2026-01-01' and ordered_at < '2026-11-16' group by 1",
    ).set_index("customer_id")["s"]
    sample = targets.head(20)
    assert np.allclose(sample["spend_this_year"].astype(float), spend.reindex(sample["customer_id"]).astype(float))
    points = membership.points_summary(con, f)
    balance = points[points["entry_type"] == "balance"]["points"].sum()
    assert balance == db.scalar(con, "select sum(points) from points_ledger")
    with pytest.raises(ValueError, match="three increasing numbers"):
        membership.tier_thresholds({"CRM_TIER_THRESHOLDS": "5,1,3"})


def test_points_of_the_period_equal_pandas_on_the_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Points and distinct customers per entry type and reason in the period, customers of one
    region (the query numbers the pairs; a pair must keep its own figures)."""
    f = Filters(as_of=AS_OF, period_days=90, regions=("east",))
    points = membership.points_summary(con, f)
    points = points[points["entry_type"] != "balance"].set_index(["entry_type", "reason"])
    ledger = db.run(
        con,
        "select l.customer_id, l.entry_type, l.reason, l.points, l.entry_at from points_ledger l "
        "join customers c using (customer_id) where c.region = 'east'",
    )
    start, end = pd.Timestamp(f.period_start), pd.Timestamp(AS_OF + timedelta(days=1))
    ledger = ledger[(ledger["entry_at"] >= start) & (ledger["entry_at"] < end)]
    expected = ledger.groupby(["entry_type", "reason"]).agg(
        points=("points", "sum"), customers=("customer_id", "nunique")
    )
    assert len(expected) >= 3
    assert sorted(points.index) == sorted(expected.index)
    for key, row in expected.iterrows():
        assert points.at[key, "points"] == row["points"], key
        assert points.at[key, "customers"] == row["customers"], key
    # the balance outstanding on an earlier day: the build's balances less the entries since
    for day in (AS_OF - timedelta(days=45), AS_OF - timedelta(days=400)):
        earlier = membership.points_summary(con, Filters(as_of=day, regions=("east",)))
        everything = db.run(
            con,
            "select sum(l.points) from points_ledger l join customers c using (customer_id) "
            "where c.region = 'east' and l.entry_at < $end and c.signed_up_at < $end",
            {"end": pd.Timestamp(day + timedelta(days=1))},
        ).iat[0, 0]
        assert earlier.loc[earlier["entry_type"] == "balance", "points"].iat[0] == everything > 0, day


def test_every_grid_cell_lists_its_customers(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=AS_OF, regions=("east",))
    grid = segments.rfm_grid(con, f)
    for row in grid.sample(6, random_state=2).itertuples():
        cell = (Condition("r_score", "in", (str(row.r_score),)), Condition("f_score", "in", (str(row.f_score),)))
        listed = segments.segment_customers(con, Filters(as_of=AS_OF, regions=("east",), segment=cell), limit=None)
        assert len(listed) == row.customers
        assert listed["monetary"].sum() == pytest.approx(float(row.revenue))


def test_migration_counts_equal_pandas_and_the_cell_list(con: duckdb.DuckDBPyConnection) -> None:
    """rfm_migration (aggregated in SQL) against pandas RFM at both month ends, for the customers
    of a region filter; one cell's list holds exactly the customers pandas puts in that cell."""
    earlier_day, later_day = date(2025, 8, 31), date(2026, 2, 28)
    f = Filters(as_of=later_day, regions=("east",))
    moves = segments.rfm_migration(con, f, earlier_day, later_day)
    customers = db.run(
        con,
        "select customer_id from customers where region = 'east' and signed_up_at < $end",
        {"end": later_day + timedelta(days=1)},
    )["customer_id"]
    before = pandas_rfm(con, earlier_day, 365)["value_tier"].reindex(customers).fillna("no_purchase")
    after = pandas_rfm(con, later_day, 365)["value_tier"].reindex(customers).fillna("no_purchase")
    want = pd.crosstab(before.to_numpy(), after.to_numpy())
    got = moves.pivot_table(
        index="from_value_tier", columns="to_value_tier", values="customers", aggfunc="sum", fill_value=0
    )
    got = got.reindex(index=want.index, columns=want.columns, fill_value=0)
    assert (got.to_numpy() == want.to_numpy()).all()
    assert moves["customers"].sum() == len(customers)
    moved = want.stack()
    moved = moved[[a != b for a, b in moved.index]]
    source, target = moved.idxmax()  # the largest cell off the diagonal
    listed = segments.migration_customers(con, f, earlier_day, later_day, "value_tier", source, target, None)
    expected = set(customers[(before == source).to_numpy() & (after == target).to_numpy()])
    assert len(expected) == moved.max() > 0
    assert set(listed["customer_id"]) == expected
    with pytest.raises(ValueError):
        segments.migration_customers(con, f, earlier_day, later_day, "region; drop table x", "a", "b")


def test_the_tier_free_shortcut_selects_the_same_customers(con: duckdb.DuckDBPyConnection) -> None:
    """Without a tier selected, queries that never read a tier skip the join with the tier
    spells (filtered_customers_untiered); selecting every tier must give the very same figures
    through the full snippet. A region narrows it so the filters still do something."""
    from crm_core import campaigns, clv, contract, crosssell, lifecycle, managers, service

    rules = lifecycle.StageRules()
    queries = {
        "overview_kpis": lambda f: overview.overview_kpis(con, f),
        "overview_trend": lambda f: overview.overview_trend(con, f),
        "rfm_grid": lambda f: segments.rfm_grid(con, f),
        "segment_count": lambda f: segments.segment_count(con, f),
        "segment_customers": lambda f: segments.segment_customers(con, f, limit=None),
        "stage_mix": lambda f: lifecycle.stage_mix(con, f, rules),
        "funnel": lambda f: lifecycle.funnel(con, f, rules),
        "cohort_retention": lambda f: lifecycle.cohort_retention(con, f, "signup"),
        "cart_abandonment_trend": lambda f: lifecycle.cart_abandonment_trend(con, f),
        "campaign_performance": lambda f: campaigns.campaign_performance(con, f),
        "service_times": lambda f: service.service_times(con, f),
        "clv_overview": lambda f: clv.clv_overview(con, f),
        "basket_rules": lambda f: crosssell.basket_rules(con, f, crosssell.RuleSettings()),
        "orphaned_customers": lambda f: managers.orphaned_customers(con, f),
    }
    queries["points_summary"] = lambda f: membership.points_summary(con, f)
    plain = Filters(as_of=AS_OF, regions=("east", "south"))
    every_tier = Filters(as_of=AS_OF, regions=("east", "south"), tiers=contract.TIERS)
    sql, _ = segments.filtered_sql("overview_kpis", plain)
    assert "membership_tier_spells" not in sql  # the shortcut is taken
    assert "membership_tier_spells" in segments.filtered_sql("overview_kpis", every_tier)[0]
    assert "membership_tier_spells" in segments.filtered_sql("segment_summary", plain)[0]  # reads tiers
    # `-- @filtered_rows`: a mart's own customer columns without a tier, the semi-join with one
    semi_join = "activity.customer_id in (select customer_id from filtered_customers)"
    assert semi_join not in segments.filtered_sql("cohort_retention", plain)[0]
    assert semi_join in segments.filtered_sql("cohort_retention", every_tier)[0]
    earlier = AS_OF - timedelta(days=50)  # mid-month, before the build's date: other branches
    pairs = [
        (plain, every_tier),
        (
            Filters(as_of=earlier, period_days=90, channels=("search", "referral")),
            Filters(as_of=earlier, period_days=90, channels=("search", "referral"), tiers=contract.TIERS),
        ),
    ]
    for fast, full in pairs:
        for name, run in queries.items():
            pd.testing.assert_frame_equal(run(fast), run(full), check_dtype=False, obj=name)
    for fast, full in pairs:
        pd.testing.assert_frame_equal(
            lifecycle.cohort_retention(con, fast, "first_order"),
            lifecycle.cohort_retention(con, full, "first_order"),
            check_dtype=False,
        )


def test_segment_profiles_equal_pandas(con: duckdb.DuckDBPyConnection) -> None:
    """Two segments profiled in one pass: sizes, averages and category shares from the segment's
    customer list and the raw order lines; each equals its profile alone."""
    f = Filters(as_of=AS_OF, regions=("east", "north"))
    both = segments.segment_profiles(con, f, ("champions", "at_risk"))
    listed = segments.segment_customers(con, f, limit=None)
    lines = db.run(
        con,
        "select o.customer_id, p.category, i.line_amount, cast(o.ordered_at as date) as d from orders o"
        " join order_items i using (order_id) join products p using (product_id) where o.status = 'completed'",
    )
    day = lines["d"].dt.date
    lines = lines[(day <= AS_OF) & (day > AS_OF - timedelta(days=365))]
    for seg in ("champions", "at_risk"):
        mine = both[both["rfm_segment"] == seg]
        members = listed[listed["rfm_segment"] == seg]
        assert len(members) > 0
        head = mine[mine["dimension"] == "headline"].set_index("dimension_value")["share"]
        assert head["customers"] == len(members)
        assert head["avg_monetary"] == pytest.approx(float(members["monetary"].astype(float).mean()))
        spend = lines[lines["customer_id"].isin(members["customer_id"])].groupby("category")["line_amount"].sum()
        shares = mine[mine["dimension"] == "category"].set_index("dimension_value")["share"]
        assert shares.sort_index().to_numpy() == pytest.approx(
            (spend / spend.sum()).sort_index().astype(float).to_numpy()
        )
        orders = db.run(
            con,
            "select customer_id, sales_channel, cast(ordered_at as date) as d from orders where status = 'completed'",
        )
        on = orders["d"].dt.date
        orders = orders[
            (on <= AS_OF) & (on > AS_OF - timedelta(days=365)) & orders["customer_id"].isin(members["customer_id"])
        ]
        channel_shares = mine[mine["dimension"] == "sales_channel"].set_index("dimension_value")["share"]
        expected = orders["sales_channel"].value_counts(normalize=True)
        assert channel_shares.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy())
        alone = segments.segment_profile(con, f, seg)
        pd.testing.assert_frame_equal(
            alone.sort_values(["dimension", "dimension_value"]).reset_index(drop=True),
            mine.drop(columns="rfm_segment").sort_values(["dimension", "dimension_value"]).reset_index(drop=True),
        )


@pytest.mark.parametrize("sort", segments.LIST_SORTS)
@pytest.mark.parametrize("descending", [True, False])
def test_a_page_of_the_list_is_that_slice_of_the_whole_sorted_list(
    con: duckdb.DuckDBPyConnection, sort: str, descending: bool
) -> None:
    """The list's page (its keys sorted first, its columns read for its rows only) is the slice
    of the whole list sorted by pandas: every sort, both directions, first, middle and last page."""
    f = Filters(as_of=AS_OF, regions=("east", "south"), channels=("search",))
    whole = segments.segment_customers(con, f, sort, descending, None, 0)
    assert len(whole) > 120 and whole["days_since_last_order"].isna().any()  # customers without an order
    by_pandas = whole.sort_values([sort, "customer_id"], ascending=[not descending, True], na_position="last")
    if sort == "customer_id":
        by_pandas = whole.sort_values("customer_id", ascending=not descending)
    pd.testing.assert_frame_equal(whole.reset_index(drop=True), by_pandas.reset_index(drop=True))
    for offset in (0, 50, len(whole) - len(whole) % 50):
        page = segments.segment_customers(con, f, sort, descending, 50, offset)
        expected = by_pandas.iloc[offset : offset + 50].reset_index(drop=True)
        pd.testing.assert_frame_equal(page.reset_index(drop=True), expected, check_dtype=False)


@pytest.mark.parametrize("field", list(segments.FIELDS))
def test_a_segment_selects_the_same_customers_through_its_lightest_layer(
    con: duckdb.DuckDBPyConnection, field: str
) -> None:
    """A segment on people's own attributes or RFM scores picks its members from a lighter layer
    of segment_base (segments.SOURCES); the count equals the count over segment_base itself."""
    spec = segments.FIELDS[field]
    city = db.scalar(con, "select city from customer_features where city is not null limit 1")
    values: tuple = {
        "in": (city,) if spec.codes is None else spec.codes[:2],
        "between": (0.0, 200.0) if field != "p_alive" else (0.2, 0.8),
        "is": (True,),
    }[spec.kind]
    cond = (Condition(field, spec.kind, values),)
    as_of = date(2026, 3, 17)
    got = int(segments.segment_count(con, Filters(as_of=as_of, segment=cond))["customers"].iloc[0])
    predicate, params = segments.compile_predicate(cond)
    sql = "with\n" + db.load_sql("segment_base", "snippets") + f"\nselect count(*) from segment_base where {predicate}"
    full, full_params = segments.filtered_sql(sql, Filters(as_of=as_of), segments.built_as_of(con))
    direct = int(db.run(con, full, {**full_params, **params}).iat[0, 0])
    assert got == direct > 0


@pytest.mark.parametrize("as_of", [date(2026, 3, 17), date(2026, 6, 30), date(2026, 1, 9)])
def test_upgrade_targets_equal_pandas_on_the_orders(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """Every upgrade target and its calendar-year spend against pandas on the raw orders, with
    the tier held on the as-of date: mid-month (whole months from the monthly mart plus the
    month's days from the orders) and in January (no whole month yet)."""
    f = Filters(as_of=as_of)
    got = membership.upgrade_targets(con, f).set_index("customer_id")
    orders = db.run(con, "select customer_id, ordered_at, amount from orders where status = 'completed'")
    year = orders[
        (orders["ordered_at"] >= pd.Timestamp(as_of.year, 1, 1))
        & (orders["ordered_at"] < pd.Timestamp(as_of + timedelta(1)))
    ]
    spend = year.groupby("customer_id")["amount"].sum().astype(float)
    end = pd.Timestamp(as_of + timedelta(1))
    people = db.run(con, "select customer_id from customer_features where signed_up_at < $end", {"end": end})
    spells = db.run(
        con,
        "select customer_id, cast(membership_tier as varchar) as tier, valid_from, valid_to "
        "from membership_tier_spells",
    )
    held = spells[(spells["valid_from"] < end) & (spells["valid_to"].isna() | (spells["valid_to"] >= end))]
    people = people.merge(held[["customer_id", "tier"]], how="left").fillna({"tier": "normal"})
    silver, gold, diamond = membership.tier_thresholds()
    people["limit"] = people["tier"].map({"normal": silver, "silver": gold, "gold": diamond})
    people["spend"] = people["customer_id"].map(spend).fillna(0.0)
    expected = people[
        people["limit"].notna() & (people["spend"] < people["limit"]) & (people["spend"] >= 0.9 * people["limit"])
    ]
    assert len(expected) > (0 if as_of.month == 1 else 5)
    assert sorted(got.index) == sorted(expected["customer_id"])
    expected = expected.set_index("customer_id").loc[got.index]
    assert np.allclose(got["spend_this_year"].astype(float), expected["spend"])
    assert (got["membership_tier"] == expected["tier"]).all()


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 3, 17)])
def test_the_segment_layers_agree_row_by_row(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    """segment_people and segment_rfm are segment_base's first columns: the same customers and
    values (segment_base repeats the RFM columns; a mismatch returns the bad rows)."""
    layers = "with\n" + db.load_sql("segment_base", "snippets")
    for layer in ("segment_people", "segment_rfm"):
        columns = ", ".join(
            db.run(
                con, *segments.filtered_sql(f"{layers}\nselect * from {layer} limit 0", Filters(as_of=as_of))
            ).columns
        )
        sql = (
            f"{layers}\nselect 'layer' as side, * from (from {layer} except select {columns} from segment_base)\n"
            f"union all select 'base', * from (select {columns} from segment_base except from {layer})"
        )
        bad = db.run(con, *segments.filtered_sql(sql, Filters(as_of=as_of), segments.built_as_of(con)))
        assert bad.empty, (layer, bad.head())
