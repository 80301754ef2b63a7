"""The generator is deterministic and plants the behaviour later pages must find."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from crm_core import contract, db
from sample_data.generate import END, N_CAMPAIGNS, SCALES, generate

ALL_TABLES = [*contract.RAW_TABLE_NAMES, "truth_customer", "truth_campaign_lift", "truth_account_manager", "truth_web"]


def table_checksums(path: Path) -> dict[str, str]:
    """An order-independent fingerprint of every row of every table."""
    c = db.connect(path)
    try:
        return {
            t: str(db.scalar(c, f"select bit_xor(hash(x)) || ':' || count(*) from (select * from {t}) as x"))
            for t in ALL_TABLES
        }
    finally:
        c.close()


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    generate("S", 7, a)
    generate("S", 7, b)
    generate("S", 8, c)
    sums_a, sums_b, sums_c = table_checksums(a), table_checksums(b), table_checksums(c)
    assert sums_a == sums_b
    assert sums_a["orders"] != sums_c["orders"]
    assert sums_a["customers"] != sums_c["customers"]


def test_scale_and_contract(con: duckdb.DuckDBPyConnection) -> None:
    assert db.scalar(con, "select count(*) from customers") == SCALES["S"]
    for t in contract.RAW_TABLES:
        cols = db.run(con, "select column_name from information_schema.columns where table_name = $t", {"t": t.name})
        assert list(cols["column_name"]) == list(t.column_names), t.name
        assert db.scalar(con, f"select count(*) from {t.name}") > 0, t.name
    span = db.run(con, "select min(signed_up_at)::date as lo, max(ordered_at)::date as hi from customers, orders")
    assert span.at[0, "hi"].date() == END
    assert (span.at[0, "hi"] - span.at[0, "lo"]).days >= 3 * 365 - 5


def test_holdout_share_is_about_ten_percent(con: duckdb.DuckDBPyConnection) -> None:
    share = db.scalar(con, "select avg(case when is_holdout then 1.0 else 0 end) from campaign_sends")
    assert 0.085 <= share <= 0.115
    assert db.scalar(con, "select count(*) from campaigns") == N_CAMPAIGNS


def test_cart_abandonment_matches_planted_rate(con: duckdb.DuckDBPyConnection) -> None:
    """Sessions with an add-to-cart and no purchase by the customer within 24 h, by channel."""
    measured = db.run(
        con,
        """
        with carts as (
            select session_id, customer_id, channel, min(event_at) as cart_at
            from web_events where event_type = 'add_to_cart'
            group by session_id, customer_id, channel
        ),
        purchases as (select customer_id, event_at from web_events where event_type = 'purchase')
        select carts.channel, avg(case when exists (
            select 1 from purchases p where p.customer_id = carts.customer_id
              and p.event_at >= carts.cart_at and p.event_at <= carts.cart_at + interval 24 hour
        ) then 0.0 else 1.0 end) as abandonment_rate, count(*) as carts
        from carts group by carts.channel
        """,
    ).set_index("channel")
    planted = db.run(con, "select * from truth_web").set_index("channel")["planted_abandonment_rate"]
    for channel, rate in planted.items():
        assert abs(measured.at[channel, "abandonment_rate"] - rate) <= 0.02, channel
    overall = (measured["abandonment_rate"] * measured["carts"]).sum() / measured["carts"].sum()
    assert 0.70 <= overall <= 0.80


def test_tier_mix_is_a_pyramid(con: duckdb.DuckDBPyConnection) -> None:
    mix = db.run(con, "select membership_tier, count(*) as n from customer_features group by 1").set_index(
        "membership_tier"
    )["n"]
    assert mix["normal"] > mix["silver"] > mix["gold"] > mix["diamond"] > 0
    truth = db.run(con, "select membership_tier_at_end as tier, count(*) as n from truth_customer group by 1")
    assert dict(zip(truth["tier"], truth["n"], strict=True)) == mix.to_dict()
    assert db.scalar(con, "select count(*) from membership_events where reason = 'downgrade'") > 0


def test_buy_till_you_die_truth_is_consistent(con: duckdb.DuckDBPyConnection) -> None:
    """No completed order after a customer's planted drop-out; drop-outs buy less recently."""
    late = db.scalar(
        con,
        """
        select count(*) from orders o join truth_customer t using (customer_id)
        where o.status = 'completed' and t.dropped_out_at is not null and o.ordered_at > t.dropped_out_at
        """,
    )
    assert late == 0
    gap = db.run(
        con,
        """
        select t.dropped_out_at is not null as dropped, avg(f.days_since_last_order) as days
        from customer_features f join truth_customer t using (customer_id)
        where f.count_orders > 0 group by 1 order by 1
        """,
    )
    assert gap.at[1, "days"] > 2 * gap.at[0, "days"]
    reasons = set(
        db.run(con, "select distinct drop_reason from truth_customer where drop_reason is not null")["drop_reason"]
    )
    assert {"natural", "complaint"} <= reasons


def test_festival_peaks_and_spring_festival_dip(con: duckdb.DuckDBPyConnection) -> None:
    daily = db.run(
        con,
        "select ordered_at::date as d, count(*) as n from orders where status = 'completed' group by 1",
    ).set_index("d")["n"]
    daily.index = [str(d)[:10] for d in daily.index]
    around = daily.loc["2025-10-01":"2025-10-31"].mean()
    assert daily["2025-11-11"] > 2.5 * around
    assert daily["2025-06-18"] > 1.8 * daily.loc["2025-05-01":"2025-05-31"].mean()
    dip = daily.loc["2025-01-25":"2025-02-02"].mean()
    assert dip < 0.75 * daily.loc["2024-12-01":"2024-12-31"].mean()


def test_campaign_truth_plants_zero_positive_and_negative_lifts(con: duckdb.DuckDBPyConnection) -> None:
    lifts = db.run(con, "select * from truth_campaign_lift")
    assert len(lifts) >= 40
    assert (lifts["planted_uplift"] == 0).sum() >= 5
    assert (lifts["planted_uplift"] > 0).sum() >= 20
    assert (lifts["true_lift"] < 0).sum() >= 1
    # the true probabilities describe the customers actually assigned
    sizes = db.run(con, "select campaign_id, count(*) as n from campaign_sends group by 1").set_index("campaign_id")
    per_campaign = lifts.groupby("campaign_id")["n_assigned"].sum()
    assert (per_campaign == sizes.loc[per_campaign.index, "n"]).all()


def test_orphaned_customers_match_truth(con: duckdb.DuckDBPyConnection) -> None:
    counted = db.run(
        con,
        """
        select m.manager_id, count(c.customer_id) as orphans
        from account_managers m left join customers c on c.account_manager_id = m.manager_id
        where m.left_at is not null group by 1
        """,
    ).set_index("manager_id")["orphans"]
    truth = db.run(con, "select * from truth_account_manager").set_index("manager_id")
    for manager_id, orphans in counted.items():
        expected = truth.at[manager_id, "orphaned_customers"]
        assert orphans == expected, manager_id
        if orphans:
            assert truth.at[manager_id, "left_without_handover"]


def test_unknown_scale_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale 'XL'"):
        generate("XL", 1, tmp_path / "x.duckdb")
