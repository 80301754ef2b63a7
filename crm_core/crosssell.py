"""Cross-selling (连锁效应: the hook, the rod, the boat): products and categories bought together,
what customers buy next after a category, and what to offer a customer or a segment, and why.

Association measures over baskets (completed orders) in a window up to the as-of date:
support(A, B) = baskets holding both / baskets; confidence(A -> B) = baskets holding both /
baskets holding A; lift = confidence / (baskets holding B / baskets). All computed in DuckDB
from the basket_lines mart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from crm_core import db, segments
from crm_core.filters import Filters

LEVELS: tuple[str, ...] = ("category", "product")
BASKET_DAYS: tuple[int, ...] = (90, 180, 365, 730)
MIN_BASKETS: tuple[int, ...] = (2, 3, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class RuleSettings:
    """Which baskets the rules are learned from and how many baskets a pair needs."""

    level: str = "category"
    basket_days: int = 365
    min_baskets: int = 5

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("level", self.level, LEVELS),
            ("basket_days", self.basket_days, BASKET_DAYS),
            ("min_baskets", self.min_baskets, MIN_BASKETS),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")

    def params(self) -> dict[str, Any]:
        return {"level": self.level, "basket_days": self.basket_days, "min_baskets": self.min_baskets}


def basket_rules(con: duckdb.DuckDBPyConnection, filters: Filters, rules: RuleSettings) -> pd.DataFrame:
    """Rules A -> B over the filtered customers' baskets, highest lift first."""
    return segments.run_filtered(con, "basket_rules", filters, **rules.params(), antecedents_of=None)


def next_category(con: duckdb.DuckDBPyConnection, filters: Filters, basket_days: int) -> pd.DataFrame:
    """Previous order's category x next order's category: share of next orders and its lift."""
    RuleSettings(basket_days=basket_days)  # validates
    return segments.run_filtered(con, "next_category", filters, basket_days=basket_days)


def customer_offers(
    con: duckdb.DuckDBPyConnection, filters: Filters, customer_id: int, rules: RuleSettings, max_rows: int = 10
) -> pd.DataFrame:
    """Items to offer one customer (not bought yet), each with the rule that suggests it."""
    sql, params = segments.filtered_sql("customer_offers", filters)
    cid = int(customer_id)
    return db.run(
        con, sql, {**params, **rules.params(), "customer_id": cid, "antecedents_of": cid, "max_rows": max_rows}
    )


# Customers' sets are bitmaps over the customer id range when it has at most this many ids per
# customer (one bit each); sparser ids are joined instead.
BITMAP_IDS_PER_CUSTOMER = 64


def customer_id_range(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Parameters of segment_offers' customer bitmaps: the id range, and whether it is dense
    enough for bitmaps."""
    lo, hi, n = db.run(con, "select min(customer_id), max(customer_id), count(*) from customer_features").iloc[0]
    if not n:
        return {"customer_lo": 0, "customer_hi": 0, "use_bitmaps": False}
    dense = int(hi) - int(lo) + 1 <= BITMAP_IDS_PER_CUSTOMER * int(n)
    return {"customer_lo": int(lo), "customer_hi": int(hi), "use_bitmaps": dense}


def segment_offers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: RuleSettings,
    max_rows: int = 30,
    first_candidates: int | None = None,
) -> pd.DataFrame:
    """Rules worth running on the filtered customers: who bought A recently and never B.

    Products: eligible customers are counted only for the rules whose bound (the segment's recent
    buyers of A x confidence) is among the highest; if a rule left out could still beat the last
    row kept (its bound is not below that row's expected buyers), more rules are counted. The
    rows are the same as counting every rule. `first_candidates`: how many rules to count first."""
    candidates: int | None = first_candidates or max(8 * max_rows, 200)
    ids = customer_id_range(con)
    while True:
        df = segments.run_filtered(
            con,
            "segment_offers",
            filters,
            **rules.params(),
            antecedents_of=None,
            max_rows=max_rows,
            max_candidates=candidates,
            **ids,
        )
        if candidates is None:
            return df.drop(columns="uncounted_bound")
        bound = df["uncounted_bound"].iloc[0] if len(df) else None
        if len(df) and pd.isna(bound):
            return df.drop(columns="uncounted_bound")  # every rule was counted
        if len(df) == max_rows and df["expected_buyers"].iloc[-1] > bound:
            return df.drop(columns="uncounted_bound")  # no rule left out can reach the list
        # a rule left out could still make the list (or no row tells the bound): count more
        candidates = candidates * 8 if len(df) else None
