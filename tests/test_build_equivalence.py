"""The faster marts build the very rows of their direct formulations.

tests/reference_marts/ keeps the previous, straightforward SQL of each mart whose build was
rewritten for speed (ASOF joins over a full customer-month grid, one aggregation of the web
events per mart). Each mart must equal its reference exactly: the same rows (EXCEPT ALL both
ways, so duplicates count) and the same column types, on the demo data and on data planted with
the edge cases the rewrites reason about, at the data's last day and at an earlier mid-month
as-of date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from crm_core import build, db

REFERENCE = Path(__file__).resolve().parent / "reference_marts"
REWRITTEN = sorted(p.stem for p in REFERENCE.glob("*.sql"))
INCLUDE = re.compile(r"^[ \t]*--[ \t]*@include[ \t]+([a-z_]+)[ \t]*$", re.MULTILINE)


def reference_sql(mart: str) -> str:
    """The reference text, its `-- @include` lines expanded from the live snippets (the rules
    stay shared; what is compared is how the mart computes them)."""
    text = (REFERENCE / f"{mart}.sql").read_text(encoding="utf-8")
    return INCLUDE.sub(lambda m: db.load_sql(m.group(1), "snippets"), text)


def differences(c: duckdb.DuckDBPyConnection, mart: str, as_of: date) -> tuple[int, int, list[str]]:
    """(rows only in the mart, rows only in the reference, type differences)."""
    sql = reference_sql(mart)
    c.execute(
        f"create or replace temp table reference as {sql}",
        db.bind(sql, {"as_of": as_of, "lookback_days": build.RFM_LOOKBACK_DAYS}),
    )
    ours = c.execute(f"describe {mart}").fetchall()
    theirs = c.execute("describe reference").fetchall()
    types = [f"{a[0]} {a[1]} vs {b[0]} {b[1]}" for a, b in zip(ours, theirs, strict=False) if a[:2] != b[:2]]
    if len(ours) != len(theirs):
        types.append(f"{len(ours)} columns vs {len(theirs)}")
    only_ours = c.execute(f"select count(*) from (select * from {mart} except all select * from reference)").fetchall()
    only_theirs = c.execute(
        f"select count(*) from (select * from reference except all select * from {mart})"
    ).fetchall()
    return only_ours[0][0], only_theirs[0][0], types


def assert_marts_equal_references(path: Path) -> None:
    c = db.connect(path, read_only=False)
    try:
        as_of = build.as_of_of(c)
        for mart in REWRITTEN:
            assert differences(c, mart, as_of) == (0, 0, []), mart
    finally:
        c.close()


def test_there_is_something_to_compare() -> None:
    assert {"lifecycle_monthly", "customer_rfm_monthly", "cart_sessions", "customer_timeline"} <= set(REWRITTEN)
    assert set(REWRITTEN) <= set(build.MARTS)


def test_demo_marts_equal_their_references(s_db_copy: Path) -> None:
    assert_marts_equal_references(s_db_copy)


def test_a_difference_is_seen(s_db_copy: Path) -> None:
    """The comparison can fail: one changed value and one duplicated row are both caught."""
    c = db.connect(s_db_copy, read_only=False)
    try:
        c.execute(
            "update cart_sessions set basket_value = basket_value + 0.01 "
            "where session_id = (select min(session_id) from cart_sessions)"
        )
        c.execute("insert into lifecycle_monthly select * from lifecycle_monthly limit 1")
        as_of = build.as_of_of(c)
        assert differences(c, "cart_sessions", as_of)[:2] == (1, 1)
        assert differences(c, "lifecycle_monthly", as_of)[:2] == (1, 0)
    finally:
        c.close()


def plant_edge_cases(path: Path) -> None:
    """Rows the rewrites must treat as the references do."""
    c = db.connect(path, read_only=False)
    try:
        next_event = c.execute("select max(event_id) + 1 from web_events").fetchall()[0][0]
        next_session = c.execute("select max(session_id) + 1 from web_events").fetchall()[0][0]
        next_order = c.execute("select max(order_id) + 1 from orders").fetchall()[0][0]

        def event(session: int, customer: int, at: datetime, kind: str, product: int | None, order: int | None) -> None:
            nonlocal next_event
            c.execute(
                "insert into web_events values ($id, $session, $customer, $at, $kind, 'app', null, $product, $order)",
                {"id": next_event, "session": session, "customer": customer, "at": at, "kind": kind}
                | {"product": product, "order": order},
            )
            next_event += 1

        def order(customer: int, at: datetime) -> int:
            nonlocal next_order
            c.execute(
                "insert into orders values ($id, $customer, $at, 'completed', 25.50, 0, 'app')",
                {"id": next_order, "customer": customer, "at": at},
            )
            next_order += 1
            return next_order - 1

        carts = c.execute(
            "select session_id, customer_id, cart_at from cart_sessions where is_abandoned "
            "and cart_at < timestamp '2026-11-01' order by session_id limit 6"
        ).fetchall()
        product = c.execute("select min(product_id) from products").fetchall()[0][0]
        others = [r[0] for r in c.execute("select customer_id from customers order by customer_id limit 2").fetchall()]
        # a session whose events name two customers, both adding to the cart (one buys an hour later)
        session, customer, at = carts[0]
        other = others[0] if others[0] != customer else others[1]
        event(session, other, at + timedelta(minutes=5), "add_to_cart", product, None)
        event(session, other, at + timedelta(hours=1), "purchase", None, order(other, at + timedelta(hours=1)))
        # purchases exactly at the cart, exactly 24 hours after, and one second too late
        for (_, customer, at), delay in zip(carts[1:4], (0, 86400, 86401), strict=True):
            bought = at + timedelta(seconds=delay)
            event(next_session, customer, bought, "purchase", None, order(customer, bought))
            next_session += 1
        # two purchases in the same second: the lower order id is the one converted
        session, customer, at = carts[4]
        bought = at + timedelta(hours=2)
        first, second = order(customer, bought), order(customer, bought)
        event(next_session, customer, bought, "purchase", None, second)
        event(next_session, customer, bought, "purchase", None, first)
        next_session += 1
        # a completed order before signup, one on a leap day, one 365 days before a month end
        customer, signed_up_at = c.execute(
            "select customer_id, signed_up_at from customers order by customer_id desc limit 1"
        ).fetchall()[0]
        order(customer, signed_up_at - timedelta(days=40))
        order(customer, datetime(2024, 2, 29, 12))
        order(customer, datetime(2024, 4, 1, 9))  # 2025-03-31 - 365 days: outside that snapshot's year
    finally:
        c.close()


@pytest.mark.parametrize("as_of", [None, date(2025, 6, 17)])
def test_edge_cases_equal_their_references(s_db_copy: Path, as_of: date | None) -> None:
    plant_edge_cases(s_db_copy)
    build.build(s_db_copy, as_of=as_of, score=False)
    assert_marts_equal_references(s_db_copy)
    c = db.connect(s_db_copy)
    try:
        assert not set(build.INTERMEDIATE) & db.table_names(c)  # the build's temporary tables stay out of the file
        if as_of is None:  # the planted session with two customers did reach the mart
            mixed = c.execute("select count(*) from cart_sessions group by session_id order by 1 desc limit 1")
            assert mixed.fetchall()[0][0] == 2
    finally:
        c.close()


# Physical order the page lookups rely on (DuckDB skips row groups by min/max): (mart, key,
# how many adjacent pairs may go down, i.e. the boundaries between sorted runs).
STORED_ORDER = [
    ("order_facts", "ordered_on, order_id", 0),
    ("lifecycle_monthly", "month_end, customer_id", 0),
    ("customer_rfm_monthly", "snapshot_date, customer_id", 0),
    ("customer_timeline", "customer_id", 2),  # orders, web sessions, the rest: each sorted by customer
    ("basket_lines", "customer_id, ordered_at, order_id, product_id", 0),
]


@pytest.mark.parametrize(("mart", "key", "runs"), STORED_ORDER, ids=[m for m, _, _ in STORED_ORDER])
def test_marts_are_stored_in_lookup_order(con: duckdb.DuckDBPyConnection, mart: str, key: str, runs: int) -> None:
    descents = con.execute(
        f"select count(*) from (select ({key}) as k, lag(({key})) over (order by rowid) as before from {mart}) "
        "where k < before"
    ).fetchall()[0][0]
    assert descents <= runs, (mart, descents)


def test_duplicate_keys_by_bitmap_equal_grouping(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data-health duplicate count (a bitmap of integer keys) equals sum(count - 1) by key,
    with planted duplicates, a key far outside the others' range, and the grouped fallback."""
    from crm_core import contract, health

    c = db.connect(s_db_copy, read_only=False)
    try:
        c.execute("insert into web_events select * from web_events order by event_id limit 3")
        c.execute("insert into orders select * from orders order by order_id desc limit 2")
        c.execute("insert into order_items select * from order_items limit 1")
        c.execute("insert into reviews select * replace (review_id + 10000000000 as review_id) from reviews limit 1")

        def grouped(t: contract.Table) -> int:
            keys = ", ".join(t.key)
            sql = f"select coalesce(sum(n - 1), 0) from (select count(*) as n from {t.name} group by {keys})"
            return int(c.execute(sql).fetchall()[0][0])

        counts = {t.name: c.execute(f"select count(*) from {t.name}").fetchall()[0][0] for t in contract.RAW_TABLES}
        want = {t.name: grouped(t) for t in contract.RAW_TABLES}
        assert (want["web_events"], want["orders"], want["order_items"]) == (3, 2, 1)
        assert {t.name: health.duplicate_keys(c, t, counts[t.name]) for t in contract.RAW_TABLES} == want
        monkeypatch.setattr(health, "BITMAP_VALUES_PER_ROW", 0)  # every table grouped
        assert {t.name: health.duplicate_keys(c, t, counts[t.name]) for t in contract.RAW_TABLES} == want
    finally:
        c.close()


