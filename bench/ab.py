"""Before/after of the query-side fixes, interleaved in one process so that a busy machine slows
both sides alike: `python -m bench.ab --db sample_data/demo_L.duckdb`.

* RFM at the build's as-of date: recomputed from every order (before) or read from customer_rfm;
* RFM at another date (365-day lookback): recomputed (before) or read from the month-end
  snapshot of customer_rfm_monthly;
* the segment migration: two full customer lists in pandas (before) or counted in SQL;
* overview KPIs: customer counts by two joins per period (before, the SQL of commit ab0cc5e) or
  one pass;
* campaign lift statistics: one statsmodels/scipy call per row (before) or per column;
* cross-sell (category rules, what comes next, segment offers): basket lines paired and
  sequenced per order (before, the SQL of commit 082aed6) or counted per category mask from
  order_baskets.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _ms(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _lift_row_by_row(perf: pd.DataFrame) -> None:
    from crm_core import campaigns

    for r in perf.itertuples(index=False):
        campaigns.diff_of_proportions(
            int(r.conversions_treated), int(r.n_treated), int(r.conversions_holdout), int(r.n_holdout)
        )
        campaigns.wilson(int(r.conversions_treated), int(r.n_treated))
        campaigns.wilson(int(r.conversions_holdout), int(r.n_holdout))
        mt = r.revenue_treated / r.n_treated if r.n_treated else np.nan
        mh = r.revenue_holdout / r.n_holdout if r.n_holdout else np.nan
        campaigns.welch(mt, r.revenue_var_treated, int(r.n_treated), mh, r.revenue_var_holdout, int(r.n_holdout))
    [
        campaigns.verdict(row, campaigns.DEFAULT_MIN_GROUP)
        for _, row in perf.assign(lift_ci_low=0.0, lift_ci_high=0.0).iterrows()
    ]


def _sql_at(commit: str, name: str, folder: str = "queries") -> str:
    """The text of a query at an earlier commit, its `-- @include` snippets from the same commit."""
    from crm_core import db

    root = Path(__file__).resolve().parent.parent
    text = subprocess.run(
        ["git", "show", f"{commit}:crm_core/sql/{folder}/{name}.sql"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return db._INCLUDE.sub(
        lambda m: "\n".join(m.group(1) + line for line in _sql_at(commit, m.group(2), "snippets").strip().splitlines()),
        text,
    )


def main(argv: list[str] | None = None) -> int:
    from crm_core import build, campaigns, crosssell, db, segments
    from crm_core.filters import Condition, Filters

    parser = argparse.ArgumentParser(prog="python -m bench.ab")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="", help="run only the cases whose name contains this text")
    args = parser.parse_args(argv)
    con = db.connect(args.db)
    as_of = build.as_of_of(con)
    seg = (Condition("value_tier", "in", ("high_value", "potential")), Condition("email_consent", "is", (True,)))
    plain, with_segment = Filters(as_of=as_of), Filters(as_of=as_of, segment=seg)

    def recomputed(name: str, f: Filters) -> Callable[[], Any]:
        def run() -> Any:
            sql, params = segments.filtered_sql(name, f, built_as_of=None)
            return db.run(con, sql, params)

        return run

    # a date between month ends, eight months back: scores come from the month end before it
    past = Filters(as_of=as_of.replace(day=1) - timedelta(days=240))
    past_segment = Filters(as_of=past.as_of, segment=seg)
    month_end = past.as_of.replace(day=1) - timedelta(days=1)
    root = Path(__file__).resolve().parent.parent
    old_kpis = subprocess.run(
        ["git", "show", "ab0cc5e:crm_core/sql/queries/overview_kpis.sql"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("-- @include filtered_customers", db.load_sql("filtered_customers", "snippets"))

    def migration_before() -> Any:
        later = segments.run_filtered(con, "segment_customers", plain)
        earlier = recomputed("rfm_scores", Filters(as_of=month_end))()
        return later.merge(earlier, on="customer_id", how="left").groupby(["rfm_segment_x", "rfm_segment_y"]).size()

    perf = campaigns.campaign_performance(con, plain)
    rules = crosssell.RuleSettings("category", 365, 5)

    def cross_sell_before(name: str, **extra: Any) -> Callable[[], Any]:
        old = _sql_at("082aed6", name)

        def run() -> Any:
            sql, params = segments.filtered_sql(old, plain)
            return db.run(con, sql, {**params, **extra})

        return run

    cases: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "segment_summary (RFM)": (recomputed("segment_summary", plain), lambda: segments.segment_summary(con, plain)),
        "rfm_grid": (recomputed("rfm_grid", plain), lambda: segments.rfm_grid(con, plain)),
        "segment_count with a segment": (
            recomputed("segment_count", with_segment),
            lambda: segments.segment_count(con, with_segment),
        ),
        "overview_kpis with a segment": (
            recomputed("overview_kpis", with_segment),
            lambda: segments.run_filtered(con, "overview_kpis", with_segment),
        ),
        "segment_summary, another date": (
            recomputed("segment_summary", past),
            lambda: segments.segment_summary(con, past),
        ),
        "segment_count, segment, other date": (
            recomputed("segment_count", past_segment),
            lambda: segments.segment_count(con, past_segment),
        ),
        "segment migration": (migration_before, lambda: segments.rfm_migration(con, plain, month_end, as_of)),
        "overview_kpis": (
            lambda: db.run(con, old_kpis, segments.filtered_sql("overview_kpis", plain)[1]),
            lambda: segments.run_filtered(con, "overview_kpis", plain),
        ),
        "campaign lift statistics": (lambda: _lift_row_by_row(perf), lambda: campaigns.lift_table(perf)),
        "cross-sell rules (categories)": (
            cross_sell_before("basket_rules", **rules.params(), antecedents_of=None),
            lambda: crosssell.basket_rules(con, plain, rules),
        ),
        "cross-sell what comes next": (
            cross_sell_before("next_category", basket_days=365),
            lambda: crosssell.next_category(con, plain, 365),
        ),
        "cross-sell segment offers": (
            cross_sell_before("segment_offers", **rules.params(), antecedents_of=None, max_rows=30),
            lambda: crosssell.segment_offers(con, plain, rules),
        ),
    }
    print(f"{args.db}: as of {as_of}, medians of {args.repeats} interleaved runs")
    for name, (before, after) in cases.items():
        if args.only not in name:
            continue
        before(), after()  # warm
        b, a = [], []
        for _ in range(args.repeats):
            b.append(_ms(before))
            a.append(_ms(after))
        mb, ma = statistics.median(b), statistics.median(a)
        print(f"  {name:<32} before {mb:>8.1f} ms   after {ma:>8.1f} ms   {mb / max(ma, 1e-9):>6.1f}x")
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
