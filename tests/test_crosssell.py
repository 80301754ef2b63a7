"""Cross-sell: support, confidence and lift equal an independent pandas computation on S, the
sidebar's filters change the baskets, "bought next" equals a pandas recount, and the offers
never propose what the customer already has."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from crm_core import crosssell, db
from crm_core.filters import Filters

AS_OF = date(2026, 11, 15)


def baskets(con: duckdb.DuckDBPyConnection, days: int, tiers: tuple[str, ...] = ()) -> pd.DataFrame:
    """Completed orders' distinct products and categories in the window, from the raw tables."""
    df = db.run(
        con,
        """
        select o.order_id, o.customer_id, o.ordered_at, cast(i.product_id as varchar) as product, p.category
        from orders as o
        join order_items as i on i.order_id = o.order_id
        join products as p on p.product_id = i.product_id
        where o.status = 'completed' and cast(o.ordered_at as date) <= $as_of
        """,
        {"as_of": AS_OF},
    )
    df = df[df["ordered_at"].dt.date > AS_OF - timedelta(days=days)]
    if tiers:
        f = Filters(as_of=AS_OF, tiers=tiers)
        members = db.run(
            con,
            "select customer_id from customer_features where membership_tier in (select unnest($t))",
            {"t": list(f.tiers)},
        )
        df = df[df["customer_id"].isin(members["customer_id"])]
    return df


