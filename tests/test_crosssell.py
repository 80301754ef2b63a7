"""Cross-sell: support, confidence and lift equal an independent pandas computation on S, the
sidebar's filters change the baskets, "bought next" equals a pandas recount, and the offers
never propose what the customer already has."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from crm_core import crosssell, db, segments
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


@pytest.mark.parametrize(("tiers", "days"), [((), 365), (("gold",), 90)])
def test_next_category_equals_pandas(con: duckdb.DuckDBPyConnection, tiers: tuple[str, ...], days: int) -> None:
    filters = Filters(as_of=AS_OF, tiers=tiers)
    got = crosssell.next_category(con, filters, days).set_index(["from_category", "to_category"])
    df = baskets(con, days, tiers)
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
    # days to the next order: calendar days between the two orders' dates, median per category
    day_of = orders.set_index("order_id")["ordered_at"].dt.normalize()
    prev["days"] = (
        day_of.loc[prev["next_order_id"]].to_numpy() - day_of.loc[prev["order_id"]].to_numpy()
    ) / pd.Timedelta(days=1)
    medians = prev.groupby("category")["days"].median()
    if tiers:  # a small segment: some category's median is the mean of two different middle days
        assert (medians % 1 != 0).any()
    got_median = got.reset_index().groupby("from_category")["median_days_to_next"].first()
    assert got_median.loc[medians.index].to_numpy() == pytest.approx(medians.to_numpy())


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


@pytest.mark.parametrize(
    ("level", "item", "min_baskets", "bitmaps"),
    [("category", "category", 5, True), ("product", "product", 3, True), ("product", "product", 3, False)],
)
def test_every_segment_offer_counts_its_customers(
    con: duckdb.DuckDBPyConnection,
    monkeypatch: pytest.MonkeyPatch,
    level: str,
    item: str,
    min_baskets: int,
    bitmaps: bool,
) -> None:
    """Every offer row (both levels, a filtered segment) against a pandas count of the customers
    who bought A in the window and never B; the rules' lift > 1, none missing. Products: with
    customer bitmaps, and with the join used when customer ids are too sparse for bitmaps."""
    assert crosssell.customer_id_range(con)["use_bitmaps"]
    if not bitmaps:
        monkeypatch.setattr(crosssell, "BITMAP_IDS_PER_CUSTOMER", 0)
        assert not crosssell.customer_id_range(con)["use_bitmaps"]
    filters = Filters(as_of=AS_OF, tiers=("normal", "silver"))
    settings = crosssell.RuleSettings(level, 365, min_baskets)
    offers = crosssell.segment_offers(con, filters, settings, max_rows=100_000)
    assert not offers.empty
    members = set(
        db.run(
            con,
            "select customer_id from customer_features where membership_tier in ('normal', 'silver')",
        )["customer_id"]
    )
    recent = baskets(con, 365)
    recent = recent[recent["customer_id"].isin(members)]
    every = db.run(
        con,
        "select distinct o.customer_id, cast(i.product_id as varchar) as product, p.category from orders o"
        " join order_items i using (order_id) join products p using (product_id)"
        " where o.status = 'completed' and cast(o.ordered_at as date) <= $as_of",
        {"as_of": AS_OF},
    )
    every = every[every["customer_id"].isin(members)]
    buyers_recent = recent.groupby(item)["customer_id"].agg(set)
    buyers_ever = every.groupby(item)["customer_id"].agg(set)
    rules = pandas_rules(baskets(con, 365), item, min_baskets)
    rules = rules[rules["lift"] > 1]
    expected = {(a, b): len(buyers_recent.get(a, set()) - buyers_ever.get(b, set())) for a, b in rules.index}
    expected = {k: v for k, v in expected.items() if v > 0}
    got = dict(
        zip(zip(offers["antecedent"], offers["consequent"], strict=True), offers["eligible_customers"], strict=True)
    )
    assert got == expected
    assert offers["expected_buyers"].is_monotonic_decreasing


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="level"):
        crosssell.RuleSettings("brand", 365, 5)
    with pytest.raises(ValueError, match="basket_days"):
        crosssell.RuleSettings("category", 1, 5)


@pytest.mark.parametrize(
    ("filters", "max_rows"), [(Filters(as_of=AS_OF), 1), (Filters(as_of=AS_OF, tiers=("gold",)), 7)]
)
@pytest.mark.parametrize("first_candidates", [1, 3, 50])
def test_counting_only_the_best_bounded_rules_keeps_the_list(
    con: duckdb.DuckDBPyConnection, filters: Filters, max_rows: int, first_candidates: int
) -> None:
    """Products: counting the rules with the highest bound first (and more while one left out
    could still make the list) gives the rows of counting every rule."""
    settings = crosssell.RuleSettings("product", 365, 2)
    everything = segments.run_filtered(
        con,
        "segment_offers",
        filters,
        **settings.params(),
        antecedents_of=None,
        max_rows=max_rows,
        max_candidates=None,
        **crosssell.customer_id_range(con),
    ).drop(columns="uncounted_bound")
    got = crosssell.segment_offers(con, filters, settings, max_rows=max_rows, first_candidates=first_candidates)
    assert len(everything) == max_rows
    pd.testing.assert_frame_equal(got, everything)
