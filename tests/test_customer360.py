"""Customer 360: the timeline holds exactly the customer's events from every raw table, search
matches full contacts only, the profile agrees with the marts, and the next-action rules fire
on their thresholds and not before."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from crm_core import customer360, db, membership
from crm_core.filters import Filters

AS_OF = date(2026, 11, 15)

# The events each raw table contributes, counted straight from the raw tables.
DIRECT_COUNTS = """
with bounds as (select cast($as_of as date) + interval 1 day as end_at)
select 'customers' as source, count(*) as n from customers
    where customer_id = $c and signed_up_at < (select end_at from bounds)
union all select 'orders', count(*) from orders
    where customer_id = $c and ordered_at < (select end_at from bounds)
union all select 'web_events', count(*) from (
    select session_id from web_events where customer_id = $c and event_at < (select end_at from bounds)
    group by session_id having min(event_at) < (select end_at from bounds))
union all select 'campaign_sends', (
    select count(*) filter (where is_holdout and assigned_at < (select end_at from bounds))
        + count(*) filter (where sent_at < (select end_at from bounds))
        + count(*) filter (where opened_at < (select end_at from bounds))
        + count(*) filter (where clicked_at < (select end_at from bounds))
        + count(*) filter (where unsubscribed_at < (select end_at from bounds))
    from campaign_sends where customer_id = $c)
union all select 'interactions', count(*) from interactions
    where customer_id = $c and opened_at < (select end_at from bounds)
union all select 'reviews', count(*) from reviews
    where customer_id = $c and reviewed_at < (select end_at from bounds)
union all select 'membership_events', count(*) from membership_events
    where customer_id = $c and changed_at < (select end_at from bounds)
union all select 'points_ledger', count(*) from points_ledger
    where customer_id = $c and entry_type in ('redeemed', 'expired') and entry_at < (select end_at from bounds)