def pandas_rules(df: pd.DataFrame, item: str, min_baskets: int) -> pd.DataFrame:
    items = df[["order_id", item]].drop_duplicates()
    n = items["order_id"].nunique()
    count = items.groupby(item)["order_id"].nunique()
    pairs = items.merge(items, on="order_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs[f"{item}_a"] != pairs[f"{item}_b"]]
    both = pairs.groupby([f"{item}_a", f"{item}_b"]).size().rename("both").reset_index()
    both = both[both["both"] >= min_baskets]
    both["support"] = both["both"] / n
    both["confidence"] = both["both"] / both[f"{item}_a"].map(count)
    both["lift"] = both["confidence"] / (both[f"{item}_b"].map(count) / n)
    return both.rename(columns={f"{item}_a": "antecedent", f"{item}_b": "consequent"}).set_index(
        ["antecedent", "consequent"]
    )


@pytest.mark.parametrize(
    ("level", "item", "days", "min_baskets"),
    [("category", "category", 365, 5), ("category", "category", 730, 2), ("product", "product", 365, 3)],
)
def test_association_measures_equal_pandas(
    con: duckdb.DuckDBPyConnection, level: str, item: str, days: int, min_baskets: int
) -> None:
    got = crosssell.basket_rules(con, Filters(as_of=AS_OF), crosssell.RuleSettings(level, days, min_baskets))
    expected = pandas_rules(baskets(con, days), item, min_baskets)
    assert len(got) == len(expected) > 0
    got = got.set_index(["antecedent", "consequent"]).loc[expected.index]
    assert (got["baskets_with_both"].to_numpy() == expected["both"].to_numpy()).all()
    for col in ("support", "confidence", "lift"):
        assert got[col].to_numpy() == pytest.approx(expected[col].to_numpy(), rel=1e-12), col
    assert got["baskets"].iloc[0] == baskets(con, days)["order_id"].nunique()


def test_the_sidebar_filters_change_the_baskets(con: duckdb.DuckDBPyConnection) -> None:
    settings = crosssell.RuleSettings("category", 365, 2)
    got = crosssell.basket_rules(con, Filters(as_of=AS_OF, tiers=("gold", "diamond")), settings)
    expected = pandas_rules(baskets(con, 365, ("gold", "diamond")), "category", 2)
    assert len(got) == len(expected) > 0
    got = got.set_index(["antecedent", "consequent"]).loc[expected.index]
    assert got["lift"].to_numpy() == pytest.approx(expected["lift"].to_numpy(), rel=1e-12)
    everyone = crosssell.basket_rules(con, Filters(as_of=AS_OF), settings)
    assert got["baskets"].iloc[0] < everyone["baskets"].iloc[0]


def test_planted_pairs_have_lift(con: duckdb.DuckDBPyConnection) -> None:
    """The generator puts shoes with sports and apparel, baby with food (sample_data/vocab.py)."""
    rules = crosssell.basket_rules(con, Filters(as_of=AS_OF), crosssell.RuleSettings("category", 730, 5))
    lift = rules.set_index(["antecedent", "consequent"])["lift"]
    for a, b in (("sports", "shoes"), ("baby", "food"), ("apparel", "shoes")):
        assert lift[(a, b)] > 1.2, (a, b)
    assert lift[(a, b)] == pytest.approx(lift[(b, a)])  # lift is symmetric


def test_next_category_equals_pandas(con: duckdb.DuckDBPyConnection) -> None:
    got = crosssell.next_category(con, Filters(as_of=AS_OF), 365).set_index(["from_category", "to_category"])
    df = baskets(con, 365)
    orders = (
        df[["customer_id", "order_id", "ordered_at"]]
        .drop_duplicates()
        .sort_values(["customer_id", "ordered_at", "order_id"])
    )
    orders["next_order_id"] = orders.groupby("customer_id")["order_id"].shift(-1)
    followed = orders.dropna(subset=["next_order_id"]).astype({"next_order_id": "int64"})
    cats = df[["order_id", "category"]].drop_duplicates()
    prev = followed.merge(cats, on="order_id")
    pairs = prev.merge(
        cats.rename(columns={"order_id": "next_order_id", "category": "to_category"}), on="next_order_id"
    )
    n_followed = prev.groupby("category").size()
    counts = pairs.groupby(["category", "to_category"]).size()
    expected_share = counts / n_followed.reindex(counts.index.get_level_values(0)).to_numpy()
    baseline = followed.merge(cats.rename(columns={"order_id": "next_order_id"}), on="next_order_id").groupby(
        "category"
    ).size() / len(followed)
    assert len(got) == len(counts)
    assert got.loc[counts.index, "next_orders_with_category"].to_numpy().tolist() == counts.to_numpy().tolist()
    assert got.loc[counts.index, "share_next"].to_numpy() == pytest.approx(expected_share.to_numpy())
    lift = expected_share.to_numpy() / baseline.reindex(counts.index.get_level_values(1)).to_numpy()
    assert got.loc[counts.index, "lift"].to_numpy() == pytest.approx(lift)


def test_customer_offers_are_new_to_the_customer_and_have_a_reason(con: duckdb.DuckDBPyConnection) -> None:
    settings = crosssell.RuleSettings("product", 365, 2)
    cid = int(
        db.scalar(con, "select customer_id from customer_features order by count_orders desc, customer_id limit 1")
    )
    offers = crosssell.customer_offers(con, Filters(as_of=AS_OF), cid, settings, max_rows=20)
    assert not offers.empty
    bought = set(
        db.run(
            con,
            "select distinct cast(i.product_id as varchar) as p from orders o join order_items i using (order_id)"
            " where o.customer_id = $c and o.status = 'completed'",
            {"c": cid},
        )["p"]
    )
    assert not set(offers["consequent"]) & bought
    assert set(offers["antecedent"]) <= bought
    assert (offers["lift"] > 1).all() and offers["consequent"].is_unique
    assert offers["confidence"].is_monotonic_decreasing


def test_segment_offers_count_eligible_customers(con: duckdb.DuckDBPyConnection) -> None:
    settings = crosssell.RuleSettings("category", 365, 5)
    offers = crosssell.segment_offers(con, Filters(as_of=AS_OF), settings, max_rows=100)
    assert not offers.empty
    row = offers.iloc[0]
    recent = baskets(con, 365)
    every = db.run(
        con,
        "select distinct o.customer_id, p.category from orders o join order_items i using (order_id)"
        " join products p using (product_id) where o.status = 'completed' and cast(o.ordered_at as date) <= $as_of",
        {"as_of": AS_OF},
    )
    had_a = set(recent.loc[recent["category"] == row["antecedent"], "customer_id"])
    had_b = set(every.loc[every["category"] == row["consequent"], "customer_id"])
    assert row["eligible_customers"] == len(had_a - had_b)
    assert row["expected_buyers"] == pytest.approx(len(had_a - had_b) * row["confidence"])


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="level"):
        crosssell.RuleSettings("brand", 365, 5)
    with pytest.raises(ValueError, match="basket_days"):
        crosssell.RuleSettings("category", 1, 5)