def test_orphan_keys_by_bitmap_equal_not_in(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data-health orphan count (the parent's keys as a bitmap) equals `not in`, for keys
    missing inside the parent's range, beyond it on both sides, and with the fallback."""
    from crm_core import contract, health
    from crm_core.importer import FOREIGN_KEYS

    c = db.connect(s_db_copy, read_only=False)
    try:
        c.execute("delete from customers where customer_id = (select min(customer_id) from web_events)")
        shifted = "select * replace (order_id + 10000000 as order_id, customer_id + 10000000 as customer_id)"
        c.execute(f"insert into orders {shifted} from orders limit 2")  # beyond the customers' ids
        below = "select * replace (order_id + 20000000 as order_id, -7 as customer_id)"
        c.execute(f"insert into orders {below} from orders limit 1")  # below them
        c.execute("delete from products where product_id = (select max(product_id) from products)")
        links = [(k, v) for k, v in FOREIGN_KEYS.items() if k[0] in contract.RAW_TABLE_NAMES]

        def not_in(child: str, ccol: str, parent: str, pcol: str) -> int:
            sql = (
                f"select count(*) from {child} where {ccol} is not null "
                f"and {ccol} not in (select {pcol} from {parent} where {pcol} is not null)"
            )
            return int(c.execute(sql).fetchall()[0][0])

        want = {k: not_in(*k, *v) for k, v in links}
        assert want[("orders", "customer_id")] >= 3 and want[("web_events", "customer_id")] > 0
        assert want[("order_items", "product_id")] > 0
        assert {k: health.orphan_keys(c, *k, *v) for k, v in links} == want
        monkeypatch.setattr(health, "BITMAP_VALUES_PER_ROW", 0)
        assert {k: health.orphan_keys(c, *k, *v) for k, v in links} == want
    finally:
        c.close()