"""


def busy_customers(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Customers with something in every kind of table, plus a quiet one and a buyer of one order."""
    df = db.run(
        con,
        """
        select customer_id from customers
        where customer_id in (select customer_id from reviews)
          and customer_id in (select customer_id from membership_events)
          and customer_id in (select customer_id from campaign_sends where is_holdout)
          and customer_id in (select customer_id from campaign_sends where clicked_at is not null)
          and customer_id in (select customer_id from interactions where interaction_type = 'complaint')
          and customer_id in (select customer_id from web_events)
          and customer_id in (select customer_id from points_ledger where entry_type = 'redeemed')
        order by customer_id limit 8
        """,
    )
    quiet = db.scalar(
        con, "select min(customer_id) from customers where customer_id not in (select customer_id from orders)"
    )
    return [int(v) for v in df["customer_id"]] + [int(quiet)]


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 6, 30), date(2024, 3, 31)])
def test_timeline_holds_exactly_the_events_of_every_raw_table(con: duckdb.DuckDBPyConnection, as_of: date) -> None:
    customers = busy_customers(con)
    assert len(customers) >= 5, "the demo data should have customers with every kind of event"
    for customer_id in customers:
        events = customer360.timeline(con, customer_id, as_of)
        got = events.groupby("source").size().reindex(list(customer360.SOURCES), fill_value=0)
        direct = db.run(con, DIRECT_COUNTS, {"c": customer_id, "as_of": as_of}).set_index("source")["n"]
        assert got.to_dict() == direct.reindex(list(customer360.SOURCES)).astype(int).to_dict(), customer_id
        assert (events["customer_id"] == customer_id).all()
        assert events["event_at"].is_monotonic_decreasing
        assert (events["event_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)).all()
        assert set(events["kind_group"]) <= set(customer360.KIND_GROUPS)


def test_timeline_mart_covers_every_raw_row(con: duckdb.DuckDBPyConnection) -> None:
    """Over all customers at the build date, not only a sample."""
    mart = db.run(con, "select source, count(*) as n from customer_timeline group by source").set_index("source")["n"]
    raw = {
        "customers": db.scalar(con, "select count(*) from customers"),
        "orders": db.scalar(con, "select count(*) from orders"),
        "web_events": db.scalar(con, "select count(distinct session_id) from web_events"),
        "campaign_sends": db.scalar(
            con,
            "select count(*) filter (where is_holdout) + count(sent_at) + count(opened_at) + count(clicked_at)"
            " + count(unsubscribed_at) from campaign_sends",
        ),
        "interactions": db.scalar(con, "select count(*) from interactions"),
        "reviews": db.scalar(con, "select count(*) from reviews"),
        "membership_events": db.scalar(con, "select count(*) from membership_events"),
        "points_ledger": db.scalar(con, "select count(*) from points_ledger where entry_type <> 'earned'"),
    }
    assert mart.to_dict() == {k: int(v) for k, v in raw.items()}


def test_search_matches_full_contacts_and_name_parts(con: duckdb.DuckDBPyConnection) -> None:
    row = db.run(
        con, "select customer_id, customer_name, email, phone from customer_features where email is not null limit 1"
    ).iloc[0]
    cid = int(row["customer_id"])
    assert customer360.search(con, str(cid))["customer_id"].tolist() == [cid]
    assert cid in customer360.search(con, f"  {row['email'].upper()} ")["customer_id"].tolist()
    by_phone = customer360.search(con, row["phone"])
    assert cid in by_phone["customer_id"].tolist() and set(by_phone["matched_on"]) == {"phone"}
    spaced = f"{row['phone'][:3]} {row['phone'][3:7]} {row['phone'][7:]}"
    assert cid in customer360.search(con, spaced)["customer_id"].tolist()
    assert cid in customer360.search(con, row["customer_name"][1:])["customer_id"].tolist()
    # a part of a phone number or an e-mail address finds nobody: the box cannot enumerate contacts
    assert customer360.search(con, row["phone"][:7]).empty
    assert customer360.search(con, row["email"].split("@")[0]).empty
    assert customer360.search(con, "@" + row["email"].split("@")[1]).empty
    assert customer360.search(con, "x' or '1'='1").empty
    assert customer360.search(con, "").empty
    assert len(customer360.search(con, "a")) <= customer360.MAX_MATCHES


def test_profile_agrees_with_the_marts(con: duckdb.DuckDBPyConnection) -> None:
    rows = db.run(
        con,
        "select rfm.customer_id, rfm.value_tier, rfm.rfm_segment, rfm.r_score, features.membership_tier,"
        " features.points_balance, features.count_orders, features.revenue"
        " from customer_rfm as rfm join customer_features as features using (customer_id)"
        " order by customer_id limit 25",
    )
    for _, r in rows.iterrows():
        p = customer360.profile(con, int(r["customer_id"]), AS_OF)
        assert p is not None
        for key in ("value_tier", "rfm_segment", "r_score", "membership_tier", "count_orders"):
            assert p[key] == r[key], key
        assert p["points_balance"] == pytest.approx(float(r["points_balance"]))
        assert float(p["revenue"]) == pytest.approx(float(r["revenue"]))
        spend = db.scalar(
            con,
            "select coalesce(sum(amount), 0) from orders where customer_id = $c and status = 'completed'"
            " and ordered_at >= '2026-01-01' and ordered_at < '2026-11-16'",
            {"c": int(r["customer_id"])},
        )
        assert float(p["spend_this_year"]) == pytest.approx(float(spend))
        score = db.run(con, "select * from customer_clv where customer_id = $c", {"c": int(r["customer_id"])})
        if score.empty:
            assert p["clv"] is None
        else:
            assert p["clv"] is not None
            assert p["clv"]["p_alive"] == pytest.approx(float(score["p_alive"].iloc[0]))
            assert p["clv"]["clv_tier"] == score["clv_tier"].iloc[0]
    assert customer360.profile(con, 1, AS_OF) is None


def test_open_complaints_and_the_departed_manager(con: duckdb.DuckDBPyConnection) -> None:
    cid = int(
        db.scalar(
            con,
            "select min(customer_id) from interactions where interaction_type = 'complaint' and resolved_at is null",
        )
    )
    p = customer360.profile(con, cid, AS_OF)
    assert p is not None
    direct = db.scalar(
        con,
        "select count(*) from interactions where customer_id = $c and interaction_type = 'complaint'"
        " and resolved_at is null",
        {"c": cid},
    )
    assert p["open_complaints"] == direct > 0
    assert "call_back" in [a.code for a in customer360.next_actions(p)]
    orphan = int(db.scalar(con, "select min(customer_id) from truth_customer where is_orphaned"))
    p = customer360.profile(con, orphan, AS_OF)
    assert p is not None and p["has_departed_manager"]
    assert "reassign_manager" in [a.code for a in customer360.next_actions(p)]


def base_profile(**changes: object) -> dict[str, object]:
    p: dict[str, object] = {
        "membership_tier": "normal",
        "spend_this_year": 0.0,
        "revenue_percentile": 0.5,
        "days_since_last_order": 10,
        "avg_days_between_orders": 30.0,
        "open_complaints": 0,
        "has_departed_manager": False,
        "clv": None,
    }
    p.update(changes)
    return p


def codes(p: dict[str, object]) -> list[str]:
    return [a.code for a in customer360.next_actions(p)]


def test_next_action_rules_fire_at_their_thresholds() -> None:
    silver, gold, diamond = membership.tier_thresholds()
    assert codes(base_profile()) == []
    assert codes(base_profile(spend_this_year=silver * 0.9)) == ["upgrade_offer"]
    assert codes(base_profile(spend_this_year=silver * 0.9 - 0.01)) == []
    assert codes(base_profile(spend_this_year=silver)) == []  # already earned: the tier updates
    assert codes(base_profile(membership_tier="gold", spend_this_year=diamond - 1)) == ["upgrade_offer"]
    assert codes(base_profile(membership_tier="diamond", spend_this_year=10**6)) == []
    action = customer360.next_actions(base_profile(membership_tier="silver", spend_this_year=gold - 100))[0]
    assert action.values["gap"] == pytest.approx(100) and action.values["next_tier"] == "gold"
    # win back: high value and long since the last order (90 days and twice the usual gap)
    assert codes(base_profile(revenue_percentile=0.9, days_since_last_order=91)) == ["win_back"]
    assert codes(base_profile(revenue_percentile=0.9, days_since_last_order=90)) == []
    assert codes(base_profile(revenue_percentile=0.9, days_since_last_order=100, avg_days_between_orders=60.0)) == []
    assert codes(base_profile(revenue_percentile=0.79, days_since_last_order=400)) == []
    # ... or, when scored, P(alive) below one half
    scored = {"p_alive": 0.3}
    assert codes(base_profile(revenue_percentile=0.9, days_since_last_order=5, clv=scored)) == ["win_back_p_alive"]
    assert codes(base_profile(revenue_percentile=0.9, days_since_last_order=5, clv={"p_alive": 0.6})) == []
    assert codes(base_profile(open_complaints=2, has_departed_manager=True)) == ["call_back", "reassign_manager"]


def test_profile_reads_the_clv_score_when_it_exists(s_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "scored.duckdb"
    shutil.copyfile(s_db, path)
    c = db.connect(path, read_only=False)
    try:
        cid = int(db.scalar(c, "select min(customer_id) from customer_rfm"))
        c.execute("drop table if exists customer_clv")
        c.execute(
            "create table customer_clv as select $c::bigint as customer_id, 0.42 as p_alive,"
            " 0.5 as expected_purchases_90d, 2.0 as expected_purchases_365d, 120.0 as expected_avg_order_value,"
            " 300.0 as predicted_clv, 'high' as clv_tier",
            {"c": cid},
        )
        p = customer360.profile(c, cid, AS_OF)
        assert p is not None and p["clv"] is not None
        assert p["clv"]["p_alive"] == pytest.approx(0.42) and p["clv"]["clv_tier"] == "high"
        other = int(db.scalar(c, "select max(customer_id) from customer_rfm"))
        assert customer360.clv(c, other) is None
        c.execute("delete from customer_clv")  # not scored: the build leaves the score tables empty
        p = customer360.profile(c, cid, AS_OF)
        assert p is not None and p["clv"] is None
    finally:
        c.close()


def test_filters_do_not_hide_a_looked_up_customer(con: duckdb.DuckDBPyConnection) -> None:
    """A single-customer lookup ignores the sidebar's region filter (it is not a list)."""
    cid = int(db.scalar(con, "select min(customer_id) from customers where region = 'east'"))
    f = Filters(as_of=AS_OF, regions=("north",))
    assert customer360.profile(con, cid, f.as_of) is not None
